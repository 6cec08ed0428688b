; Control registers, MSRs, the TLB and the descriptor-table registers (hal/Registers.cs).
; Leaf functions, System V calling convention.
BITS 64
DEFAULT REL
SECTION .text

GLOBAL hal_read_cr0, hal_write_cr0, hal_read_cr2, hal_read_cr3, hal_write_cr3, hal_read_cr4, hal_write_cr4
GLOBAL hal_rdmsr, hal_wrmsr, hal_invlpg, hal_flush_tlb
GLOBAL hal_lgdt, hal_lidt, hal_ltr, hal_sgdt, hal_sidt
GLOBAL hal_load_cs, hal_load_ds, hal_load_es, hal_load_fs, hal_load_gs, hal_load_ss

hal_read_cr0:
    mov rax, cr0
    ret
hal_write_cr0:
    mov cr0, rdi
    ret
hal_read_cr2:
    mov rax, cr2
    ret
hal_read_cr3:
    mov rax, cr3
    ret
hal_write_cr3:
    mov cr3, rdi
    ret
hal_read_cr4:
    mov rax, cr4
    ret
hal_write_cr4:
    mov cr4, rdi
    ret

hal_rdmsr:                  ; (u32 msr) -> u64
    mov ecx, edi
    rdmsr
    shl rdx, 32
    or rax, rdx
    ret

hal_invlpg:                 ; (u64 address)
    invlpg [rdi]
    ret
hal_flush_tlb:              ; reload CR3
    mov rax, cr3
    mov cr3, rax
    ret

hal_lgdt:                   ; (DescriptorTablePointer* p): 2-byte limit, 8-byte base
    lgdt [rdi]
    ret
hal_lidt:
    lidt [rdi]
    ret
hal_sgdt:
    sgdt [rdi]
    ret
hal_sidt:
    sidt [rdi]
    ret
hal_ltr:                    ; (u16 selector)
    ltr di
    ret

hal_load_cs:                ; (u16 selector): far return into the new code segment
    pop rax
    movzx rdi, di
    push rdi
    push rax
    retfq
hal_load_ds:
    mov ds, di
    ret
hal_load_es:
    mov es, di
    ret
hal_load_fs:
    mov fs, di
    ret
hal_load_gs:
    mov gs, di
    ret
hal_load_ss:
    mov ss, di
    ret

SECTION .note.GNU-stack noalloc noexec nowrite progbits

; The linker script's section bounds (Kernel.Hal.Registers.LinkerSymbol), what the original reads
; as `&__text_start as *const u8 as usize` and so on.
SECTION .rodata
linker_symbols:
    dq __text_start, __text_end, __rodata_start, __rodata_end, __data_start, __data_end
    dq __tdata_start, __tdata_end, __tbss_start, __tbss_end, __bss_start, __bss_end
EXTERN __text_start, __text_end, __rodata_start, __rodata_end, __data_start, __data_end
EXTERN __tdata_start, __tdata_end, __tbss_start, __tbss_end, __bss_start, __bss_end

SECTION .text
GLOBAL hal_linker_symbol
hal_linker_symbol:          ; (u32 which) -> address
    mov edi, edi
    lea rax, [linker_symbols]
    mov rax, [rax + rdi * 8]
    ret
SECTION .note.GNU-stack noalloc noexec nowrite progbits

; hal_wrmsr is an observation point (csharp-kernel/observe.toml [pat]: the observer keeps a breakpoint on it for the whole
; run), so it has a page of .text to itself: QEMU runs every instruction of a page that holds a breakpoint as a
; translation block of its own, looked up with every breakpoint compared, and this page would otherwise hold the other
; helpers here and every interrupt, syscall and context-switch entry (harness/Observe/README.md, fifth pass).
SECTION .text.observed progbits alloc exec nowrite align=4096
hal_wrmsr:                  ; (u32 msr, u64 value)
    mov ecx, edi
    mov eax, esi
    mov rdx, rsi
    shr rdx, 32
    wrmsr
    ret
    align 4096, int3
