; Interrupt entry stubs: the original's interrupt macros (macros.rs: interrupt!, interrupt_stack!,
; interrupt_error!, interrupt_stack_p!, interrupt_error_p!) and its syscall entry (syscall.rs).
; Each stub pushes the registers in the original's order, so that the frame a handler sees is
; the original's (interrupt/mod.cs), then calls the C# body with rdi = that frame.
;
; What the C# code needs on top of the original: the stack 16-byte aligned at the call (the CPU
; aligns RSP to 16 before pushing its frame in long mode, so the parity is known per stub kind),
; the direction flag clear, and the SSE state kept for the interrupted code, since C# code uses
; SSE registers: every stub saves it with fxsave in a 512-byte area below the frame, and
; restores it before returning.
BITS 64
DEFAULT REL
SECTION .text

%include "macros.inc"

; Pushes FS and loads the kernel's TLS segment (selector 0x18)
%macro fs_push 0
    push fs
    mov rax, 0x18
    mov fs, ax
%endmacro

%macro fs_pop 0
    pop fs
%endmacro

; syscall.rs's return from a system call (syscall_entry's epilogue, and clone_ret's): FS and the
; registers syscall_entry pushed, rax (the result, already in rax) dropped, then iretq
%macro syscall_pop 0
    pop fs
    pop r11
    pop r10
    pop r9
    pop r8
    pop rsi
    pop rdi
    pop rdx
    pop rcx
    pop rbx
    add rsp, 8
    iretq
%endmacro

; call_body handler, qwords on the stack above the 16-aligned point (CPU frame included),
; with_frame (1: rdi = the frame)
%macro call_body 3
%if %3
    mov rdi, rsp
%endif
    sub rsp, 512 + ((%2) % 2) * 8
    fxsave [rsp]
    cld
    call %1
    fxrstor [rsp]
    add rsp, 512 + ((%2) % 2) * 8
%endmacro

; scratch_stub stub, handler, with_frame: scratch registers and FS around the handler's call
%macro scratch_stub 3
GLOBAL %1
EXTERN %2
%1:
    scratch_push
    fs_push
    call_body %2, 5 + 9 + 1, %3
    fs_pop
    scratch_pop
    iretq
%endmacro

; interrupt!: scratch registers and FS, no frame argument
%macro interrupt 2
    scratch_stub %1, %2, 0
%endmacro

; interrupt_stack!: like interrupt!, the handler gets the InterruptStack
%macro interrupt_stack 2
    scratch_stub %1, %2, 1
%endmacro

; interrupt_error!: the CPU pushed an error code; the handler gets the InterruptErrorStack
%macro interrupt_error 2
GLOBAL %1
EXTERN %2
%1:
    scratch_push
    fs_push
    call_body %2, 6 + 9 + 1, 1
    fs_pop
    scratch_pop
    add rsp, 8
    iretq
%endmacro

; interrupt_stack_p!: scratch and preserved registers; the handler gets the InterruptStackP
%macro interrupt_stack_p 2
GLOBAL %1
EXTERN %2
%1:
    scratch_push
    preserved_push
    fs_push
    call_body %2, 5 + 9 + 6 + 1, 1
    fs_pop
    preserved_pop
    scratch_pop
    iretq
%endmacro

; interrupt_error_p!: error code, scratch and preserved registers; the InterruptErrorStackP
%macro interrupt_error_p 2
GLOBAL %1
EXTERN %2
%1:
    scratch_push
    preserved_push
    fs_push
    call_body %2, 6 + 9 + 6 + 1, 1
    fs_pop
    preserved_pop
    scratch_pop
    add rsp, 8
    iretq
%endmacro

; exception.rs
interrupt_stack_p   interrupt_divide_by_zero,       kernel_exception_divide_by_zero
interrupt_stack     interrupt_debug,                kernel_exception_debug
interrupt_stack     interrupt_non_maskable,         kernel_exception_non_maskable
interrupt_stack     interrupt_breakpoint,           kernel_exception_breakpoint
interrupt_stack_p   interrupt_overflow,             kernel_exception_overflow
interrupt_stack_p   interrupt_bound_range,          kernel_exception_bound_range
interrupt_stack_p   interrupt_invalid_opcode,       kernel_exception_invalid_opcode
interrupt_stack_p   interrupt_device_not_available, kernel_exception_device_not_available
interrupt_error_p   interrupt_double_fault,         kernel_exception_double_fault
interrupt_error_p   interrupt_invalid_tss,          kernel_exception_invalid_tss
interrupt_error_p   interrupt_segment_not_present,  kernel_exception_segment_not_present
interrupt_error_p   interrupt_stack_segment,        kernel_exception_stack_segment
interrupt_error_p   interrupt_protection,           kernel_exception_protection
interrupt_error_p   interrupt_page,                 kernel_exception_page
interrupt_stack_p   interrupt_fpu,                  kernel_exception_fpu
interrupt_error_p   interrupt_alignment_check,      kernel_exception_alignment_check
interrupt_stack_p   interrupt_machine_check,        kernel_exception_machine_check
interrupt_stack_p   interrupt_simd,                 kernel_exception_simd
interrupt_stack_p   interrupt_virtualization,       kernel_exception_virtualization
interrupt_error_p   interrupt_security,             kernel_exception_security

; irq.rs
interrupt   irq_pit,        kernel_irq_pit
interrupt   irq_keyboard,   kernel_irq_keyboard
interrupt   irq_cascade,    kernel_irq_cascade
interrupt   irq_com2,       kernel_irq_com2
interrupt   irq_com1,       kernel_irq_com1
interrupt   irq_lpt2,       kernel_irq_lpt2
interrupt   irq_floppy,     kernel_irq_floppy
interrupt   irq_lpt1,       kernel_irq_lpt1
interrupt   irq_rtc,        kernel_irq_rtc
interrupt   irq_pci1,       kernel_irq_pci1
interrupt   irq_pci2,       kernel_irq_pci2
interrupt   irq_pci3,       kernel_irq_pci3
interrupt   irq_mouse,      kernel_irq_mouse
interrupt   irq_fpu,        kernel_irq_fpu
interrupt   irq_ata1,       kernel_irq_ata1
interrupt   irq_ata2,       kernel_irq_ata2

; ipi.rs
interrupt   ipi_ipi,        kernel_ipi_ipi
interrupt   ipi_pit,        kernel_ipi_pit

; syscall.rs: the registers a syscall passes, FS, then rax = the handler's result
GLOBAL syscall_entry
EXTERN kernel_syscall_inner
syscall_entry:
    push rax
    push rbx
    push rcx
    push rdx
    push rdi
    push rsi
    push r8
    push r9
    push r10
    push r11
    push fs
    mov r11, 0x18
    mov fs, r11
    ; call_body kernel_syscall_inner, 5 + 10 + 1, 1, and below the SSE area the caller's rbp, as
    ; the original's inner function saves it: rsi = its address, clone's stack_base (the original
    ; passes that function's rbp); the call's return address goes just below it
    mov rdi, rsp
    sub rsp, 512
    fxsave [rsp]
    sub rsp, 8
    push rbp
    mov rsi, rsp
    cld
    call kernel_syscall_inner
    pop rbp
    add rsp, 8
    fxrstor [rsp]
    add rsp, 512
    syscall_pop

; syscall.rs clone_ret: a clone child's first `ret` (its switch_to's) comes here, on the copy of
; its parent's kernel stack where clone wrote this address over the return address into
; syscall_entry (one word below stack_base): as the original's, it pops the saved rbp (the
; caller's) and returns 0 from the system call: syscall_entry's epilogue, done here. The copy of
; the stack is a heap allocation of alignment 1 (Box<[u8]>::clone, as the original's), so the
; saved SSE area it holds may sit 8 bytes off the 16 that fxrstor needs: it is restored from an
; aligned copy below it.
GLOBAL hal_clone_ret, hal_clone_ret_address
hal_clone_ret:
    pop rbp
    add rsp, 8
    mov rax, rsp            ; the saved SSE area, then the frame
    sub rsp, 512 + 16
    and rsp, -16
    mov rsi, rax
    mov rdi, rsp
    mov ecx, 512 / 8
    cld
    rep movsq
    fxrstor [rsp]
    lea rsp, [rax + 512]
    xor eax, eax
    syscall_pop

hal_clone_ret_address:
    lea rax, [hal_clone_ret]
    ret

; Kernel.Hal.Registers.InterruptEntry(vector): the stub of each vector the IDT uses, 0 for the rest
SECTION .rodata
align 8
entries:
%assign v 0
%rep 256
  %if v == 0
    dq interrupt_divide_by_zero
  %elif v == 1
    dq interrupt_debug
  %elif v == 2
    dq interrupt_non_maskable
  %elif v == 3
    dq interrupt_breakpoint
  %elif v == 4
    dq interrupt_overflow
  %elif v == 5
    dq interrupt_bound_range
  %elif v == 6
    dq interrupt_invalid_opcode
  %elif v == 7
    dq interrupt_device_not_available
  %elif v == 8
    dq interrupt_double_fault
  %elif v == 10
    dq interrupt_invalid_tss
  %elif v == 11
    dq interrupt_segment_not_present
  %elif v == 12
    dq interrupt_stack_segment
  %elif v == 13
    dq interrupt_protection
  %elif v == 14
    dq interrupt_page
  %elif v == 16
    dq interrupt_fpu
  %elif v == 17
    dq interrupt_alignment_check
  %elif v == 18
    dq interrupt_machine_check
  %elif v == 19
    dq interrupt_simd
  %elif v == 20
    dq interrupt_virtualization
  %elif v == 30
    dq interrupt_security
  %elif v == 32
    dq irq_pit
  %elif v == 33
    dq irq_keyboard
  %elif v == 34
    dq irq_cascade
  %elif v == 35
    dq irq_com2
  %elif v == 36
    dq irq_com1
  %elif v == 37
    dq irq_lpt2
  %elif v == 38
    dq irq_floppy
  %elif v == 39
    dq irq_lpt1
  %elif v == 40
    dq irq_rtc
  %elif v == 41
    dq irq_pci1
  %elif v == 42
    dq irq_pci2
  %elif v == 43
    dq irq_pci3
  %elif v == 44
    dq irq_mouse
  %elif v == 45
    dq irq_fpu
  %elif v == 46
    dq irq_ata1
  %elif v == 47
    dq irq_ata2
  %elif v == 0x40
    dq ipi_ipi
  %elif v == 0x41
    dq ipi_pit
  %elif v == 0x80
    dq syscall_entry
  %else
    dq 0
  %endif
  %assign v v + 1
%endrep

SECTION .text
GLOBAL hal_interrupt_entry
hal_interrupt_entry:        ; (u32 vector) -> u64 address of its stub, 0 if none
    movzx edi, dil
    lea rax, [entries]
    mov rax, [rax + rdi * 8]
    ret

SECTION .note.GNU-stack noalloc noexec nowrite progbits
