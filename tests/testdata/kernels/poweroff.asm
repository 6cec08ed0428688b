; poweroff.asm - a test kernel that powers the machine off through ACPI S5, as the
; original's kstop does on QEMU's q35 and pc: SLP_TYPa 0 | SLP_EN (bit 13) written to
; the FADT's PM1a control block, port 0x604 on both machines.
%include "serial.inc"
    global _start
_start:
    say "poweroff kernel: SLP_EN to PM1a_CNT"
    mov dx, 0x604
    mov ax, 0x2000
    out dx, ax
    say "poweroff kernel: still alive"
    cli
.stop:
    hlt
    jmp .stop
