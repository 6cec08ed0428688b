; The kernel's per-CPU variables (Rust's #[thread_local] statics of the original), as an explicit
; ELF TLS image: initialised ones in .tdata, zeroed ones in .tbss. kernel.ld places them between
; __tdata_start and __tbss_end; paging::init_tcb copies that image to
; KERNEL_PERCPU_OFFSET + KERNEL_PERCPU_SIZE * cpu, and stores the copy's end at fs:0 (FS base =
; end - 8), as the original does. hal_thread_local reaches a variable of the running CPU the way
; the original's initial-exec code does: fs:0 (the block's end) + (its place in the image - the
; image's end). C# reaches them through Kernel.Hal.Registers.ThreadLocal(TLS_*).
BITS 64
DEFAULT REL

; Access byte and flags of a descriptor (gdt.rs's GDT_A_* / GDT_F_* values)
%define A_PRESENT    0x80
%define A_RING_0     0x00
%define A_RING_3     0x60
%define A_SYSTEM     0x10
%define A_EXECUTABLE 0x08
%define A_PRIVILEGE  0x02
%define A_TSS_AVAIL  0x09
%define F_LONG_MODE  0x20

; One 8-byte GDT entry, laid out as gdt.cs's GdtEntry.New(offset, limit, access, flags) lays it out.
%macro gdt_entry 4
    dw (%2) & 0xFFFF                            ; limitl
    dw (%1) & 0xFFFF                            ; offsetl
    db ((%1) >> 16) & 0xFF                      ; offsetm
    db (%3)                                     ; access
    db ((%4) & 0xF0) | (((%2) >> 16) & 0x0F)    ; flags_limith
    db ((%1) >> 24) & 0xFF                      ; offseth
%endmacro

SECTION .tdata progbits alloc write tls align=8
; start.rs: TDATA_TEST_NONZERO, a usize of all ones
tls_tdata_test_nonzero:
    dq 0xFFFFFFFFFFFFFFFF
; gdt.rs: GDT, 9 entries
tls_gdt:
    gdt_entry 0, 0, 0, 0                                                                        ; null
    gdt_entry 0, 0, A_PRESENT | A_RING_0 | A_SYSTEM | A_EXECUTABLE | A_PRIVILEGE, F_LONG_MODE   ; kernel code
    gdt_entry 0, 0, A_PRESENT | A_RING_0 | A_SYSTEM | A_PRIVILEGE, F_LONG_MODE                  ; kernel data
    gdt_entry 0, 0, A_PRESENT | A_RING_0 | A_SYSTEM | A_PRIVILEGE, F_LONG_MODE                  ; kernel TLS
    gdt_entry 0, 0, A_PRESENT | A_RING_3 | A_SYSTEM | A_EXECUTABLE | A_PRIVILEGE, F_LONG_MODE   ; user code
    gdt_entry 0, 0, A_PRESENT | A_RING_3 | A_SYSTEM | A_PRIVILEGE, F_LONG_MODE                  ; user data
    gdt_entry 0, 0, A_PRESENT | A_RING_3 | A_SYSTEM | A_PRIVILEGE, F_LONG_MODE                  ; user TLS
    gdt_entry 0, 0, A_PRESENT | A_RING_3 | A_TSS_AVAIL, 0                                       ; TSS (DPL 3: kept)
    gdt_entry 0, 0, 0, 0                                                                        ; TSS, upper half
; gdt.rs: TSS, the x86 crate's packed 104-byte TaskStateSegment, iomap_base 0xFFFF
tls_tss:
    dd 0                ; reserved
    times 3 dq 0        ; rsp[0..3]
    dq 0                ; reserved2
    times 7 dq 0        ; ist[0..7]
    dq 0                ; reserved3
    dw 0                ; reserved4
    dw 0xFFFF           ; iomap_base

SECTION .tbss nobits alloc write tls align=8
; gdt.rs: GDTR, the packed {u16 limit; u64 base}
tls_gdtr:
    resb 10
    resb 6              ; to the next 8-byte boundary
; start.rs: TBSS_TEST_ZERO
tls_tbss_test_zero:
    resq 1
; lib.rs: CPU_ID
tls_cpu_id:
    resq 1
; context/mod.rs: CONTEXT_ID
tls_context_id:
    resq 1

SECTION .rodata
; Kernel.Hal.Registers.TLS_* -> the variable's place in the image
tls_template:
    dq tls_tdata_test_nonzero   ; 0 TLS_TDATA_TEST_NONZERO
    dq tls_gdt                  ; 1 TLS_GDT
    dq tls_tss                  ; 2 TLS_TSS
    dq tls_gdtr                 ; 3 TLS_GDTR
    dq tls_tbss_test_zero       ; 4 TLS_TBSS_TEST_ZERO
    dq tls_cpu_id               ; 5 TLS_CPU_ID
    dq tls_context_id           ; 6 TLS_CONTEXT_ID

SECTION .text
GLOBAL hal_thread_local
EXTERN __tbss_end
hal_thread_local:           ; (u32 which) -> this CPU's copy of variable `which`
    mov edi, edi
    lea rax, [tls_template]
    mov rax, [rax + rdi * 8]
    lea rcx, [__tbss_end]
    sub rax, rcx
    add rax, [fs:0]
    ret

SECTION .note.GNU-stack noalloc noexec nowrite progbits
