; probe.asm - a test kernel that reports, as key=hex lines on COM1, what the
; loader handed it: the args, the CPU state, the GDT, the page tables, the
; E820 area, the VBE mode info, the environment, the raw-loaded image; then
; it leaves QEMU with isa-debug-exit value 0x10.

%include "serial.inc"

KERNEL_PHYS equ 0x100000

    global _start
_start:
    mov r15, rdi                ; args pointer
    mov r14, rsp                ; stack at entry
    mov r13, rbp

    say "probe: start"
    kv "rdi", r15
    kv "rsp", r14
    kv "rbp", r13
    kv "ret", [r14]
    kv "kernel_base", [r15]
    kv "kernel_size", [r15 + 8]
    kv "stack_base", [r15 + 16]
    kv "stack_size", [r15 + 24]
    kv "env_base", [r15 + 32]
    kv "env_size", [r15 + 40]
    lea rax, [rel _start]
    kv "entry", rax
    kv "e_entry", [KERNEL_PHYS + 0x18]

    kv "cr0", cr0
    kv "cr3", cr3
    kv "cr4", cr4
    mov ecx, 0xC0000080
    rdmsr
    shl rdx, 32
    or rax, rdx
    kv "efer", rax

    sub rsp, 16                 ; sgdt into the stack: the image must stay as loaded
    sgdt [rsp]
    movzx eax, word [rsp]
    kv "gdtr_limit", rax
    mov rbx, [rsp + 2]
    add rsp, 16
    kv "gdtr_base", rbx
    kv "gdt0", [rbx]
    kv "gdt1", [rbx + 8]
    kv "gdt2", [rbx + 16]
    xor eax, eax
    mov ax, cs
    kv "cs", rax
    mov ax, ds
    kv "ds", rax
    mov ax, es
    kv "es", rax
    mov ax, ss
    kv "ss", rax
    mov ax, fs
    kv "fs", rax
    mov ax, gs
    kv "gs", rax

    ; page tables
    kv "pml4_0", [0x70000]
    kv "pml4_510", [0x70000 + 510 * 8]
    kv "pml4_511", [0x70000 + 511 * 8]
    mov rsi, 0x70000
    mov ecx, 512
    call count_nonzero_qwords
    kv "pml4_nz", rax
    kv "pdp_0", [0x71000]
    kv "pdp_1", [0x71008]
    kv "pdp_2", [0x71010]
    kv "pdp_3", [0x71018]
    mov rsi, 0x71000
    mov ecx, 512
    call count_nonzero_qwords
    kv "pdp_nz", rax
    kv "pd_0", [0x72000]
    kv "pd_1", [0x72008]
    kv "pd_2047", [0x72000 + 2047 * 8]
    ; every PD entry must be i * 2 MiB | 0x83, give or take accessed/dirty
    xor ecx, ecx
    xor edx, edx                ; mismatches
.pd_check:
    mov rax, rcx
    shl rax, 21
    or rax, 0x83
    mov rbx, [0x72000 + rcx * 8]
    and rbx, ~0x60
    cmp rax, rbx
    je .pd_ok
    inc rdx
.pd_ok:
    inc ecx
    cmp ecx, 2048
    jb .pd_check
    kv "pd_bad", rdx

    ; E820: entries until the first all-zero one
    mov rbx, 0x500
    xor r12, r12                ; entries seen
.e820_next:
    cmp rbx, 0x5000
    jae .e820_end
    mov rax, [rbx]
    or rax, [rbx + 8]
    or rax, [rbx + 16]
    jz .e820_end
    lea rsi, [rel e820_key]
    call put_string
    mov rax, [rbx]
    call put_hex
    mov al, ' '
    call put_char
    mov rax, [rbx + 8]
    call put_hex
    mov al, ' '
    call put_char
    mov eax, [rbx + 16]
    call put_hex
    mov al, ' '
    call put_char
    mov eax, [rbx + 20]
    call put_hex
    call put_newline
    inc r12
    add rbx, 24
    jmp .e820_next
.e820_end:
    kv "e820_count", r12
    mov rsi, rbx
    mov rcx, 0x5000
    sub rcx, rbx
    call count_nonzero_bytes
    kv "e820_tail_nz", rax

    ; VBE mode info
    movzx eax, word [0x5212]
    kv "vbe_x", rax
    movzx eax, word [0x5214]
    kv "vbe_y", rax
    movzx eax, byte [0x5219]
    kv "vbe_bpp", rax
    mov eax, [0x5228]
    kv "vbe_fb", rax
    mov rsi, 0x5200
    mov ecx, 256
    call count_nonzero_bytes
    kv "vbe_nz", rax
    call sum_bytes
    kv "vbe_sum", rax
    mov rsi, 0x5000
    mov ecx, 512
    call sum_bytes
    kv "card_sum", rax

    ; AP trampoline area
    mov rsi, 0x7E00
    mov ecx, 512
    call count_nonzero_bytes
    kv "tramp_nz", rax

    ; environment bytes, in hex
    lea rsi, [rel env_key]
    call put_string
    mov rsi, [r15 + 32]
    mov rcx, [r15 + 40]
.env_next:
    test rcx, rcx
    jz .env_end
    lodsb
    call put_byte_hex
    dec rcx
    jmp .env_next
.env_end:
    call put_newline

    ; the raw image: end of file = end of the section header table
    mov rax, [KERNEL_PHYS + 0x28]       ; e_shoff
    movzx ebx, word [KERNEL_PHYS + 0x3A] ; e_shentsize
    movzx ecx, word [KERNEL_PHYS + 0x3C] ; e_shnum
    imul rbx, rcx
    add rax, rbx
    mov r12, rax
    kv "elf_end", r12
    mov rsi, KERNEL_PHYS
    mov rcx, r12
    xor eax, eax
    xor edx, edx
.sum_next:
    test rcx, rcx
    jz .sum_end
    mov dl, [rsi]
    add rax, rdx
    inc rsi
    dec rcx
    jmp .sum_next
.sum_end:
    kv "img_sum", rax
    ; bytes of the slot after the file must be zero
    mov rsi, KERNEL_PHYS
    add rsi, r12
    mov rcx, [r15 + 8]
    sub rcx, r12
    jbe .no_tail
    call count_nonzero_bytes
    jmp .tail_done
.no_tail:
    xor eax, eax
.tail_done:
    kv "slot_tail_nz", rax

    say "probe: done"
    exit_qemu 0x10

; count_nonzero_qwords - rax = how many of the rcx qwords at rsi are not zero.
count_nonzero_qwords:
    push rsi
    push rcx
    xor eax, eax
.next:
    cmp qword [rsi], 0
    je .zero
    inc rax
.zero:
    add rsi, 8
    loop .next
    pop rcx
    pop rsi
    ret

; sum_bytes - rax = the sum of the rcx bytes at rsi.
sum_bytes:
    push rsi
    push rcx
    push rdx
    xor eax, eax
    xor edx, edx
    test rcx, rcx
    jz .done
.next:
    mov dl, [rsi]
    add rax, rdx
    inc rsi
    loop .next
.done:
    pop rdx
    pop rcx
    pop rsi
    ret

; count_nonzero_bytes - rax = how many of the rcx bytes at rsi are not zero.
count_nonzero_bytes:
    push rsi
    push rcx
    xor eax, eax
    test rcx, rcx
    jz .done
.next:
    cmp byte [rsi], 0
    je .zero
    inc rax
.zero:
    inc rsi
    loop .next
.done:
    pop rcx
    pop rsi
    ret

e820_key: db "e820=", 0
env_key:  db "env=", 0
