; schemes: the schemes not covered elsewhere: the root scheme ("" : listing and creation rules),
; event: (a pipe's readiness through fevent), memory: (fstatvfs), irq:, pipe:, null paths.
%include "lib.inc"
%include "dump.inc"
section .bss
fds:    resq 2
ev:     resq 3          ; Event: id, flags, data
vfs:    resb 64
buf:    resb 64
section .text
global _start
_start:
        line "schemes: start"
        dump ":"
        dump "/"
        ; the root scheme creates schemes for root only
        fork
        test rax, rax
        jnz .p0
        sys SYS_SETREUID, 1000, 1000
        sys SYS_OPEN, p_new, p_new_len, O_CREAT
        report "child as 1000: open(:made, O_CREAT)"
        exit 0
.p0:    mov rbx, rax
        xor ecx, ecx
        call wait_report
        sys SYS_OPEN, p_new, p_new_len, O_RDONLY
        report "open(:made) without O_CREAT"

        ; event:
        sys SYS_OPEN, p_event, p_event_len, O_RDWR
        report "open(event:)"
        mov r12, rax
        sys SYS_PIPE2, fds, 0
        report "pipe2"
        sys SYS_FEVENT, [fds], EVENT_READ
        report "fevent(pipe read end, READ)"
        mov rbx, r12
        mov qword [ev], 0
        mov rax, [fds]
        mov [ev], rax
        mov qword [ev + 8], EVENT_READ
        mov qword [ev + 16], 0
        sys SYS_WRITE, r12, ev, 24
        report "write(event:, watch the pipe)"
        sys SYS_WRITE, [fds + 8], p_event, 3
        report "write(pipe, 3)"
        sys SYS_READ, r12, ev, 24
        report "read(event:)"
        say "  event id "
        mov rax, [ev]
        call putdec
        say " flags "
        mov rax, [ev + 8]
        call putdec
        say " data "
        mov rax, [ev + 16]
        call putdec
        call newline
        sys SYS_FPATH, r12, buf, 64
        report "fpath(event:)"
        sys SYS_CLOSE, r12
        report "close(event:)"

        ; memory:
        sys SYS_OPEN, p_memory, p_memory_len, O_RDONLY
        report "open(memory:)"
        mov r12, rax
        sys SYS_FSTATVFS, r12, vfs, 64
        report "fstatvfs(memory:)"
        say "  bsize "
        mov eax, [vfs]
        call putdec
        call newline
        sys SYS_FPATH, r12, buf, 64
        report "fpath(memory:)"
        sys SYS_READ, r12, buf, 8
        report "read(memory:)"
        sys SYS_FMAP, r12, 0, 4096
        okreport "fmap(memory:)"
        sys SYS_CLOSE, r12
        report "close(memory:)"

        ; irq:
        dump "irq:"
        sys SYS_OPEN, p_irq, p_irq_len, O_RDWR
        report "open(irq:5)"
        mov r12, rax
        sys SYS_FPATH, r12, buf, 64
        report "fpath(irq:5)"
        sys SYS_WRITE, r12, buf, 4
        report "write(irq:5, 4 bytes)"
        sys SYS_FEVENT, r12, EVENT_READ
        report "fevent(irq:5)"
        sys SYS_CLOSE, r12
        report "close(irq:5)"
        sys SYS_OPEN, p_irqbad, p_irqbad_len, O_RDWR
        report "open(irq:99)"
        sys SYS_OPEN, p_irqx, p_irqx_len, O_RDWR
        report "open(irq:x)"
        fork
        test rax, rax
        jnz .p1
        sys SYS_SETREUID, 1000, 1000
        sys SYS_OPEN, p_irq, p_irq_len, O_RDWR
        report "child as 1000: open(irq:5)"
        exit 0
.p1:    mov rbx, rax
        xor ecx, ecx
        call wait_report
        line "schemes: end"
        qemu_exit 0

section .rodata
p_new: db ":made"
p_new_len equ $ - p_new
p_event: db "event:"
p_event_len equ $ - p_event
p_memory: db "memory:"
p_memory_len equ $ - p_memory
p_irq: db "irq:5"
p_irq_len equ $ - p_irq
p_irqbad: db "irq:99"
p_irqbad_len equ $ - p_irqbad
p_irqx: db "irq:x"
p_irqx_len equ $ - p_irqx
