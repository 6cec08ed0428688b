; spin.asm - a test kernel that prints a few lines and then spins forever.
%include "serial.inc"
    global _start
_start:
    say "spin kernel: line 1"
    say "spin kernel: line 2"
    say "spin kernel: spinning now"
    cli
.spin:
    jmp .spin
