; brk: the heap at USER_HEAP_OFFSET: query, grow, use, shrink, below the heap (ENOMEM), a fork's
; copy and a thread's sharing of it, a touch past the end (page fault: the child ends with SIGSEGV).
; Last, init shrinks its heap to a size that is not a multiple of a page and exits: Memory::resize
; unmaps the page that holds the new end, and the heap's drop at exit unmaps it again: the original
; panics ("unmap_inner(...): p3 not found"), and so the boot ends.
%include "lib.inc"
%define HEAP USER_HEAP_OFFSET
section .text
global _start
_start:
        line "brk: start"
        sys SYS_BRK, 0
        report "brk(0)"
        call puthex
        call newline
        mov rbx, HEAP + 0x3000
        sys SYS_BRK, rbx
        report "brk(heap + 0x3000)"
        call puthex
        call newline
        mov rdi, HEAP
        mov rcx, 0x3000 / 8
        mov rax, 0x1122334455667788
.fill:  mov [rdi], rax
        add rdi, 8
        inc rax
        loop .fill
        sys SYS_BRK, 0
        report "brk(0)"
        call puthex
        call newline
        mov rbx, HEAP + 0x2000
        sys SYS_BRK, rbx
        report "brk(heap + 0x2000) shrink"
        call puthex
        call newline
        mov rax, HEAP
        mov rax, [rax + 0x1000]
        say "  heap[0x1000] = "
        call puthex
        call newline
        sys SYS_BRK, 0
        report "brk(0)"
        call puthex
        call newline
        sys SYS_BRK, 0x1000
        report "brk(0x1000)"
        mov rbx, HEAP + 0x5000
        sys SYS_BRK, rbx
        report "brk(heap + 0x5000) grow again"
        call puthex
        call newline
        mov rax, HEAP
        mov rax, [rax + 0x4000]
        say "  heap[0x4000] (new) = "
        call puthex
        call newline
        mov rax, HEAP
        mov rax, [rax + 0x1000]
        say "  heap[0x1000] (kept) = "
        call puthex
        call newline

        ; a fork copies the heap; a thread shares it
        fork
        test rax, rax
        jnz .p1
        mov rax, HEAP
        mov qword [rax], 0xC0FFEE
        sys SYS_BRK, 0
        report "fork child: brk(0)"
        call puthex
        call newline
        exit 0
.p1:    mov rbx, rax
        xor ecx, ecx
        call wait_report
        mov rax, HEAP
        mov rax, [rax]
        say "  heap[0] after the fork child wrote = "
        call puthex
        call newline
        sys SYS_CLONE, CLONE_VM
        test rax, rax
        jnz .p2
        mov rax, HEAP
        mov qword [rax], 0xBEEF
        mov rbx, HEAP + 0x6000
        sys SYS_BRK, rbx
        report "thread: brk(heap + 0x6000)"
        exit 0
.p2:    mov rbx, rax
        xor ecx, ecx
        call wait_report
        mov rax, HEAP
        mov rax, [rax]
        say "  heap[0] after the thread wrote = "
        call puthex
        call newline
        sys SYS_BRK, 0
        report "brk(0) after the thread's brk"
        call puthex
        call newline

        ; past the end: SIGSEGV
        fork
        test rax, rax
        jnz .p3
        mov rbx, HEAP + 0x1000
        sys SYS_BRK, rbx
        mov rax, HEAP + 0x2000
        mov qword [rax], 1
        line "not reached"
        exit 0
.p3:    mov rbx, rax
        xor ecx, ecx
        call wait_report
        mov rbx, HEAP + 0x1800
        sys SYS_BRK, rbx
        report "brk(heap + 0x1800) shrink to half a page"
        line "brk: end (exit: the kernel panics in the heap's drop)"
        exit 0
