; exec: a program run with arguments (their layout on the new stack), fds across exec (O_CLOEXEC
; closed), a #! script, and every refusal: ENOENT, ENOEXEC (text, too short, 32-bit, a segment
; above 2 GiB, a directory), EACCES (not root), E2BIG. (exec from a vfork child: vforkexec.asm.)
%include "lib.inc"
section .bss
bigargs: resq 2 * 4096
section .text
global _start
_start:
        line "exec: start"
        ; a heap first: clone with CLONE_VM panics the original while the heap is empty (see heapless.asm)
        mov rbx, USER_HEAP_OFFSET + 0x1000
        sys SYS_BRK, rbx
        report "brk(heap + 0x1000)"
        sys SYS_OPEN, p_hello, p_hello_len, O_RDONLY | O_CLOEXEC
        report "open(/etc/hello.txt, O_CLOEXEC)"
        sys SYS_OPEN, p_hello, p_hello_len, O_RDONLY
        report "open(/etc/hello.txt)"

        ; fork + exec with three arguments
        fork
        test rax, rax
        jnz .p1
        sys SYS_EXECVE, p_child, p_child_len, args3, 3
        report "exec returned"
        exit 1
.p1:    mov rbx, rax
        xor ecx, ecx
        call wait_report

        ; no arguments at all
        fork
        test rax, rax
        jnz .p2
        sys SYS_EXECVE, p_child_rel, p_child_rel_len, 0, 0
        report "exec returned"
        exit 1
.p2:    mov rbx, rax
        xor ecx, ecx
        call wait_report

        ; a script: #!/bin/child  script-arg1 script-arg2
        fork
        test rax, rax
        jnz .p3
        sys SYS_EXECVE, p_script, p_script_len, args3, 2
        report "exec returned"
        exit 1
.p3:    mov rbx, rax
        xor ecx, ecx
        call wait_report

        ; refusals, in this process (exec returns)
        sys SYS_EXECVE, p_missing, p_missing_len, 0, 0
        report "exec(/bin/missing)"
        sys SYS_EXECVE, p_text, p_text_len, 0, 0
        report "exec(/bin/text)"
        sys SYS_EXECVE, p_short, p_short_len, 0, 0
        report "exec(/bin/short)"
        sys SYS_EXECVE, p_elf32, p_elf32_len, 0, 0
        report "exec(/bin/elf32)"
        sys SYS_EXECVE, p_high, p_high_len, 0, 0
        report "exec(/bin/high)"
        sys SYS_EXECVE, p_bin, p_bin_len, 0, 0
        report "exec(/bin)"
        sys SYS_EXECVE, p_nosch, p_nosch_len, 0, 0
        report "exec(nosuch:/bin/child)"
        ; 4096 empty arguments: E2BIG (4095 is the limit)
        lea rdi, [bigargs]
        mov rcx, 4096
.fill:  mov qword [rdi], p_child
        mov qword [rdi + 8], 0
        add rdi, 16
        loop .fill
        sys SYS_EXECVE, p_child, p_child_len, bigargs, 4096
        report "exec(/bin/child, 4096 args)"

        ; not root: the initfs's files are 0744, owner 0
        fork
        test rax, rax
        jnz .p5
        sys SYS_SETREUID, 1000, 1000
        report "child setreuid(1000, 1000)"
        sys SYS_EXECVE, p_child, p_child_len, 0, 0
        report "child exec(/bin/child) as 1000"
        exit 2
.p5:    mov rbx, rax
        xor ecx, ecx
        call wait_report

        ; one argument
        fork
        test rax, rax
        jnz .p6
        sys SYS_EXECVE, p_child, p_child_len, args1, 1
        exit 1
.p6:    mov rbx, rax
        xor ecx, ecx
        call wait_report
        line "exec: end"
        qemu_exit 0

section .data
; each argument is (pointer, length)
args3:  dq a0, a0_len, a1, a1_len, a2, a2_len
args1:  dq a0, a0_len
section .rodata
a0: db "/bin/child"
a0_len equ $ - a0
a1: db "first argument"
a1_len equ $ - a1
a2: db "3"
a2_len equ $ - a2
p_hello: db "/etc/hello.txt"
p_hello_len equ $ - p_hello
p_child: db "/bin/child"
p_child_len equ $ - p_child
p_child_rel: db "bin/child"
p_child_rel_len equ $ - p_child_rel
p_script: db "/bin/script"
p_script_len equ $ - p_script
p_missing: db "/bin/missing"
p_missing_len equ $ - p_missing
p_text: db "/bin/text"
p_text_len equ $ - p_text
p_short: db "/bin/short"
p_short_len equ $ - p_short
p_elf32: db "/bin/elf32"
p_elf32_len equ $ - p_elf32
p_high: db "/bin/high"
p_high_len equ $ - p_high
p_bin: db "/bin"
p_bin_len equ $ - p_bin
p_nosch: db "nosuch:/bin/child"
p_nosch_len equ $ - p_nosch
