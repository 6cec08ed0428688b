; sys: every file of the sys: scheme (context, cpu, exe, iostat, scheme, scheme_num, syscall,
; uname) and its listing; refusals of the scheme.
%include "lib.inc"
%include "dump.inc"
section .bss
fds:    resq 2
buf:    resb 16
section .text
global _start
_start:
        line "sys: start"
        dump "sys:"
        dump "sys:/"
        dump "sys:context"
        dump "sys:cpu"
        dump "sys:exe"
        dump "sys:iostat"
        dump "sys:scheme"
        dump "sys:scheme_num"
        dump "sys:syscall"
        dump "sys:uname"
        dump "sys:missing"
        dump "sys:/uname/"
        sys SYS_OPEN, p_uname, p_uname_len, O_WRONLY
        mov r13, rax
        sys SYS_WRITE, r13, buf, 1
        report "write(sys:uname)"
        sys SYS_LSEEK, r13, 2, SEEK_SET
        report "lseek(sys:uname, 2)"
        sys SYS_READ, r13, buf, 4
        report "read 4 at 2"
        sys SYS_FPATH, r13, dumpbuf, 64
        report "fpath(sys:uname)"
        call dump_lines
        sys SYS_CLOSE, r13
        line "sys: end"
        qemu_exit 0
section .rodata
p_uname: db "sys:uname"
p_uname_len equ $ - p_uname
