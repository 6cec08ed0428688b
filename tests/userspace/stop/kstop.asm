; kstop: init's program (context 2) kills context 1, kmain's own context, with SIGKILL. At its next
; switch (kill switches at once, to deliver a signal to its caller) context 1 takes the default
; action, exit(9), and exit of context 1 prints
; "Main kernel thread exited with status 9" and calls kstop (syscall/process.rs): ACPI S5, which
; powers QEMU off. Built into build/userspace/initfs-stop only (scenario user-kstop).
%include "lib.inc"
section .text
global _start
_start:
        sys SYS_GETPID
        report "kstop: getpid"
        sys SYS_KILL, 1, SIGKILL
        report "kstop: kill(1, SIGKILL)"    ; never printed: kill switches to context 1, which stops the machine
        mov r12, 100
.again: sys SYS_YIELD
        dec r12
        jnz .again
        line "kstop: context 1 still runs after 100 yields"
        qemu_exit 1
