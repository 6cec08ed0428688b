; The application processors' way into C# (the multi_core feature; nothing here runs unless an
; AP is started). The loader's trampoline (harness/Loader/asm/longmode.asm) enters
; kstart_ap_entry with a jmp, not a call: rsp = trampoline.stack_end - 256 (16-byte aligned) and
; rdi = &trampoline.cpu_id (the packed KernelArgsAp). The System V ABI wants rsp + 8 aligned at a
; function's first instruction, so the stub aligns the stack and calls the C# entry, which never
; returns; if it did, the AP parks.
BITS 64
DEFAULT REL
SECTION .text

EXTERN kstart_ap
GLOBAL kstart_ap_entry, hal_ap_entry

kstart_ap_entry:
    and rsp, -16
    xor ebp, ebp
    call kstart_ap
.park:
    cli
    hlt
    jmp .park

; Kernel.Hal.ApEntry.Address: where the trampoline's `code` field must point.
hal_ap_entry:
    lea rax, [kstart_ap_entry]
    ret
SECTION .note.GNU-stack noalloc noexec nowrite progbits
