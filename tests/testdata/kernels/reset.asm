; reset.asm - a test kernel that asks for a machine reset through the
; keyboard controller (command 0xFE on port 0x64) instead of faulting.
%include "serial.inc"
    global _start
_start:
    say "reset kernel: pulsing the reset line"
    mov al, 0xFE
    out 0x64, al
    cli
.stop:
    hlt
    jmp .stop
