using System.Runtime;
using System.Runtime.InteropServices;
using Kernel.arch.x86_64.pti;
using Kernel.Hal;

namespace Kernel.arch.x86_64.interrupt
{
    /// <summary>The frame the syscall entry stub builds (lowest address first).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct SyscallStack
    {
        public ulong fs;
        public ulong r11;
        public ulong r10;
        public ulong r9;
        public ulong r8;
        public ulong rsi;
        public ulong rdi;
        public ulong rdx;
        public ulong rcx;
        public ulong rbx;
        public ulong rax;
        public ulong rip;
        public ulong cs;
        public ulong rflags;
    }

    /// <summary>
    /// interrupt/syscall.rs: `int 0x80`, the system call gate (DPL 3). The entry stub in
    /// asm/interrupt.asm pushes the registers as the original's naked function does and returns
    /// rax = what <see cref="Inner"/> returns: syscall::syscall's (src/syscall/mod.cs) result.
    /// </summary>
    public static unsafe class Syscall
    {
        /// <summary>The entry stub of vector 0x80.</summary>
        public static ulong SyscallEntry => Registers.InterruptEntry(0x80);

        
        [RuntimeExport("kernel_syscall_inner")]
        public static ulong Inner(SyscallStack* stack, ulong bp)
        {
            Pti.Map();
            // bp: the original passes its inner function's frame pointer, which clone's child returns
            // through (clone_ret); here the entry stub passes where it saved the caller's rbp, just
            // above this call's return address
            ulong a = Kernel.syscall.SyscallMod.Syscall(stack->rax, stack->rbx, stack->rcx, stack->rdx, stack->rsi, stack->rdi, bp, stack);
            Pti.Unmap();
            return a;
        }
    }
}
