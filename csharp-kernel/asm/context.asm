; context/arch/x86_64.rs: the register save/restore of a context switch, and the two
; interrupt-enabling idle instructions of interrupt/mod.rs (enable_and_halt, enable_and_nop).
; Reached from C# through [RuntimeImport] (hal/ContextSwitch.cs).
BITS 64
DEFAULT REL
SECTION .text

%include "macros.inc"

GLOBAL hal_context_switch, hal_context_entry, hal_enable_and_halt, hal_enable_and_nop

; The layout of Kernel.context.arch.Context (src/context/arch/x86_64.cs), 88 bytes as the original's:
%define CTX_LOADABLE 0x00
%define CTX_FX       0x08
%define CTX_CR3      0x10
%define CTX_RFLAGS   0x18
%define CTX_RBX      0x20
%define CTX_R12      0x28
%define CTX_R13      0x30
%define CTX_R14      0x38
%define CTX_R15      0x40
%define CTX_RBP      0x48
%define CTX_RSP      0x50

; hal_context_switch(rdi = &mut self Context, rsi = &mut next Context): Context::switch_to.
; FX state saved to self.fx; next's restored if loadable, else fninit. CR3 saved, and loaded
; only when it differs. RFLAGS, RBX, R12-R15, RSP and RBP saved and loaded; `ret` then
; continues on next's stack (where next's own switch_to call returns, or a new context's entry).
hal_context_switch:
    mov rax, [rdi + CTX_FX]
    fxsave64 [rax]
    mov byte [rdi + CTX_LOADABLE], 1
    cmp byte [rsi + CTX_LOADABLE], 0
    je .no_fx
    mov rax, [rsi + CTX_FX]
    fxrstor64 [rax]
    jmp .fx_done
.no_fx:
    fninit
.fx_done:
    mov rax, cr3
    mov [rdi + CTX_CR3], rax
    mov rcx, [rsi + CTX_CR3]
    cmp rcx, rax
    je .cr3_done
    mov cr3, rcx
.cr3_done:
    pushfq
    pop qword [rdi + CTX_RFLAGS]
    push qword [rsi + CTX_RFLAGS]
    popfq
    mov [rdi + CTX_RBX], rbx
    mov rbx, [rsi + CTX_RBX]
    mov [rdi + CTX_R12], r12
    mov r12, [rsi + CTX_R12]
    mov [rdi + CTX_R13], r13
    mov r13, [rsi + CTX_R13]
    mov [rdi + CTX_R14], r14
    mov r14, [rsi + CTX_R14]
    mov [rdi + CTX_R15], r15
    mov r15, [rsi + CTX_R15]
    mov [rdi + CTX_RSP], rsp
    mov rsp, [rsi + CTX_RSP]
    mov [rdi + CTX_RBP], rbp
    mov rbp, [rsi + CTX_RBP]
    ret

; A new context's first `ret` lands here (ContextList.Spawn puts this address below the function's,
; which is at the top of the kernel stack as the original puts it). The function is entered with the
; stack the System V ABI expects (8 mod 16 at entry), which the generated code's SSE stores assume
; (NATIVEAOT.md: "Stack alignment"); rbp is 0, so a stack trace ends there.
hal_context_entry:
    pop rax
    and rsp, -16
    xor ebp, ebp
    call rax
.hang:
    cli
    hlt
    jmp .hang

; interrupt::enable_and_halt: sti; hlt (the interrupt is taken after the hlt).
hal_enable_and_halt:
    sti
    hlt
    ret

; interrupt::enable_and_nop: sti; nop (one instruction for a pending interrupt to be taken).
hal_enable_and_nop:
    sti
    nop
    ret

GLOBAL hal_context_entry_address
hal_context_entry_address:
    lea rax, [hal_context_entry]
    ret

; context/arch/x86_64.rs signal_handler_wrapper: a context's switch_to returns here when
; context::switch gave it a signal (Context::signal_stack pushed sig, the handler, then this).
; The scratch registers are saved in the original's order (so that [rsp] is its
; SignalHandlerStack: r11 .. rax, handler, sig, rip), the handler is called with rdi = sig on
; the 16-aligned stack the compiled code assumes, and the registers, handler and sig are popped
; before the `ret` to where the context was going.
GLOBAL hal_signal_handler_wrapper, hal_signal_handler_wrapper_address
hal_signal_handler_wrapper:
    scratch_push
    mov rax, [rsp + 9 * 8]
    mov rdi, [rsp + 10 * 8]
    push rbp
    mov rbp, rsp
    and rsp, -16
    cld
    call rax
    mov rsp, rbp
    pop rbp
    scratch_pop
    add rsp, 16
    ret

hal_signal_handler_wrapper_address:
    lea rax, [hal_signal_handler_wrapper]
    ret
