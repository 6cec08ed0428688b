; clone: fork, vfork and threads (clone with CLONE_VM / FILES / FS / SIGHAND), waitpid with exit
; statuses, WNOHANG, pid and process-group forms, ECHILD, and the kernel's "Hack for rustc".
%include "lib.inc"
section .data
shared: dq 0
section .bss
cwd:    resb 64
section .text
global _start
_start:
        line "clone: start"
        ; a heap first: clone with CLONE_VM panics the original while the heap is empty (see heapless.asm)
        mov rbx, USER_HEAP_OFFSET + 0x1000
        sys SYS_BRK, rbx
        report "brk(heap + 0x1000)"
        ; fork: the child has a copy of memory
        mov qword [shared], 1
        fork
        test rax, rax
        jnz .p1
        mov qword [shared], 2
        sys SYS_GETPPID
        report "fork child: getppid"
        sys SYS_GETPID
        report "fork child: getpid"
        exit 42
.p1:    mov r12, rax
        mov rbx, r12
        xor ecx, ecx
        call wait_report
        say "parent after fork: shared = "
        mov rax, [shared]
        call putdec
        call newline
        mov rbx, r12
        xor ecx, ecx
        call wait_report        ; reaped already: ECHILD

        ; vfork: the parent is blocked until the child exits (or execs)
        mov r12, 0
        sys SYS_CLONE, CLONE_VM | CLONE_VFORK
        test rax, rax
        jnz .p2
        mov qword [shared], 3
        line "vfork child: runs first"
        exit 7
.p2:    mov r12, rax
        say "parent after vfork: shared = "
        mov rax, [shared]
        call putdec
        call newline
        mov rbx, r12
        xor ecx, ecx
        call wait_report

        ; a thread: CLONE_VM shares memory (its stack is a copy), FILES shares the table
        sys SYS_CLONE, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND
        test rax, rax
        jnz .p3
        mov qword [shared], 4
        sys SYS_OPEN, p_hello, p_hello_len, O_RDONLY
        report "thread: open"
        sys SYS_CHDIR, p_etc, p_etc_len
        report "thread: chdir(/etc)"
        exit 0x1FF              ; only the low 8 bits remain
.p3:    mov r12, rax
        mov rbx, r12
        xor ecx, ecx
        call wait_report
        say "parent after thread: shared = "
        mov rax, [shared]
        call putdec
        call newline
        sys SYS_FPATH, 3, cwd, 64
        report "parent: fpath(3) opened by the thread"
        sys SYS_GETCWD, cwd, 64
        report "parent: getcwd after the thread's chdir"
        sys SYS_CHDIR, p_root, p_root_len

        ; fork without FILES: the child's close does not close the parent's
        fork
        test rax, rax
        jnz .p4
        sys SYS_CLOSE, 3
        report "fork child: close(3)"
        exit 0
.p4:    mov rbx, rax
        xor ecx, ecx
        call wait_report
        sys SYS_FPATH, 3, cwd, 64
        report "parent: fpath(3) after the child's close"

        ; WNOHANG before the child exits; the child waits for a pipe byte
        sys SYS_PIPE2, fds, 0
        fork
        test rax, rax
        jnz .p5
        sys SYS_READ, [fds], cwd, 1
        exit 5
.p5:    mov r12, rax
        mov rbx, r12
        mov ecx, WNOHANG
        call wait_report
        sys SYS_WRITE, [fds + 8], p_root, 1
        mov rbx, r12
        xor ecx, ecx
        call wait_report

        ; waitpid(0) and waitpid(-pgid): any child / the group's child
        fork
        test rax, rax
        jnz .p6
        exit 11
.p6:    mov rbx, 0
        xor ecx, ecx
        call wait_report
        sys SYS_GETPGID, 0
        mov r13, rax
        fork
        test rax, rax
        jnz .p7
        exit 12
.p7:    mov rbx, r13
        neg rbx
        xor ecx, ecx
        call wait_report

        ; a grandchild waited for by its grandparent: the kernel's "Hack for rustc"
        fork
        test rax, rax
        jnz .p8
        fork
        test rax, rax
        jnz .c8
        exit 21
.c8:    ; the middle child exits at once, its child is handed to init
        exit 20
.p8:    mov r12, rax
        mov rbx, r12
        xor ecx, ecx
        call wait_report
        mov rbx, r12
        inc rbx                 ; the grandchild's pid
        xor ecx, ecx
        call wait_report

        ; no such child
        mov rbx, 999
        xor ecx, ecx
        call wait_report
        mov rbx, 0
        mov ecx, WNOHANG
        call wait_report
        line "clone: end"
        qemu_exit 0

section .bss
fds:    resq 2
section .rodata
p_hello: db "/etc/hello.txt"
p_hello_len equ $ - p_hello
p_etc: db "/etc"
p_etc_len equ $ - p_etc
p_root: db "initfs:"
p_root_len equ $ - p_root
