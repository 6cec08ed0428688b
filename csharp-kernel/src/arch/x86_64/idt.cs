using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kernel.arch.x86_64.gdt;
using Kernel.arch.x86_64.interrupt;
using Kernel.Hal;

namespace Kernel.arch.x86_64.idt
{
    /// <summary>idt.rs: the attribute byte of a gate (a bitflags! type of the original).</summary>
    [System.Flags]
    public enum IdtFlags : byte
    {
        PRESENT = 1 << 7,
        RING_0 = 0 << 5,
        RING_1 = 1 << 5,
        RING_2 = 2 << 5,
        RING_3 = 3 << 5,
        SS = 1 << 4,
        INTERRUPT = 0xE,
        TRAP = 0xF,
    }

    /// <summary>idt.rs: an IDT entry (16 bytes, packed).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct IdtEntry
    {
        private ushort offsetl;
        private ushort selector;
        private byte zero;
        private byte attribute;
        private ushort offsetm;
        private uint offseth;
        private uint zero2;

        public void SetFlags(IdtFlags flags)
        {
            attribute = (byte)flags;
        }

        public void SetOffset(ushort selector, ulong @base)
        {
            this.selector = selector;
            offsetl = (ushort)@base;
            offsetm = (ushort)(@base >> 16);
            offseth = (uint)(@base >> 32);
        }

        /// <summary>A present ring-0 interrupt gate to <paramref name="func"/> in the kernel code segment.</summary>
        public void SetFunc(ulong func)
        {
            SetFlags(IdtFlags.PRESENT | IdtFlags.RING_0 | IdtFlags.INTERRUPT);
            SetOffset(8, func);
        }
    }

    /// <summary>idt.rs: the interrupt descriptor table, one for all CPUs, in the kernel image.</summary>
    public static unsafe class Idt
    {
        public const int IDT_LEN = 256;

        private struct IdtTable
        {
            public fixed byte bytes[IDT_LEN * 16];
        }

        public static DescriptorTablePointer IDTR;

        private static IdtTable IDT;

        /// <summary>The IDT's entries.</summary>
        public static IdtEntry* Entries()
        {
            fixed (IdtTable* table = &IDT)
            {
                return (IdtEntry*)table;
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Init()
        {
            IdtEntry* idt = Entries();
            fixed (DescriptorTablePointer* idtr = &IDTR)
            {
                idtr->limit = (ushort)(IDT_LEN * sizeof(IdtEntry) - 1);
                idtr->@base = (ulong)idt;
            }

            // Set up exceptions
            idt[0].SetFunc(Exception.DivideByZero);
            idt[1].SetFunc(Exception.Debug);
            idt[2].SetFunc(Exception.NonMaskable);
            idt[3].SetFunc(Exception.Breakpoint);
            idt[4].SetFunc(Exception.Overflow);
            idt[5].SetFunc(Exception.BoundRange);
            idt[6].SetFunc(Exception.InvalidOpcode);
            idt[7].SetFunc(Exception.DeviceNotAvailable);
            idt[8].SetFunc(Exception.DoubleFault);
            // 9 no longer available
            idt[10].SetFunc(Exception.InvalidTss);
            idt[11].SetFunc(Exception.SegmentNotPresent);
            idt[12].SetFunc(Exception.StackSegment);
#if MUTATION_IDT_SWAP_PAGE_PROTECTION // NOT the original: the page-fault and general-protection handlers swapped (make mutants)
            idt[13].SetFunc(Exception.Page);
            idt[14].SetFunc(Exception.Protection);
#else
            idt[13].SetFunc(Exception.Protection);
            idt[14].SetFunc(Exception.Page);
#endif
            // 15 reserved
            idt[16].SetFunc(Exception.Fpu);
            idt[17].SetFunc(Exception.AlignmentCheck);
            idt[18].SetFunc(Exception.MachineCheck);
            idt[19].SetFunc(Exception.Simd);
            idt[20].SetFunc(Exception.Virtualization);
            // 21 through 29 reserved
            idt[30].SetFunc(Exception.Security);
            // 31 reserved

            // Set up IRQs
            idt[32].SetFunc(Irq.Pit);
            idt[33].SetFunc(Irq.Keyboard);
            idt[34].SetFunc(Irq.Cascade);
#if MUTATION_IDT_SWAP_COM1_COM2 // NOT the original: the COM1 and COM2 IRQ handlers swapped (make mutants)
            idt[35].SetFunc(Irq.Com1);
            idt[36].SetFunc(Irq.Com2);
#else
            idt[35].SetFunc(Irq.Com2);
            idt[36].SetFunc(Irq.Com1);
#endif
            idt[37].SetFunc(Irq.Lpt2);
            idt[38].SetFunc(Irq.Floppy);
            idt[39].SetFunc(Irq.Lpt1);
            idt[40].SetFunc(Irq.Rtc);
            idt[41].SetFunc(Irq.Pci1);
            idt[42].SetFunc(Irq.Pci2);
            idt[43].SetFunc(Irq.Pci3);
            idt[44].SetFunc(Irq.Mouse);
            idt[45].SetFunc(Irq.Fpu);
            idt[46].SetFunc(Irq.Ata1);
            idt[47].SetFunc(Irq.Ata2);

            // Set IPI handler (null)
            idt[0x40].SetFunc(Ipi.IpiEntry);
            idt[0x41].SetFunc(Ipi.Pit);

            // Set syscall function
            idt[0x80].SetFunc(Syscall.SyscallEntry);
#if MUTATION_IDT_SYSCALL_RING0 // NOT the original: the syscall gate with DPL 0 (make mutants)
            idt[0x80].SetFlags(IdtFlags.PRESENT | IdtFlags.RING_0 | IdtFlags.INTERRUPT);
#else
            idt[0x80].SetFlags(IdtFlags.PRESENT | IdtFlags.RING_3 | IdtFlags.INTERRUPT);
#endif

            fixed (DescriptorTablePointer* idtr = &IDTR)
            {
                Registers.Lidt(idtr);
            }
        }
    }
}
