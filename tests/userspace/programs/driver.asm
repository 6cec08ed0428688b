; driver: physalloc/physfree, physmap/physunmap, virttophys, iopl, as root and as another user;
; addresses are printed only as ok (they follow the frame allocator and the kernel's size).
%include "lib.inc"
section .text
global _start
_start:
        line "driver: start"
        sys SYS_PHYSALLOC, 8192
        okreport "physalloc(8192)"
        mov r12, rax
        sys SYS_PHYSMAP, r12, 8192, MAP_WRITE
        okreport "physmap(frames, 8192, MAP_WRITE)"
        mov r13, rax
        mov qword [r13], 0x5A5A
        mov rax, [r13]
        say "  read back "
        call puthex
        call newline
        sys SYS_VIRTTOPHYS, r13
        say "virttophys(mapped) == physalloc's: "
        cmp rax, r12
        sete al
        movzx eax, al
        call putdec
        call newline
        sys SYS_PHYSUNMAP, r13
        report "physunmap"
        sys SYS_PHYSUNMAP, r13
        report "physunmap again"
        sys SYS_PHYSFREE, r12, 8192
        report "physfree(frames, 8192)"
        sys SYS_PHYSMAP, 0xB8000, 4096, 0
        okreport "physmap(0xB8000, read only)"
        mov r13, rax
        sys SYS_VIRTTOPHYS, r13
        report "virttophys(that)"
        call puthex
        call newline
        sys SYS_PHYSUNMAP, r13
        report "physunmap"
        sys SYS_VIRTTOPHYS, 0x100000000
        report "virttophys(unmapped)"
        sys SYS_VIRTTOPHYS, _start
        okreport "virttophys(_start)"
        sys SYS_PHYSMAP, 0xB8000, 0, 0
        okreport "physmap(size 0)"
        sys SYS_FUNMAP, 0x100000000
        report "funmap(unmapped)"
        sys SYS_IOPL, 4
        report "iopl(4)"
        sys SYS_IOPL, 0
        report "iopl(0)"
        fork
        test rax, rax
        jnz .p1
        sys SYS_SETREUID, 1000, 1000
        sys SYS_PHYSALLOC, 4096
        report "child as 1000: physalloc"
        sys SYS_PHYSFREE, 0x100000, 4096
        report "child as 1000: physfree"
        sys SYS_PHYSMAP, 0xB8000, 4096, 0
        report "child as 1000: physmap"
        sys SYS_PHYSUNMAP, 0x1000
        report "child as 1000: physunmap"
        sys SYS_VIRTTOPHYS, _start
        report "child as 1000: virttophys"
        sys SYS_IOPL, 3
        report "child as 1000: iopl(3)"
        exit 0
.p1:    mov rbx, rax
        xor ecx, ecx
        call wait_report
        line "driver: end"
        qemu_exit 0
