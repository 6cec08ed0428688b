; ap.asm - a test kernel that starts the second CPU the way Redox's ACPI code
; does: it fills the trampoline at 0x7E00 (ready, cpu_id, page_table,
; stack_start, stack_end, code), sends INIT and a start-up IPI with vector
; 0x08 (the loader's AP entry at 0x8000), and waits until the loader's AP
; path sets ready and the AP's own code has run. Needs -smp 2 or more.

%include "serial.inc"

TRAMP       equ 0x7E00
LAPIC_BASE  equ 0xFEE00000              ; identity-mapped; above 2 GiB, so through a register
ICR_LOW     equ 0x300
ICR_HIGH    equ 0x310
AP_APIC_ID  equ 1
AP_STACK_START equ 0x50000
AP_STACK_END   equ 0x60000

    global _start
_start:
    say "ap kernel: starting cpu 1"
    mov qword [TRAMP], 0                    ; ready
    mov qword [TRAMP + 8], AP_APIC_ID       ; cpu_id
    mov rax, cr3
    mov [TRAMP + 16], rax                   ; page_table
    mov qword [TRAMP + 24], AP_STACK_START
    mov qword [TRAMP + 32], AP_STACK_END
    lea rax, [rel ap_main]
    mov [TRAMP + 40], rax                   ; code

    mov ebx, LAPIC_BASE
    mov dword [rbx + ICR_HIGH], AP_APIC_ID << 24
    mov dword [rbx + ICR_LOW], 0x4500       ; INIT
    call wait_icr
    mov dword [rbx + ICR_HIGH], AP_APIC_ID << 24
    mov dword [rbx + ICR_LOW], 0x4600 | 0x08 ; START-UP at 0x8000
    call wait_icr

    mov ecx, 100000000
.wait:
    cmp qword [rel ap_done], 0
    jne .started
    pause
    loop .wait
    say "ap kernel: cpu 1 did not start"
    exit_qemu 0x11
.started:
    kv "ready", [TRAMP]
    kv "ap_rdi", [rel ap_rdi]
    kv "ap_cpu_id", [rel ap_cpu_id]
    kv "ap_rsp", [rel ap_rsp]
    kv "ap_cr0", [rel ap_cr0]
    kv "ap_cr3", [rel ap_cr3]
    kv "ap_cr4", [rel ap_cr4]
    kv "ap_efer", [rel ap_efer]
    kv "ap_cs", [rel ap_cs]
    kv "ap_ss", [rel ap_ss]
    say "ap kernel: done"
    exit_qemu 0x12

; wait_icr - until the local APIC at rbx has sent the IPI.
wait_icr:
    test dword [rbx + ICR_LOW], 1 << 12     ; delivery pending
    jnz wait_icr
    ret

; The AP arrives here from the loader: rdi = &trampoline.cpu_id, rsp below stack_end.
ap_main:
    mov [rel ap_rdi], rdi
    mov rax, [rdi]
    mov [rel ap_cpu_id], rax
    mov [rel ap_rsp], rsp
    mov rax, cr0
    mov [rel ap_cr0], rax
    mov rax, cr3
    mov [rel ap_cr3], rax
    mov rax, cr4
    mov [rel ap_cr4], rax
    mov ecx, 0xC0000080
    rdmsr
    shl rdx, 32
    or rax, rdx
    mov [rel ap_efer], rax
    xor eax, eax
    mov ax, cs
    mov [rel ap_cs], rax
    mov ax, ss
    mov [rel ap_ss], rax
    mov qword [rel ap_done], 1
    cli
.stop:
    hlt
    jmp .stop

    align 8
ap_done:   dq 0
ap_rdi:    dq 0
ap_cpu_id: dq 0
ap_rsp:    dq 0
ap_cr0:    dq 0
ap_cr3:    dq 0
ap_cr4:    dq 0
ap_efer:   dq 0
ap_cs:     dq 0
ap_ss:     dq 0
