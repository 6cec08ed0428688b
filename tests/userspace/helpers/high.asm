; a program linked at 0x80001000: exec must refuse its segment address
bits 64
global _start
_start:
        mov eax, 1
        mov ebx, 99
        int 0x80
