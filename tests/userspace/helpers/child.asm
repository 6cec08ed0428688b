; child: what exec hands a program. Prints its argument count and each argument as the kernel laid
; them out on the stack (argc, then (len, pointer) pairs), its name (sys:exe) and whether fds
; 0..4 are open, then exits with status 40 + argc.
%include "lib.inc"
section .bss
buf:    resb 256
section .text
global _start
_start:
        mov r12, [rsp]          ; argc
        lea r13, [rsp + 8]      ; (len, ptr) pairs
        say "child: argc = "
        mov rax, r12
        call putdec
        call newline
        xor r14, r14
.arg:   cmp r14, r12
        jae .args_done
        say "child: arg "
        mov rax, r14
        call putdec
        say " = '"
        mov rdx, [r13]
        mov rsi, [r13 + 8]
        call puts
        say "'"
        call newline
        add r13, 16
        inc r14
        jmp .arg
.args_done:
        sys SYS_OPEN, p_exe, p_exe_len, O_RDONLY
        mov r15, rax
        sys SYS_READ, r15, buf, 255
        cmp rax, -4095
        jae .noexe
        dec rax                 ; drop the newline
        mov rdx, rax
        say "child: sys:exe = '"
        lea rsi, [buf]
        call puts
        say "'"
        call newline
.noexe: sys SYS_CLOSE, r15
        xor r14, r14
.fd:    cmp r14, 5
        jae .fds_done
        sys SYS_FPATH, r14, buf, 255
        say "child: fpath("
        push rax
        mov rax, r14
        call putdec
        pop rax
        say ") = "
        call putres
        call newline
        inc r14
        jmp .fd
.fds_done:
        lea rbx, [r12 + 40]
        sys SYS_EXIT, rbx
section .rodata
p_exe: db "sys:exe"
p_exe_len equ $ - p_exe
