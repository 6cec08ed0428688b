; kfault: pointers and lengths validate.rs lets through by mistake. The kernel itself faults on a
; non-canonical pointer, in the calling process's context (ksignal: the process ends with SIGSEGV, the
; kernel goes on). Each in a child. The kernel prints the fault with ITS registers (kernel addresses, a time value): those dump
; lines are the kernel's own, not comparable between the port and the original (nor between runs).
; 1. bits 48.. of a pointer are ignored by the page walk (QUIRKS.md V3): clock_gettime writes the time
;    through a non-canonical alias of a .bss address: a general protection fault.
; 2. len * size_of::<[usize; 2]>() wraps (V1): exec of 2^60 + 1 arguments validates 16 bytes; the
;    kernel's iteration over the slice wraps the same way (end = ptr + len * 16), so it sees ONE
;    argument (the zeros at the end of .bss: an empty one): /bin/child runs with argc 1. No fault.
%include "lib.inc"
section .bss
ts:     resq 2
alignb 4096
lastpage: resb 4096
section .text
global _start
_start:
        line "kfault: start"
        mov rbx, USER_HEAP_OFFSET + 0x1000
        sys SYS_BRK, rbx
        fork
        test rax, rax
        jnz .p1
        mov rcx, 0x0001000000000000
        add rcx, ts
        sys SYS_CLOCK_GETTIME, CLOCK_MONOTONIC, rcx
        report "child: clock_gettime(non-canonical alias of .bss)"
        exit 0
.p1:    mov rbx, rax
        xor ecx, ecx
        call wait_report
        fork
        test rax, rax
        jnz .p2
        mov rsi, (1 << 60) + 1
        mov rdx, lastpage + 4096 - 256
        sys SYS_EXECVE, p_child, p_child_len, rdx, rsi
        report "child: execve(/bin/child, 2^60 + 1 arguments)"
        exit 0
.p2:    mov rbx, rax
        xor ecx, ecx
        call wait_report
        line "kfault: end"
        qemu_exit 0
section .rodata
p_child: db "/bin/child"
p_child_len equ $ - p_child
