; The live disk of the `live` feature (-p:PortFeatures=live; scheme/live.cs): the bytes between
; __live_start and __live_end, in .data (the scheme writes to them), as the original's build placed
; a disk image between those two symbols. The image is the file -p:LiveDisk=FILE names (passed here
; as LIVE_DISK); without one the disk is empty (__live_start = __live_end). Assembled only in a
; `live` build (Kernel.csproj): asm/*.asm does not include this folder.
SECTION .data
GLOBAL __live_start, __live_end
__live_start:
%ifdef LIVE_DISK
    incbin LIVE_DISK
%endif
__live_end:

SECTION .text
GLOBAL hal_live_bound
hal_live_bound:             ; (u32 which) -> address: 0 = __live_start, 1 = __live_end
    mov rax, __live_start
    test edi, edi
    jz .done
    mov rax, __live_end
.done:
    ret

SECTION .note.GNU-stack noalloc noexec nowrite progbits
