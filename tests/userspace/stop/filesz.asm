; filesz: exec of a PT_LOAD segment whose p_filesz is larger than its p_memsz (QUIRKS.md EXEC2), the two
; hand-made ELFs of helpers/filesz.asm, each in a forked child:
;   /bin/filesz-page: the copy ends inside the mapped page: the child prints the file's bytes past p_memsz and
;     exits with their count (non-zero bytes from p_memsz to the page's end); this parent prints waitpid's status.
;   /bin/filesz-fault: the copy runs into the unmapped page 0x401000: the kernel faults on a user address inside
;     exec_noreturn, which holds the context's write lock, and the page fault handler's ksignal spins on that
;     lock's read (interrupts off): the machine hangs after "SIGNAL 11", and the waitpid below never returns.
; Built into build/userspace/initfs-stop only (scenario user-filesz), with bin/filesz-page and bin/filesz-fault.
%include "lib.inc"
section .text
global _start
_start:
        line "filesz: start"

        fork
        test rax, rax
        jnz .p1
        sys SYS_EXECVE, p_page, p_page_len, 0, 0
        report "filesz: exec(/bin/filesz-page) returned"
        exit 1
.p1:    mov rbx, rax
        xor ecx, ecx
        call wait_report

        fork
        test rax, rax
        jnz .p2
        sys SYS_EXECVE, p_fault, p_fault_len, 0, 0
        report "filesz: exec(/bin/filesz-fault) returned"
        exit 1
.p2:    mov rbx, rax
        xor ecx, ecx
        call wait_report
        line "filesz: end"              ; not on the original: the kernel hangs in the child's exec
        qemu_exit 0
section .rodata
p_page: db "/bin/filesz-page"
p_page_len equ $ - p_page
p_fault: db "/bin/filesz-fault"
p_fault_len equ $ - p_fault
