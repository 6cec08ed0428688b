; triple.asm - a test kernel that triple-faults: an IDT of limit 0 makes the
; breakpoint, then the double fault, unreachable.
%include "serial.inc"
    global _start
_start:
    say "triple kernel: loading an empty IDT"
    lidt [rel empty_idt]
    int3
    say "triple kernel: still alive?"
    exit_qemu 0x01
    align 8
empty_idt:
    dw 0
    dq 0
