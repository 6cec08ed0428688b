; futex: WAIT with a changed value (EAGAIN), WAKE with no waiter, a thread woken by WAKE,
; REQUEUE, an unknown op, and a thread sleeping in WAIT woken after the parent's change.
%include "lib.inc"
section .data
word1:  dd 0
word2:  dd 0
timeout: dq 0, 10000000
section .text
global _start
_start:
        line "futex: start"
        ; a heap first: clone with CLONE_VM panics the original while the heap is empty (see heapless.asm)
        mov rbx, USER_HEAP_OFFSET + 0x1000
        sys SYS_BRK, rbx
        report "brk(heap + 0x1000)"
        sys SYS_FUTEX, word1, FUTEX_WAIT, 1, 0, 0
        report "futex(WAIT, 1) while 0"
        sys SYS_FUTEX, word1, FUTEX_WAKE, 1, 0, 0
        report "futex(WAKE) no waiter"
        sys SYS_FUTEX, word1, 77, 0, 0, 0
        report "futex(op 77)"
        sys SYS_FUTEX, word1, FUTEX_REQUEUE, 1, 1, word2
        report "futex(REQUEUE) no waiter"

        ; a thread waits on word1; the parent wakes it (retrying until one is woken)
        sys SYS_CLONE, CLONE_VM | CLONE_FILES | CLONE_FS | CLONE_SIGHAND
        test rax, rax
        jnz .p1
        sys SYS_FUTEX, word1, FUTEX_WAIT, 0, 0, 0
        report "thread: futex(WAIT) returned"
        exit 1
.p1:    mov r12, rax
.wake:  sys SYS_FUTEX, word1, FUTEX_WAKE, 1, 0, 0
        test rax, rax
        jnz .woke
        sys SYS_YIELD
        jmp .wake
.woke:  report "futex(WAKE) woke"
        mov rbx, r12
        xor ecx, ecx
        call wait_report

        ; REQUEUE: a thread waits on word1; the parent moves it to word2 (0 woken, 1 moved)
        ; and wakes word2, retrying until the thread was there to be moved
        sys SYS_CLONE, CLONE_VM | CLONE_FILES | CLONE_FS | CLONE_SIGHAND
        test rax, rax
        jnz .p2
        sys SYS_FUTEX, word1, FUTEX_WAIT, 0, 0, 0
        report "thread: futex(WAIT) returned after the requeue"
        exit 2
.p2:    mov r12, rax
.rq:    sys SYS_FUTEX, word1, FUTEX_REQUEUE, 0, 1, word2
        mov r13, rax
        sys SYS_FUTEX, word2, FUTEX_WAKE, 1, 0, 0
        test rax, rax
        jnz .rqdone
        sys SYS_YIELD
        jmp .rq
.rqdone:
        report "futex(WAKE word2) after REQUEUE"
        mov rax, r13
        report "futex(REQUEUE, 0 woken, 1 moved)"
        mov rbx, r12
        xor ecx, ecx
        call wait_report

        ; WAIT with a timeout (10 ms) that expires
        sys SYS_FUTEX, word1, FUTEX_WAIT, 0, timeout, 0
        report "futex(WAIT, 10 ms timeout)"
        sys SYS_FUTEX, word1, FUTEX_WAIT, 0, 0x10, 0
        report "futex(WAIT, bad timeout pointer)"
        line "futex: end"
        qemu_exit 0
