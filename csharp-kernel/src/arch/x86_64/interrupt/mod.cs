using core.fmt;
using Kernel.arch.x86_64.debug;
using Kernel.Hal;

namespace Kernel.arch.x86_64.interrupt
{
    /// <summary>interrupt/mod.rs: interrupt instructions.</summary>
    public static class Interrupt
    {
        /// <summary>Clear interrupts.</summary>
        public static void Disable() => Cpu.DisableInterrupts();

        /// <summary>Set interrupts.</summary>
        public static void Enable() => Cpu.EnableInterrupts();

        /// <summary>Halt instruction.</summary>
        public static void Halt() => Cpu.Halt();

        /// <summary>Pause instruction.</summary>
        public static void Pause() => Cpu.Pause();
    }

    // The register frames the entry stubs of asm/interrupt.asm build (macros.rs of the original,
    // whose interrupt macros those stubs are): what the CPU pushed, the registers the stub pushed
    // after it, and FS last, lowest in memory. The C# handler gets a pointer to one of them.

    /// <summary>The caller-saved registers, as scratch_push leaves them.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 1)]
    public struct ScratchRegisters
    {
        public ulong r11;
        public ulong r10;
        public ulong r9;
        public ulong r8;
        public ulong rsi;
        public ulong rdi;
        public ulong rdx;
        public ulong rcx;
        public ulong rax;

        public readonly void Dump()
        {
            Line("RAX:   ", rax);
            Line("RCX:   ", rcx);
            Line("RDX:   ", rdx);
            Line("RDI:   ", rdi);
            Line("RSI:   ", rsi);
            Line("R8:    ", r8);
            Line("R9:    ", r9);
            Line("R10:   ", r10);
            Line("R11:   ", r11);
        }

        /// <summary>`println!("{name}{:>016X}", value)`.</summary>
        internal static void Line(string name, ulong value)
        {
            using (var w = Writer.New())
            {
                w.Str(name);
                w.UpperHexPadded(value, 16);
                w.Str("\n");
            }
        }
    }

    /// <summary>The callee-saved registers, as preserved_push leaves them.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 1)]
    public struct PreservedRegisters
    {
        public ulong r15;
        public ulong r14;
        public ulong r13;
        public ulong r12;
        public ulong rbp;
        public ulong rbx;

        public readonly void Dump()
        {
            ScratchRegisters.Line("RBX:   ", rbx);
            ScratchRegisters.Line("RBP:   ", rbp);
            ScratchRegisters.Line("R12:   ", r12);
            ScratchRegisters.Line("R13:   ", r13);
            ScratchRegisters.Line("R14:   ", r14);
            ScratchRegisters.Line("R15:   ", r15);
        }
    }

    /// <summary>What the CPU pushes (without SS and RSP, which the original's frames leave out).</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 1)]
    public struct IretRegisters
    {
        public ulong rip;
        public ulong cs;
        public ulong rflags;

        public readonly void Dump()
        {
            ScratchRegisters.Line("RFLAG: ", rflags);
            ScratchRegisters.Line("CS:    ", cs);
            ScratchRegisters.Line("RIP:   ", rip);
        }
    }

    /// <summary>The frame of `interrupt_stack!`.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 1)]
    public struct InterruptStack
    {
        public ulong fs;
        public ScratchRegisters scratch;
        public IretRegisters iret;

        public readonly void Dump()
        {
            iret.Dump();
            scratch.Dump();
            ScratchRegisters.Line("FS:    ", fs);
        }
    }

    /// <summary>The frame of `interrupt_error!`.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 1)]
    public struct InterruptErrorStack
    {
        public ulong fs;
        public ScratchRegisters scratch;
        public ulong code;
        public IretRegisters iret;

        public readonly void Dump()
        {
            iret.Dump();
            ScratchRegisters.Line("CODE:  ", code);
            scratch.Dump();
            ScratchRegisters.Line("FS:    ", fs);
        }
    }

    /// <summary>The frame of `interrupt_stack_p!`.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 1)]
    public struct InterruptStackP
    {
        public ulong fs;
        public PreservedRegisters preserved;
        public ScratchRegisters scratch;
        public IretRegisters iret;

        public readonly void Dump()
        {
            iret.Dump();
            scratch.Dump();
            preserved.Dump();
            ScratchRegisters.Line("FS:    ", fs);
        }
    }

    /// <summary>The frame of `interrupt_error_p!`.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 1)]
    public struct InterruptErrorStackP
    {
        public ulong fs;
        public PreservedRegisters preserved;
        public ScratchRegisters scratch;
        public ulong code;
        public IretRegisters iret;

        public readonly void Dump()
        {
            iret.Dump();
            ScratchRegisters.Line("CODE:  ", code);
            scratch.Dump();
            preserved.Dump();
            ScratchRegisters.Line("FS:    ", fs);
        }
    }
}
