; env: the env: scheme: the listing (the boot's environment block, as kmain parsed it), reading,
; creating, writing, truncating and removing variables; a fork's copy and a thread's sharing.
%include "lib.inc"
%include "dump.inc"
section .text
global _start
_start:
        line "env: start"
        ; a heap first: clone with CLONE_VM panics the original while the heap is empty (see heapless.asm)
        mov rbx, USER_HEAP_OFFSET + 0x1000
        sys SYS_BRK, rbx
        report "brk(heap + 0x1000)"
        dump "env:"
        dump "env:HOME"
        dump "env:MISSING"
        sys SYS_OPEN, p_new, p_new_len, O_WRONLY | O_CREAT
        report "open(env:NEW, O_CREAT)"
        mov r12, rax
        sys SYS_WRITE, r12, val, val_len
        report "write(env:NEW)"
        sys SYS_LSEEK, r12, 0, SEEK_END
        report "lseek(env:NEW, END)"
        sys SYS_FTRUNCATE, r12, 5
        report "ftruncate(env:NEW, 5)"
        sys SYS_FSYNC, r12
        report "fsync(env:NEW)"
        sys SYS_FPATH, r12, dumpbuf, 64
        report "fpath(env:NEW)"
        call dump_lines
        sys SYS_CLOSE, r12
        dump "env:NEW"
        dump "env:"

        fork
        test rax, rax
        jnz .p1
        sys SYS_UNLINK, p_new, p_new_len
        report "fork child: unlink(env:NEW)"
        dump "env:"
        exit 0
.p1:    mov rbx, rax
        xor ecx, ecx
        call wait_report
        dump "env:NEW"
        sys SYS_CLONE, CLONE_VM
        test rax, rax
        jnz .p2
        sys SYS_UNLINK, p_new, p_new_len
        report "thread: unlink(env:NEW)"
        exit 0
.p2:    mov rbx, rax
        xor ecx, ecx
        call wait_report
        dump "env:NEW"
        sys SYS_UNLINK, p_new, p_new_len
        report "unlink(env:NEW) again"
        sys SYS_OPEN, p_new, p_new_len, O_RDONLY
        report "open(env:NEW)"
        line "env: end"
        qemu_exit 0
section .rodata
p_new: db "env:NEW"
p_new_len equ $ - p_new
val: db "a value"
val_len equ $ - val
