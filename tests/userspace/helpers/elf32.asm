; a 32-bit program: exec must refuse it (ELF class 1)
bits 32
global _start
_start:
        mov eax, 1
        int 0x80
