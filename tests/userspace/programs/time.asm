; time: nanosleep (with and without rem, a zero sleep, nanoseconds over a second), clock_gettime
; for both clocks and an unknown one, the time: scheme; values are not printed (they follow the
; timer), only results and orderings.
%include "lib.inc"
section .data
req:    dq 0, 20000000          ; 20 ms
zero:   dq 0, 0
big:    dq 0, 1500000000        ; 1.5 s in nanoseconds: the kernel takes it as it is
section .bss
rem:    resq 2
t1:     resq 2
t2:     resq 2
buf:    resb 64
section .text
global _start
_start:
        line "time: start"
        sys SYS_CLOCK_GETTIME, CLOCK_MONOTONIC, t1
        report "clock_gettime(MONOTONIC)"
        sys SYS_NANOSLEEP, req, 0
        report "nanosleep(20 ms, no rem)"
        sys SYS_CLOCK_GETTIME, CLOCK_MONOTONIC, t2
        report "clock_gettime(MONOTONIC)"
        call elapsed
        say "  at least 20 ms passed: "
        cmp rax, 20000000
        setae al
        movzx eax, al
        call putdec
        call newline
        mov qword [rem], -1
        mov qword [rem + 8], -1
        sys SYS_NANOSLEEP, req, rem
        report "nanosleep(20 ms, rem)"
        say "  rem "
        mov rax, [rem]
        call putdec
        say " "
        mov rax, [rem + 8]
        call putdec
        call newline
        sys SYS_NANOSLEEP, zero, 0
        report "nanosleep(0)"
        sys SYS_NANOSLEEP, big, 0
        report "nanosleep(1.5e9 ns)"
        sys SYS_CLOCK_GETTIME, CLOCK_REALTIME, t1
        report "clock_gettime(REALTIME)"
        say "  after 2018: "
        cmp qword [t1], 1514764800
        setae al
        movzx eax, al
        call putdec
        call newline
        sys SYS_CLOCK_GETTIME, 3, t1
        report "clock_gettime(3)"
        sys SYS_CLOCK_GETTIME, 0, t1
        report "clock_gettime(0)"

        ; the time: scheme: time:N reads clock N's TimeSpec
        sys SYS_OPEN, p_mono, p_mono_len, O_RDONLY
        report "open(time:4)"
        mov r12, rax
        sys SYS_READ, r12, buf, 16
        report "read(time:4, 16)"
        sys SYS_READ, r12, buf, 8
        report "read(time:4, 8)"
        sys SYS_FPATH, r12, buf, 64
        report "fpath(time:4)"
        mov rdx, rax
        say "  | "
        lea rsi, [buf]
        call puts
        call newline
        ; a write to time: sets a timeout: reading then blocks until it passes
        sys SYS_CLOCK_GETTIME, CLOCK_MONOTONIC, t1
        mov rax, [t1 + 8]
        add rax, 30000000
        mov rcx, [t1]
        cmp rax, 1000000000
        jb .nocarry
        sub rax, 1000000000
        inc rcx
.nocarry:
        mov [t2], rcx
        mov [t2 + 8], rax
        sys SYS_WRITE, r12, t2, 16
        report "write(time:4, now + 30 ms)"
        sys SYS_CLOSE, r12
        report "close(time:4)"
        sys SYS_OPEN, p_real, p_real_len, O_RDONLY
        report "open(time:1)"
        sys SYS_OPEN, p_bad, p_bad_len, O_RDONLY
        report "open(time:2)"
        sys SYS_OPEN, p_none, p_none_len, O_RDONLY
        report "open(time:)"
        sys SYS_OPEN, p_word, p_word_len, O_RDONLY
        report "open(time:x)"
        line "time: end"
        qemu_exit 0

; rax = t2 - t1 in nanoseconds
elapsed:
        mov rax, [t2]
        sub rax, [t1]
        imul rax, rax, 1000000000
        add rax, [t2 + 8]
        sub rax, [t1 + 8]
        ret

section .rodata
p_mono: db "time:4"
p_mono_len equ $ - p_mono
p_real: db "time:1"
p_real_len equ $ - p_real
p_bad: db "time:2"
p_bad_len equ $ - p_bad
p_none: db "time:"
p_none_len equ $ - p_none
p_word: db "time:x"
p_word_len equ $ - p_word
