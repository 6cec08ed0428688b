; mkns: a namespace made with a name that every new namespace already has ("", event, env, memory, sys,
; time: new_ns inserts them). make_ns asserts that inserting the copied name finds none: the original
; panics ("assertion failed: names.insert(...).is_none()"), and so the boot ends. First a good mkns.
%include "lib.inc"
section .text
global _start
_start:
        line "mkns: start"
        sys SYS_MKNS, good, 2
        report "mkns(debug, pipe)"
        sys SYS_MKNS, missing, 1
        report "mkns(nosuch)"
        sys SYS_MKNS, 0, 0
        report "mkns(no names)"
        line "mkns: mkns(event), a name the new namespace has already"
        sys SYS_MKNS, dup, 1
        report "mkns(event)"
        qemu_exit 0
section .data
good:    dq n_debug, 5, n_pipe, 4
missing: dq n_nosuch, 6
dup:     dq n_event, 5
section .rodata
n_debug: db "debug"
n_pipe: db "pipe"
n_nosuch: db "nosuch"
n_event: db "event"
