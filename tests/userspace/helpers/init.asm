; init: what userspace_init execs. Reads env:TEST (the scenario's environment block, "TEST=name")
; and execs /bin/NAME with the argument list [/bin/NAME]; says why if it cannot, and ends the boot
; through isa-debug-exit with code 1.
%include "lib.inc"
section .bss
path:   resb 128
section .text
global _start
_start:
        mov dword [path], '/bin'
        mov byte [path + 4], '/'
        sys SYS_OPEN, p_test, p_test_len, O_RDONLY
        cmp rax, -4095
        jae .fail
        mov r12, rax
        sys SYS_READ, r12, path + 5, 100
        cmp rax, -4095
        jae .fail
        test rax, rax
        jz .fail
        lea r13, [rax + 5]              ; the path's length
        sys SYS_CLOSE, r12
        mov [arg], r13
        sys SYS_EXECVE, path, r13, args, 1
.fail:  report "init: no program to run (env:TEST, then exec)"
        qemu_exit 1
section .data
args:   dq path
arg:    dq 0
section .rodata
p_test: db "env:TEST"
p_test_len equ $ - p_test
