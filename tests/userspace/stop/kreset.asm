; kreset: init's program (context 2) kills context 1, kmain's own context, with SIGTERM. At its next
; switch (kill switches at once) context 1 takes the default action, exit(15), and exit of context 1 with status
; SIGTERM prints "Main kernel thread exited with status F" and calls kreset (syscall/process.rs):
; the 8042's reset pulse, which resets QEMU (-no-reboot: QEMU ends). Built into
; build/userspace/initfs-stop only (scenario user-kreset).
%include "lib.inc"
section .text
global _start
_start:
        sys SYS_GETPID
        report "kreset: getpid"
        sys SYS_KILL, 1, SIGTERM
        report "kreset: kill(1, SIGTERM)"   ; never printed: kill switches to context 1, which resets the machine
        mov r12, 100
.again: sys SYS_YIELD
        dec r12
        jnz .again
        line "kreset: context 1 still runs after 100 yields"
        qemu_exit 1
