; scheme: a scheme served by a process. The parent opens ":demo" (the root scheme creates a user
; scheme), a child uses "demo:..." through every call a user scheme forwards; the parent reads
; each request packet, prints it and answers it. Then the scheme is closed and gone.
%include "lib.inc"
%define ENOENT 2
%define ENOSYS 38
section .bss
packet: resq 7          ; id, pid, uid|gid, a, b, c, d
cbuf:   resb 64
stat:   resb 128
quit:   resq 1
section .text
global _start
_start:
        line "scheme: start"
        sys SYS_OPEN, p_root, p_root_len, O_CREAT | O_RDWR
        report "open(:demo, O_CREAT)"
        mov r15, rax
        sys SYS_OPEN, p_root, p_root_len, O_CREAT | O_RDWR
        report "open(:demo, O_CREAT) again"
        sys SYS_FEVENT, r15, EVENT_READ
        report "fevent(:demo)"
        sys SYS_FPATH, r15, cbuf, 64
        report "fpath(:demo)"
        fork
        test rax, rax
        jz client
        mov r14, rax

        ; the server loop
.serve: sys SYS_READ, r15, packet, 56
        cmp rax, 56
        je .got
        report "server: read"
        jmp .done
.got:   say "server: request a="
        mov rax, [packet + 24]
        call puthex
        say " pid="
        mov rax, [packet + 8]
        call putdec
        say " uid="
        mov eax, [packet + 16]
        call putdec
        say " b="
        mov rax, [packet + 32]
        call putdec
        mov rax, [packet + 24]
        cmp rax, SYS_OPEN
        je .path
        cmp rax, SYS_UNLINK
        je .path
        cmp rax, SYS_RMDIR
        je .path
        cmp rax, SYS_CHMOD
        je .path
        cmp rax, SYS_WRITE
        je .data
        say " c="
        mov rax, [packet + 40]
        call putdec
        say " d="
        mov rax, [packet + 48]
        call putdec
        jmp .print
.path:  say " path '"                   ; b = the path (a grant), c = its length
        mov rsi, [packet + 32]
        mov rdx, [packet + 40]
        call puts
        say "'"
        jmp .print
.data:  say " data '"                   ; c = the buffer (a grant), d = its length
        mov rsi, [packet + 40]
        mov rdx, [packet + 48]
        call puts
        say "'"
.print: call newline
        call answer
        mov [packet + 24], rax
        sys SYS_WRITE, r15, packet, 56
        cmp rax, 56
        je .next
        report "server: write"
.next:  cmp qword [quit], 0
        je .serve
.done:  mov rbx, r14
        xor ecx, ecx
        call wait_report
        sys SYS_CLOSE, r15
        report "close(:demo)"
        sys SYS_OPEN, p_file, p_file_len, O_RDONLY
        report "open(demo:hello) after close"
        sys SYS_WRITE, r15, packet, 56
        report "write(closed scheme fd)"
        line "scheme: end"
        qemu_exit 0

; answer: rax = the reply to the request in packet
answer:
        mov rax, [packet + 24]
        cmp rax, SYS_OPEN
        jne .notopen
        mov rcx, [packet + 40]
        mov rsi, [packet + 32]
        cmp rcx, 4
        jne .o1
        cmp dword [rsi], 'quit'
        jne .o1
        mov rax, 8                      ; the server stops once id 8 is closed
        ret
.o1:    cmp rcx, 7
        jne .o2
        mov rax, -ENOENT
        ret
.o2:    mov rax, 7
        ret
.notopen:
        cmp rax, SYS_WRITE
        jne .notwrite
        mov rax, [packet + 48]
        ret
.notwrite:
        cmp rax, SYS_READ
        jne .notread
        mov rdi, [packet + 40]
        mov rcx, [packet + 48]
        cmp rcx, served_len
        jbe .r1
        mov rcx, served_len
.r1:    mov rax, rcx
        lea rsi, [served]
        rep movsb
        ret
.notread:
        cmp rax, SYS_FPATH
        jne .notfpath
        mov rdi, [packet + 40]
        mov rcx, p_file_len
        mov rax, rcx
        lea rsi, [p_file]
        rep movsb
        ret
.notfpath:
        cmp rax, SYS_FSTAT
        jne .notfstat
        mov rdi, [packet + 40]
        mov word [rdi + 16], 0x81A4
        mov qword [rdi + 32], 42
        xor eax, eax
        ret
.notfstat:
        cmp rax, SYS_LSEEK
        jne .notseek
        mov rax, [packet + 40]
        ret
.notseek:
        cmp rax, SYS_DUP
        jne .notdup
        mov rax, [packet + 32]
        add rax, 100
        ret
.notdup:
        cmp rax, SYS_CLOSE
        jne .notclose
        cmp qword [packet + 32], 8
        jne .c1
        mov qword [quit], 1
.c1:    xor eax, eax
        ret
.notclose:
        mov rax, -ENOSYS
        ret

client:
        sys SYS_OPEN, p_file, p_file_len, O_RDWR
        report "client: open(demo:hello)"
        mov r12, rax
        sys SYS_WRITE, r12, msg, msg_len
        report "client: write"
        sys SYS_READ, r12, cbuf, 64
        report "client: read"
        mov rdx, rax
        say "  | "
        lea rsi, [cbuf]
        call puts
        call newline
        sys SYS_LSEEK, r12, 5, SEEK_SET
        report "client: lseek(5)"
        sys SYS_FSTAT, r12, stat, 128
        report "client: fstat"
        say "  mode "
        movzx eax, word [stat + 16]
        call puthex
        say " size "
        mov rax, [stat + 32]
        call putdec
        call newline
        sys SYS_FPATH, r12, cbuf, 64
        report "client: fpath"
        sys SYS_DUP, r12, 0, 0
        report "client: dup"
        mov r13, rax
        sys SYS_CLOSE, r13
        report "client: close(dup)"
        sys SYS_FSYNC, r12
        report "client: fsync"
        sys SYS_FTRUNCATE, r12, 3
        report "client: ftruncate"
        sys SYS_FCNTL, r12, F_GETFL, 0
        report "client: fcntl(F_GETFL)"
        sys SYS_CLOSE, r12
        report "client: close"
        sys SYS_OPEN, p_missing, p_missing_len, O_RDONLY
        report "client: open(demo:missing)"
        sys SYS_UNLINK, p_file, p_file_len
        report "client: unlink(demo:hello)"
        sys SYS_OPEN, p_quit, p_quit_len, O_RDONLY
        report "client: open(demo:quit)"
        mov r12, rax
        sys SYS_CLOSE, r12
        report "client: close(demo:quit)"
        exit 0

section .rodata
p_root: db ":demo"
p_root_len equ $ - p_root
p_file: db "demo:hello"
p_file_len equ $ - p_file
p_missing: db "demo:missing"
p_missing_len equ $ - p_missing
p_quit: db "demo:quit"
p_quit_len equ $ - p_quit
msg: db "written by the client"
msg_len equ $ - msg
served: db "served data"
served_len equ $ - served
