; exit.asm - a test kernel that says hello on COM1 and leaves QEMU through
; isa-debug-exit with value 0x2A (QEMU exit status 0x55).
%include "serial.inc"
    global _start
_start:
    say "exit kernel: hello"
    say "exit kernel: leaving with 0x2a"
    exit_qemu 0x2A
