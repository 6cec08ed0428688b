; start.rs `usermode(ip, sp, arg)`: the jump to ring 3 (hal/UserMode.cs).
; hal_usermode(rdi = ip, rsi = sp, rdx = arg, rcx = user data selector, r8 = user code selector,
; r9 = user TLS selector). As the original: the iretq frame (SS, RSP, RFLAGS = IF, CS, RIP) and the
; argument are pushed, DS/ES/GS get the data segment and FS the TLS segment, every general register
; is cleared, the FPU reset (fninit), the argument popped into rdi, then iretq.
BITS 64
DEFAULT REL
SECTION .text

GLOBAL hal_usermode
hal_usermode:
    push rcx            ; SS: data segment
    push rsi            ; RSP
    push qword 1 << 9   ; RFLAGS: interrupt enable
    push r8             ; CS: code segment
    push rdi            ; RIP
    push rdx            ; the argument (popped into rdi)
    mov r14, rcx
    mov r15, r9
    mov ds, r14d
    mov es, r14d
    mov fs, r15d
    mov gs, r14d
    xor rax, rax
    xor rbx, rbx
    xor rcx, rcx
    xor rdx, rdx
    xor rsi, rsi
    xor rdi, rdi
    xor rbp, rbp
    xor r8, r8
    xor r9, r9
    xor r10, r10
    xor r11, r11
    xor r12, r12
    xor r13, r13
    xor r14, r14
    xor r15, r15
    fninit
    pop rdi
    iretq

SECTION .note.GNU-stack noalloc noexec nowrite progbits
