; longmode.asm - page tables, the switch to long mode, the 64-bit hand-over to
; the kernel, the GDT, and the application processors' path.

; switch_to_long_mode - cr3, cr4, GDT, EFER and cr0, then the far jump to the
; 64-bit code at %1. Expanded in place: between setting cr0 and the far jump
; the processor runs the old 16-bit code in compatibility mode, so no call or
; return may sit in between.
%macro switch_to_long_mode 1
    mov eax, PML4_ADDR
    mov cr3, eax
    mov eax, cr4
    or eax, CR4_OSFXSR | CR4_PGE | CR4_PAE | CR4_PSE
    mov cr4, eax
    o32 lgdt [gdtr]
    mov ecx, MSR_EFER
    rdmsr
    or eax, EFER_LME | EFER_NXE
    wrmsr
    mov ebx, cr0
    or ebx, CR0_PG | CR0_WP | CR0_PE
    mov cr0, ebx
    jmp GDT_CODE_SEL:%1
%endmacro

; enter_long_mode - build the tables, then go 64-bit:
;   PML4 0x70000: [0] and [510] -> PDP 0x71000, [511] -> the PML4 itself;
;   PDP  0x71000: [0..3] -> page directories 0x72000..0x75000;
;   the page directories map the first 4 GiB with 2 MiB pages.
enter_long_mode:
    cli
    push es
    mov ax, TABLES_SEG
    mov es, ax
    xor edi, edi
    xor eax, eax
    mov ecx, TABLES_BYTES / 4
    a32 rep stosd

    mov dword [es:PML4_ADDR - PML4_ADDR + 0 * 8],   PDP_ADDR | PAGE_PRESENT_RW
    mov dword [es:PML4_ADDR - PML4_ADDR + 510 * 8], PDP_ADDR | PAGE_PRESENT_RW
    mov dword [es:PML4_ADDR - PML4_ADDR + 511 * 8], PML4_ADDR | PAGE_PRESENT_RW
    mov dword [es:PDP_ADDR - PML4_ADDR + 0 * 8], (PD_ADDR + 0 * 0x1000) | PAGE_PRESENT_RW
    mov dword [es:PDP_ADDR - PML4_ADDR + 1 * 8], (PD_ADDR + 1 * 0x1000) | PAGE_PRESENT_RW
    mov dword [es:PDP_ADDR - PML4_ADDR + 2 * 8], (PD_ADDR + 2 * 0x1000) | PAGE_PRESENT_RW
    mov dword [es:PDP_ADDR - PML4_ADDR + 3 * 8], (PD_ADDR + 3 * 0x1000) | PAGE_PRESENT_RW

    mov edi, PD_ADDR - PML4_ADDR
    mov ebx, PAGE_HUGE_PRESENT_RW
    mov cx, PD_ENTRIES
.fill_pd:
    mov [es:edi], ebx
    add ebx, 0x200000
    add edi, 8
    loop .fill_pd
    pop es

    switch_to_long_mode long_mode_entry

; ---- 0x87F1: the call into the kernel ----------------------------------------
; The kernel's own backtrace prints this return address (0x87F4), so it sits
; at a fixed place; long_mode_entry jumps here with rax = KERNEL_PHYS.
    bits 64
place_at CALL_SITE_ADDR
call_kernel:
    call [rax + KERNEL_ENTRY_FIELD]
.returned:
    cli
    hlt
    jmp .returned

; ---- 0x8836: the GDT pseudo-descriptor, 0x8840: the GDT -----------------------
; The limit is one more than the last byte's offset (0x19 for 24 bytes), as
; the boot contract has it.
place_at GDTR_ADDR
gdtr:
    dw gdt.end - gdt + 1
    dq gdt

place_at GDT_ADDR
gdt:
    dq 0                        ; null
    dw 0, 0                     ; code: limit 15:0, base 15:0
    db 0, 0x98, 0x20, 0         ;   base 23:16, present code, long mode, base 31:24
    dw 0, 0                     ; data: limit 15:0, base 15:0
    db 0, 0x92, 0x00, 0         ;   base 23:16, present writable data, flags, base 31:24
.end:
    dw 0                        ; the 2 bytes the limit covers past the table are zero, as the original's

; long_mode_entry - data segments, the kernel stack, the environment block
; copied onto the top of that stack, the arguments, then the call.
long_mode_entry:
    mov eax, GDT_DATA_SEL
    mov ds, eax
    mov es, eax
    mov fs, eax
    mov gs, eax
    mov ss, eax

    mov rsi, KERNEL_STACK_BASE
    mov [kernel_args.stack_base], rsi
    mov rcx, KERNEL_STACK_SIZE
    mov [kernel_args.stack_size], rcx
    lea rsp, [rsi + rcx]

    mov esi, CONFIG_ADDR + CFG_ENV
    mov ecx, [CONFIG_ADDR + CFG_ENV_SIZE]
    mov [kernel_args.env_size], rcx
.copy_env:                      ; last byte first, so the block keeps its order
    test rcx, rcx
    jz .env_copied
    dec rcx
    mov al, [rsi + rcx]
    dec rsp
    mov [rsp], al
    jmp .copy_env
.env_copied:
    mov [kernel_args.env_base], rsp
    and rsp, -16

    mov edi, kernel_args
    xor ebp, ebp
    mov eax, KERNEL_PHYS
    jmp call_kernel

; ---- application processors --------------------------------------------------
; Entered from ap_entry in real mode. Same FPU/SSE and control registers as
; the boot processor, on the page tables the boot processor built; then the
; stack and entry point the kernel wrote into the trampoline.
    bits 16
ap_start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, BOOT_ADDR
    call init_fpu
    call init_sse
    switch_to_long_mode ap_long_mode

    bits 64
ap_long_mode:
    mov eax, GDT_DATA_SEL
    mov ds, eax
    mov es, eax
    mov fs, eax
    mov gs, eax
    mov ss, eax
    mov rcx, [TRAMP_STACK_END]
    lea rsp, [rcx - 256]
    mov edi, TRAMP_CPU_ID
    mov rax, [TRAMP_CODE]
    mov qword [TRAMP_READY], 1
    jmp rax

    bits 16
