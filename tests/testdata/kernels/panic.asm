; panic.asm - a test kernel that prints a panic the way Redox does (a line
; starting "PANIC:", a few more lines) and then halts for good.
%include "serial.inc"
    global _start
_start:
    say "panic kernel: booting"
    say "PANIC: deliberate test panic"
    say "FILE: panic.asm"
    say "LINE: 9"
    cli
.stop:
    hlt
    jmp .stop
