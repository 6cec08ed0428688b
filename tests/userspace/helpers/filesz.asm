; A hand-made x86_64 ELF (nasm -f bin: the headers are written here, no linker) whose one PT_LOAD segment
; has p_filesz > p_memsz (QUIRKS.md EXEC2). exec checks only the segment's address; exec_noreturn maps
; p_memsz + voff bytes (whole pages, zeroed) and then copies p_filesz bytes of the file to p_vaddr.
;   default (bin/filesz-page): p_filesz ends inside the one page p_memsz maps: the bytes past p_memsz are the
;     file's line below, not zeros. The program writes them to debug: as they are and exits with the number of
;     non-zero bytes from p_memsz to the page's end (a loader that honoured p_memsz would leave 0 there).
;   -DFAULT (bin/filesz-fault): p_filesz runs 16 bytes past that page: exec's copy writes to the unmapped user
;     page 0x401000 from the kernel, after the point of no return (the program itself never runs).
; Built into build/userspace/initfs-stop by tests/userspace/Makefile; driven by stop/filesz.asm (user-filesz).
bits 64
%include "redox.inc"
        org 0x400000
ehdr:   db 0x7F, "ELF", 2, 1, 1, 0     ; ELFCLASS64, little-endian, version 1, System V
        times 8 db 0
        dw 2                            ; e_type: ET_EXEC
        dw 0x3E                         ; e_machine: x86_64
        dd 1                            ; e_version
        dq _start                       ; e_entry
        dq phdr - ehdr                  ; e_phoff
        dq 0                            ; e_shoff: no sections
        dd 0                            ; e_flags
        dw phdr - ehdr                  ; e_ehsize (64)
        dw phdr_end - phdr              ; e_phentsize (56)
        dw 1                            ; e_phnum
        dw 0, 0, 0                      ; e_shentsize, e_shnum, e_shstrndx
phdr:   dd 1                            ; p_type: PT_LOAD
        dd 5                            ; p_flags: PF_R | PF_X
        dq 0                            ; p_offset
        dq ehdr                         ; p_vaddr 0x400000
        dq ehdr                         ; p_paddr
        dq file_end - ehdr              ; p_filesz
        dq mem_end - ehdr               ; p_memsz: the headers and the code only
        dq 0x1000                       ; p_align
phdr_end:

_start:
%ifdef FAULT
        sys SYS_EXIT, 99                ; never reached: exec faults while copying this file
%else
        sys SYS_WRITE, 1, mem_end, past_len
        ; count the non-zero bytes from p_memsz to the end of the page
        xor ebx, ebx
        mov rsi, mem_end
.count: cmp rsi, 0x401000
        jae .done
        cmp byte [rsi], 0
        je .next
        inc rbx
.next:  inc rsi
        jmp .count
.done:  sys SYS_EXIT, rbx
%endif
mem_end:
; ---- past p_memsz: in the file only
%ifdef FAULT
        times 0x1010 - ($ - ehdr) db 0  ; p_filesz = 0x1010: the last 16 bytes go to the page at 0x401000
%else
        db "filesz-page: this line lies past p_memsz, copied from the file", 10
past_len equ $ - mem_end
%endif
file_end:
