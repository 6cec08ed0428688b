; gpdeadlock: write(1, p) with p a non-canonical alias of a user page. validate.rs passes it (the page
; walk ignores bits 48..), the debug scheme copies the bytes to COM1 while holding the serial port's
; lock, the copy takes a general protection fault, and the fault handler's println spins on that same
; lock: the original hangs with COM1 silent. The boot ends as the harness's Idle (or its timeout).
%include "lib.inc"
section .text
global _start
_start:
        line "gpdeadlock: start"
        mov rcx, 0x0001000000000000
        add rcx, msg
        line "gpdeadlock: write(1, non-canonical alias of .rodata)"
        sys SYS_WRITE, 1, rcx, msg_len
        report "write returned"
        qemu_exit 0
section .rodata
msg: db "never printed", 10
msg_len equ $ - msg
