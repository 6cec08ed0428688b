; fault: CPU exceptions in user mode end the process through ksignal (the kernel prints the
; exception, the registers and "SIGNAL n"): a page fault writing to 0, a read of kernel memory,
; a write to .text, an execute of .data, ud2, a division by zero, int3, a privileged hlt.
; Each case runs in a forked child; the parent prints the child's exit status.
%include "lib.inc"
section .data
datacode: db 0xC3
current: dq 0
section .text
global _start
_start:
        line "fault: start"
        mov r13, 0
.next:  mov rax, [cases + r13 * 8]
        test rax, rax
        jz .end
        mov [current], rax
        fork
        test rax, rax
        jnz .parent
        ; a clone child starts with r12-r15 and rbp as the kernel left them (kernel addresses, not the
        ; parent's values): it takes the case from memory, and sets every register for the dump
        mov rax, [current]
        mov rbp, 0x7777
        mov r13, 0xDDDD
        mov rbx, 0x1111
        mov rcx, 0x2222
        mov rdx, 0x3333
        mov rsi, 0x4444
        mov rdi, 0x5555
        mov r8, 0x8888
        mov r9, 0x9999
        mov r10, 0xAAAA
        mov r11, 0xBBBB
        mov r12, 0xCCCC
        mov r14, 0xEEEE
        mov r15, 0xFFFF
        jmp rax
.parent:
        mov rbx, rax
        xor ecx, ecx
        call wait_report
        inc r13
        jmp .next
.end:   line "fault: end"
        qemu_exit 0

case_write_null:
        mov qword [0], 1
        exit 1
case_read_kernel:
        mov rax, 0xFFFFFF0000080000
        mov rax, [rax]
        exit 1
case_write_text:
        mov byte [case_write_text], 0x90
        exit 1
case_exec_data:
        mov rax, datacode
        call rax
        exit 1
case_ud2:
        ud2
case_div0:
        xor edx, edx
        xor eax, eax
        div rax
        exit 1
case_int3:
        int3
        line "after int3"
        exit 1
case_hlt:
        hlt
        exit 1

section .data
cases:  dq case_write_null, case_read_kernel, case_write_text, case_exec_data
        dq case_ud2, case_div0, case_int3, case_hlt, 0
