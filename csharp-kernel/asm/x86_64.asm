; The port's privileged instructions: every one the C# code needs, and nothing else.
; Each is a leaf function with the System V calling convention (rdi, rsi, rdx; result in rax),
; reached from C# through [RuntimeImport] (hal/Cpu.cs, hal/Port.cs).
BITS 64
DEFAULT REL
SECTION .text

GLOBAL hal_inb, hal_outb, hal_inw, hal_outw, hal_ind, hal_outd
GLOBAL hal_halt, hal_cli, hal_sti, hal_pause

hal_inb:
    mov edx, edi
    in al, dx
    movzx eax, al
    ret
hal_outb:
    mov edx, edi
    mov eax, esi
    out dx, al
    ret
hal_inw:
    mov edx, edi
    in ax, dx
    movzx eax, ax
    ret
hal_outw:
    mov edx, edi
    mov eax, esi
    out dx, ax
    ret
hal_ind:
    mov edx, edi
    in eax, dx
    ret
hal_outd:
    mov edx, edi
    mov eax, esi
    out dx, eax
    ret
hal_halt:
    hlt
    ret
hal_cli:
    cli
    ret
hal_sti:
    sti
    ret
hal_pause:
    pause
    ret

; NativeAOT calls these around methods exported to native code ([RuntimeExport]). The kernel
; has no garbage collector and no managed threads to transition, so they do nothing.
GLOBAL RhpReversePInvoke, RhpReversePInvokeReturn
RhpReversePInvoke:
RhpReversePInvokeReturn:
    ret
SECTION .note.GNU-stack noalloc noexec nowrite progbits

SECTION .text
; Atomics (hal/Atomic.cs). x86 is TSO: a plain load is acquire; stores and read-modify-writes
; are locked so that they are sequentially consistent, as Rust's SeqCst.
GLOBAL hal_atomic_load, hal_atomic_store, hal_atomic_cmpxchg, hal_atomic_fetch_add
hal_atomic_load:            ; (u64* p) -> u64
    mov rax, [rdi]
    ret
hal_atomic_store:           ; (u64* p, u64 v)
    xchg [rdi], rsi
    ret
hal_atomic_cmpxchg:         ; (u64* p, u64 expected, u64 new) -> previous value
    mov rax, rsi
    lock cmpxchg [rdi], rdx
    ret
hal_atomic_fetch_add:       ; (u64* p, u64 v) -> previous value
    mov rax, rsi
    lock xadd [rdi], rax
    ret

; Registers (hal/Cpu.cs)
GLOBAL hal_read_rbp, hal_read_rsp
hal_read_rbp:
    mov rax, rbp
    ret
hal_read_rsp:
    lea rax, [rsp + 8]
    ret

; stackalloc'd buffers are guarded by a cookie the generated code checks on return; a mismatch
; (a stack buffer overrun) calls RhpFallbackFailFast, which panics (src/panic.cs).
SECTION .data
GLOBAL __security_cookie
__security_cookie: dq 0x2B992DDFA232

SECTION .text
GLOBAL RhpFallbackFailFast
EXTERN kernel_fail_fast
RhpFallbackFailFast:
    and rsp, -16
    call kernel_fail_fast
.hang:
    cli
    hlt
    jmp .hang

SECTION .text
; NativeAOT calls this in the prologue of a function whose frame is larger than a page, with
; r11 = the lowest address the new frame will use (the prologue then does `mov rsp, r11`, so r11
; must come back unchanged; rax is free): every page between the stack pointer and r11 is touched
; in order, so that a guard page below the stack is hit rather than jumped over.
GLOBAL RhpStackProbe
RhpStackProbe:
    mov rax, rsp
    and rax, -4096
.probe:
    sub rax, 4096
    test dword [rax], eax
    cmp rax, r11
    ja .probe
    ret
