; heapless: clone with CLONE_VM (a thread, or vfork) before the heap was ever grown. exec maps the
; heap with size 0, so its PML4 entry is empty, and clone expects it: the original panics
; "user heap not mapped" (syscall/process.rs), and so the boot ends.
%include "lib.inc"
section .text
global _start
_start:
        line "heapless: start"
        sys SYS_BRK, 0
        report "brk(0)"
        line "heapless: clone(CLONE_VM | CLONE_VFORK) with an empty heap"
        sys SYS_CLONE, CLONE_VM | CLONE_VFORK
        report "clone"
        test rax, rax
        jnz .parent
        exit 0
.parent:
        line "heapless: end"
        qemu_exit 0
