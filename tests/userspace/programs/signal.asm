; signal: sigaction with a handler (run on the signal stack, returning through the restorer to
; sigreturn), SIG_IGN, the default actions (terminate, stop/continue, ignore SIGCHLD), kill's
; forms (self, child, group, -1, sig 0) and its refusals.
%include "lib.inc"
section .data
act:    dq handler, 0, 0, 0             ; sa_handler, sa_mask[2], sa_flags
ign:    dq SIG_IGN, 0, 0, 0
dfl:    dq SIG_DFL, 0, 0, 0
flag:   dq 0
section .bss
oldact: resq 4
section .text
global _start
_start:
        line "signal: start"
        sys SYS_SETPGID, 0, 0
        report "setpgid(0, 0)"
        sys SYS_SIGACTION, SIGUSR1, act, oldact, restorer
        report "sigaction(SIGUSR1, handler)"
        say "  old handler "
        mov rax, [oldact]
        call putdec
        call newline
        sys SYS_SIGACTION, SIGUSR1, 0, oldact, 0
        report "sigaction(SIGUSR1, query)"
        say "  handler is ours: "
        mov rax, [oldact]
        cmp rax, handler
        sete al
        movzx eax, al
        call putdec
        call newline
        sys SYS_GETPID
        mov r15, rax
        sys SYS_KILL, r15, SIGUSR1
        report "kill(self, SIGUSR1)"
        say "  flag "
        mov rax, [flag]
        call putdec
        call newline
        sys SYS_SIGACTION, SIGUSR2, ign, 0, 0
        report "sigaction(SIGUSR2, SIG_IGN)"
        sys SYS_KILL, r15, SIGUSR2
        report "kill(self, SIGUSR2) ignored"
        sys SYS_KILL, r15, 0
        report "kill(self, 0)"
        sys SYS_KILL, 0, SIGUSR2
        report "kill(0 = own group, SIGUSR2)"
        sys SYS_KILL, -1, SIGUSR2
        report "kill(-1, SIGUSR2) with no other process"
        sys SYS_KILL, 9999, SIGUSR1
        report "kill(9999)"
        sys SYS_KILL, r15, 0x7F
        report "kill(self, 0x7F)"
        sys SYS_SIGACTION, 0, act, 0, 0
        report "sigaction(0)"
        sys SYS_SIGACTION, 0x80, act, 0, 0
        report "sigaction(0x80)"
        sys SYS_SIGACTION, 0x7F, 0, oldact, 0
        report "sigaction(0x7F, query)"

        ; default actions on children that spin in sched_yield
        mov r14, SIGTERM
        call spin_child_killed
        mov r14, SIGKILL
        call spin_child_killed
        mov r14, SIGINT
        call spin_child_killed

        ; SIGCHLD's default is to ignore: the child goes on and exits by itself
        fork
        test rax, rax
        jnz .p1
        sys SYS_KILL, 0, SIGCHLD        ; own group: itself and its parent
        report "child: kill(0, SIGCHLD)"
        exit 4
.p1:    mov rbx, rax
        xor ecx, ecx
        call wait_report

        ; stop and continue
        call spawn_spinner
        mov r12, rax
        sys SYS_KILL, r12, SIGSTOP
        report "kill(child, SIGSTOP)"
        mov rbx, r12
        mov rcx, WUNTRACED
        call wait_report
        sys SYS_KILL, r12, SIGCONT
        report "kill(child, SIGCONT)"
        mov rbx, r12
        mov rcx, WCONTINUED
        call wait_report
        sys SYS_KILL, r12, SIGTERM
        report "kill(child, SIGTERM)"
        mov rbx, r12
        xor ecx, ecx
        call wait_report

        ; a handler in a child, signalled by the parent
        fork
        test rax, rax
        jnz .p2
        mov qword [flag], 0
.wait:  sys SYS_YIELD
        cmp qword [flag], 0
        je .wait
        line "child: flag set by the handler"
        exit 6
.p2:    mov r12, rax
        sys SYS_KILL, r12, SIGUSR1
        report "kill(child, SIGUSR1)"
        mov rbx, r12
        xor ecx, ecx
        call wait_report

        sys SYS_SIGACTION, SIGUSR1, dfl, 0, 0
        report "sigaction(SIGUSR1, SIG_DFL)"
        line "signal: end"
        qemu_exit 0

; a child spinning in sched_yield; rax = its pid (parent)
spawn_spinner:
        fork
        test rax, rax
        jnz .ret
.spin:  sys SYS_YIELD
        jmp .spin
.ret:   ret

; spin_child_killed: r14 = signal; kill a spinning child with it and wait
spin_child_killed:
        call spawn_spinner
        mov r12, rax
        sys SYS_KILL, r12, r14
        say "kill(child, "
        push rax
        mov rax, r14
        call putdec
        pop rax
        report ")"
        mov rbx, r12
        xor ecx, ecx
        call wait_report
        ret

; the handler: rdi = the signal; returns to the restorer
handler:
        say "handler: signal "
        mov rax, rdi
        call putdec
        say ", pid "
        push rax
        sys SYS_GETPID
        call putdec
        pop rax
        call newline
        mov qword [flag], 1
        ret

restorer:
        sys SYS_SIGRETURN
        line "sigreturn returned"
        exit 99
