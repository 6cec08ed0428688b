; identity: the process's ids, namespaces, working directory, yield, and numbers the dispatcher
; does not know (ENOSYS in each class).
%include "lib.inc"
section .bss
cwd:    resb 256

section .text
global _start
_start:
        line "identity: start"
        sys SYS_GETPID
        report "getpid"
        sys SYS_GETPPID
        report "getppid"
        sys SYS_GETPGID, 0
        report "getpgid(0)"
        sys SYS_GETPGID, 1
        report "getpgid(1)"
        sys SYS_GETPGID, 9999
        report "getpgid(9999)"
        sys SYS_GETUID
        report "getuid"
        sys SYS_GETEUID
        report "geteuid"
        sys SYS_GETGID
        report "getgid"
        sys SYS_GETEGID
        report "getegid"
        sys SYS_GETNS
        report "getns"
        sys SYS_GETENS
        report "getens"
        sys SYS_YIELD
        report "sched_yield"

        sys SYS_GETCWD, cwd, 256
        report "getcwd"
        call print_cwd
        sys SYS_GETCWD, cwd, 3
        report "getcwd(len 3)"
        sys SYS_CHDIR, p_bin, p_bin_len
        report "chdir(initfs:/bin)"
        sys SYS_GETCWD, cwd, 256
        call print_cwd
        sys SYS_CHDIR, p_rel, p_rel_len
        report "chdir(../etc)"
        sys SYS_GETCWD, cwd, 256
        call print_cwd
        sys SYS_CHDIR, p_missing, p_missing_len
        report "chdir(initfs:/missing)"
        sys SYS_CHDIR, p_file, p_file_len
        report "chdir(initfs:/etc/hello.txt)"
        sys SYS_GETCWD, cwd, 256
        call print_cwd
        sys SYS_CHDIR, p_root, p_root_len
        report "chdir(initfs:)"

        ; process group
        sys SYS_SETPGID, 0, 0
        report "setpgid(0, 0)"
        sys SYS_GETPGID, 0
        report "getpgid(0)"
        sys SYS_SETPGID, 1, 5
        report "setpgid(1, 5)"
        sys SYS_SETPGID, 9999, 0
        report "setpgid(9999, 0)"

        ; ids and namespaces in a child, which then exits
        fork
        test rax, rax
        jnz .parent
        sys SYS_SETREGID, 100, 200
        report "child setregid(100, 200)"
        sys SYS_GETGID
        report "child getgid"
        sys SYS_GETEGID
        report "child getegid"
        sys SYS_MKNS, names, 2
        report "child mkns(debug, initfs)"
        mov r12, rax
        sys SYS_SETRENS, r12, r12
        report "child setrens(ns, ns)"
        sys SYS_GETNS
        report "child getns"
        sys SYS_GETENS
        report "child getens"
        sys SYS_OPEN, p_sys, p_sys_len, O_RDONLY
        report "child open(sys:) in the new namespace"
        sys SYS_OPEN, p_hello, p_hello_len, O_RDONLY
        report "child open(initfs:/etc/hello.txt)"
        sys SYS_SETREUID, 1000, 1000
        report "child setreuid(1000, 1000)"
        sys SYS_GETUID
        report "child getuid"
        sys SYS_GETEUID
        report "child geteuid"
        sys SYS_SETREUID, 0, 0
        report "child setreuid(0, 0) as 1000"
        sys SYS_MKNS, names, 1
        report "child mkns as 1000"
        sys SYS_SETRENS, 1, 1
        report "child setrens(1, 1) as 1000"
        sys SYS_SETRENS, 0, 0
        report "child setrens(0, 0)"
        sys SYS_SETRENS, r12, r12
        report "child setrens(ns, ns) from 0"
        exit 3
.parent:
        mov rbx, rax
        xor ecx, ecx
        call wait_report

        ; numbers the dispatcher does not know
        sys 9999, 0, 0, 0
        report "syscall 9999"
        sys SYS_LINK, p_root, p_root_len
        report "link"
        sys SYS_CLASS_PATH | 99, p_root, p_root_len
        report "path class 99"
        sys SYS_CLASS_FILE | 99, 1, 0, 0
        report "file class 99 on fd 1"
        sys SYS_CLASS_FILE | 99, 77, 0, 0
        report "file class 99 on fd 77"
        line "identity: end"
        qemu_exit 0

print_cwd:
        cmp rax, -4095
        jae .no
        mov rdx, rax
        say "  cwd '"
        lea rsi, [cwd]
        call puts
        say "'"
        call newline
.no:    ret

section .data
names:  dq n_debug, 5, n_initfs, 6
section .rodata
n_debug: db "debug"
n_initfs: db "initfs"
p_bin: db "initfs:/bin"
p_bin_len equ $ - p_bin
p_rel: db "../etc"
p_rel_len equ $ - p_rel
p_missing: db "initfs:/missing"
p_missing_len equ $ - p_missing
p_file: db "initfs:/etc/hello.txt"
p_file_len equ $ - p_file
p_root: db "initfs:"
p_root_len equ $ - p_root
p_sys: db "sys:"
p_sys_len equ $ - p_sys
p_hello: db "initfs:/etc/hello.txt"
p_hello_len equ $ - p_hello
