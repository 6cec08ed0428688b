; loader.asm - the project's BIOS loader as one flat binary: the boot sector
; (512 bytes, LBA 0) followed by stage two (LBA 1.., loaded at 0x7E00), whose
; tail is the config block the image builder fills in. The kernel itself is
; not part of this binary; the image builder places it after stage two.
;
; Assemble: nasm -f bin -I <this folder>/ -o loader.bin loader.asm

%include "layout.inc"

; Put the next byte at a fixed physical address. A negative TIMES count (code
; grew past the address) stops the assembly, so the fixed addresses of the boot
; contract cannot drift silently.
%macro place_at 1
    times (%1) - BOOT_ADDR - ($ - $$) db 0
%endmacro

    org BOOT_ADDR
    bits 16

%include "boot.asm"
%include "stage2.asm"
%include "longmode.asm"
%include "config.asm"
