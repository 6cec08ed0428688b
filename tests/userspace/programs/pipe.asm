; pipe: pipe2 between processes (data, EOF when the writer closes, a reader blocked until data
; comes), O_NONBLOCK, writing with the reader gone, dup of a pipe end, fstat/fpath of its ends.
%include "lib.inc"
section .bss
fds:    resq 2
fds2:   resq 2
gofds:  resq 2
buf:    resb 256
stat:   resb 128
section .text
global _start
_start:
        line "pipe: start"
        sys SYS_PIPE2, fds, 0
        report "pipe2"
        say "  fds "
        mov rax, [fds]
        call putdec
        say " "
        mov rax, [fds + 8]
        call putdec
        call newline
        sys SYS_FPATH, [fds], buf, 256
        report "fpath(read end)"
        call print_buf
        sys SYS_FPATH, [fds + 8], buf, 256
        report "fpath(write end)"
        call print_buf
        sys SYS_FSTAT, [fds], stat, 128
        report "fstat(read end)"
        sys SYS_WRITE, [fds], msg, 4
        report "write(read end)"
        sys SYS_READ, [fds + 8], buf, 4
        report "read(write end)"

        ; the child blocks on a "go" pipe; the parent writes twice and closes, then says go;
        ; the child reads until EOF
        sys SYS_PIPE2, gofds, 0
        fork
        test rax, rax
        jnz .parent
        sys SYS_CLOSE, [fds + 8]
        sys SYS_READ, [gofds], buf, 1
        report "child: read(go pipe)"
.rd:    sys SYS_READ, [fds], buf, 256
        report "child: read"
        call print_buf
        test rax, rax
        jz .eof
        cmp rax, -4095
        jb .rd
.eof:   exit 0
.parent:
        mov r12, rax
        sys SYS_CLOSE, [fds]
        report "parent: close(read end)"
        sys SYS_WRITE, [fds + 8], msg, msg_len
        report "parent: write"
        sys SYS_WRITE, [fds + 8], msg2, msg2_len
        report "parent: write"
        sys SYS_DUP, [fds + 8], 0, 0
        report "parent: dup(write end)"
        mov r13, rax
        sys SYS_CLOSE, [fds + 8]
        report "parent: close(write end)"
        sys SYS_CLOSE, r13
        report "parent: close(dup of write end)"
        sys SYS_WRITE, [gofds + 8], msg, 1
        mov rbx, r12
        xor ecx, ecx
        call wait_report

        ; O_NONBLOCK: nothing to read
        sys SYS_PIPE2, fds2, O_NONBLOCK
        report "pipe2(O_NONBLOCK)"
        sys SYS_READ, [fds2], buf, 16
        report "read(empty, nonblocking)"
        sys SYS_FCNTL, [fds2], F_GETFL, 0
        report "fcntl(F_GETFL)"
        call puthex
        call newline
        sys SYS_WRITE, [fds2 + 8], msg, 5
        report "write 5"
        sys SYS_READ, [fds2], buf, 2
        report "read 2"
        call print_buf
        sys SYS_READ, [fds2], buf, 16
        report "read rest"
        call print_buf
        ; the reader closes: what does a write give?
        sys SYS_CLOSE, [fds2]
        report "close(read end)"
        sys SYS_WRITE, [fds2 + 8], msg, 5
        report "write with no reader"
        sys SYS_CLOSE, [fds2 + 8]
        report "close(write end)"
        ; the writer closes first: read gives 0
        sys SYS_PIPE2, fds2, 0
        sys SYS_WRITE, [fds2 + 8], msg, 3
        sys SYS_CLOSE, [fds2 + 8]
        sys SYS_READ, [fds2], buf, 16
        report "read after the writer closed"
        sys SYS_READ, [fds2], buf, 16
        report "read again"
        sys SYS_PIPE2, fds2, O_CLOEXEC
        report "pipe2(O_CLOEXEC)"
        sys SYS_FCNTL, [fds2], F_GETFD, 0
        report "fcntl(F_GETFD)"
        sys SYS_PIPE2, fds2, 0xFFFF
        report "pipe2(bad flags)"
        ; the pipe scheme opened by name
        sys SYS_OPEN, p_pipe, p_pipe_len, O_RDWR
        report "open(pipe:)"
        line "pipe: end"
        qemu_exit 0

print_buf:
        cmp rax, -4095
        jae .done
        test rax, rax
        jz .done
        push rax
        say "  | "
        lea rsi, [buf]
        mov rdx, rax
        call puts
        call newline
        pop rax
.done:  ret

section .rodata
msg:    db "hello through the pipe"
msg_len equ $ - msg
msg2:   db "; second write"
msg2_len equ $ - msg2
p_pipe: db "pipe:"
p_pipe_len equ $ - p_pipe
