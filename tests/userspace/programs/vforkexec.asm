; vforkexec: exec from a vfork child (clone CLONE_VM | CLONE_VFORK). The child shares the parent's
; user page tables (clone copies the PML4 entry of the image), so exec's empty() cannot unmap the
; image the parent still holds, and mapping the new program's first segment finds its page taken:
; the original panics ("400000: Set to ...: requesting ..."), and so the boot ends.
%include "lib.inc"
section .text
global _start
_start:
        line "vforkexec: start"
        mov rbx, USER_HEAP_OFFSET + 0x1000
        sys SYS_BRK, rbx
        report "brk(heap + 0x1000)"
        sys SYS_CLONE, CLONE_VM | CLONE_VFORK
        test rax, rax
        jnz .parent
        sys SYS_EXECVE, p_child, p_child_len, args1, 1
        report "vfork child: exec returned"
        exit 1
.parent:
        mov rbx, rax
        line "parent: resumed after the vfork child's exec"
        xor ecx, ecx
        call wait_report
        line "vforkexec: end"
        qemu_exit 0
section .data
args1:  dq p_child, p_child_len
section .rodata
p_child: db "/bin/child"
p_child_len equ $ - p_child
