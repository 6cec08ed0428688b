; efault: pointers the kernel must refuse (validate.rs): unmapped, kernel space, read-only for a
; write, a length that wraps, a slice that runs off its mapping; and len 0, which needs no mapping.
%include "lib.inc"
%define KERNEL_PTR 0xFFFFFF0000080000
%define UNMAPPED   0x0000100000000000
section .bss
buf:    resb 64
stat:   resb 128
ts:     resq 2
fds:    resq 2
act:    resq 4
section .text
global _start
_start:
        line "efault: start"
        sys SYS_WRITE, 1, KERNEL_PTR, 8
        report "write(1, kernel)"
        sys SYS_WRITE, 1, UNMAPPED, 8
        report "write(1, unmapped)"
        sys SYS_WRITE, 1, 0, 8
        report "write(1, null)"
        sys SYS_WRITE, 1, 0, 0
        report "write(1, null, 0)"
        sys SYS_WRITE, 1, buf, -1
        report "write(1, buf, -1)"
        sys SYS_WRITE, 1, 0x1000, -0x1000
        report "write(1, 0x1000, wrapping)"
        mov rax, lastbyte
        sub rax, 3
        sys SYS_WRITE, 1, rax, 8
        report "write(1, off the end of .bss)"
        sys SYS_READ, 0, _start, 8
        report "read(0, .text)"
        sys SYS_READ, 0, p_hello, 8
        report "read(0, .rodata)"
        sys SYS_OPEN, 0, 5, O_RDONLY
        report "open(null)"
        sys SYS_OPEN, KERNEL_PTR, 5, O_RDONLY
        report "open(kernel)"
        sys SYS_CHMOD, KERNEL_PTR, 5, 0
        report "chmod(kernel)"
        sys SYS_RMDIR, UNMAPPED, 5
        report "rmdir(unmapped)"
        sys SYS_UNLINK, UNMAPPED, 5
        report "unlink(unmapped)"
        sys SYS_CHDIR, KERNEL_PTR, 5
        report "chdir(kernel)"
        sys SYS_GETCWD, p_hello, 16
        report "getcwd(.rodata)"
        sys SYS_FSTAT, 1, KERNEL_PTR, 128
        report "fstat(1, kernel)"
        sys SYS_FPATH, 1, UNMAPPED, 16
        report "fpath(1, unmapped)"
        sys SYS_DUP, 1, KERNEL_PTR, 4
        report "dup(1, kernel)"
        sys SYS_DUP2, 1, 20, KERNEL_PTR, 4
        report "dup2(1, 20, kernel)"
        sys SYS_FRENAME, 1, KERNEL_PTR, 4
        report "frename(1, kernel)"
        sys SYS_FUTIMENS, 1, UNMAPPED, 16
        report "futimens(1, unmapped)"
        sys SYS_NANOSLEEP, KERNEL_PTR, 0
        report "nanosleep(kernel)"
        mov qword [ts], 0
        mov qword [ts + 8], 1000
        sys SYS_NANOSLEEP, ts, p_hello
        report "nanosleep(ts, .rodata)"
        sys SYS_CLOCK_GETTIME, CLOCK_MONOTONIC, UNMAPPED
        report "clock_gettime(unmapped)"
        sys SYS_CLOCK_GETTIME, CLOCK_MONOTONIC, p_hello
        report "clock_gettime(.rodata)"
        sys SYS_FUTEX, KERNEL_PTR, FUTEX_WAKE, 1, 0, 0
        report "futex(kernel)"
        sys SYS_FUTEX, p_hello, FUTEX_WAKE, 1, 0, 0
        report "futex(.rodata)"
        sys SYS_PIPE2, p_hello, 0
        report "pipe2(.rodata)"
        sys SYS_PIPE2, UNMAPPED, 0
        report "pipe2(unmapped)"
        sys SYS_SIGACTION, SIGUSR1, KERNEL_PTR, 0, 0
        report "sigaction(act kernel)"
        sys SYS_SIGACTION, SIGUSR1, 0, p_hello, 0
        report "sigaction(oldact .rodata)"
        sys SYS_SIGACTION, SIGUSR1, act, act, 0
        report "sigaction(act, oldact) good"
        sys SYS_WAITPID, 0, KERNEL_PTR, WNOHANG
        report "waitpid(0, kernel, WNOHANG)"
        sys SYS_EXECVE, KERNEL_PTR, 5, 0, 0
        report "execve(kernel path)"
        sys SYS_EXECVE, p_child, p_child_len, KERNEL_PTR, 1
        report "execve(child, kernel args)"
        sys SYS_EXECVE, p_child, p_child_len, badargs, 1
        report "execve(child, arg pointing to kernel)"
        sys SYS_MKNS, KERNEL_PTR, 1
        report "mkns(kernel)"
        sys SYS_MKNS, badargs, 1
        report "mkns(name pointing to kernel)"
        sys SYS_FSTATVFS, 1, UNMAPPED, 64
        report "fstatvfs(1, unmapped)"
        ; (pointers validate.rs lets through by mistake, which fault in the kernel: kfault.asm)
        line "efault: end"
        qemu_exit 0

section .data
badargs: dq KERNEL_PTR, 4
section .rodata
p_hello: db "/etc/hello.txt, read only"
p_child: db "/bin/child"
p_child_len equ $ - p_child
section .bss
alignb 4096
lastpage: resb 4095
lastbyte: resb 1
