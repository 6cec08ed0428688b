using System.Runtime.CompilerServices;
using Kernel.acpi.madt;
using Kernel.arch.x86_64.paging;
using Kernel.arch.x86_64.paging.entry;
using Kernel.arch.x86_64.paging.mapper;
using Kernel.consts;
using Kernel.Hal;
using Kernel.memory;

namespace Kernel.arch.x86_64.device.local_apic
{
    /// <summary>local_apic.rs's static and entry points.</summary>
    public static unsafe class LocalApicModule
    {
        public const uint IA32_APIC_BASE = 0x1B;
        public const uint IA32_X2APIC_APICID = 0x802;
        public const uint IA32_X2APIC_VERSION = 0x803;
        public const uint IA32_X2APIC_EOI = 0x80B;
        public const uint IA32_X2APIC_SIVR = 0x80F;
        public const uint IA32_X2APIC_ICR = 0x830;

        public static LocalApic LOCAL_APIC;

        public static void Init(ref ActivePageTable active_table)
        {
            LOCAL_APIC.Init(ref active_table);
            // what acpi::madt reads off LOCAL_APIC
            Madt.LocalApicSource = &View;
        }

        public static void InitAp()
        {
            LOCAL_APIC.InitAp();
        }

        /// <summary>LOCAL_APIC as acpi/madt.cs sees it: address, mode and id register.</summary>
        public static LocalApicView View() => new LocalApicView
        {
            address = LOCAL_APIC.address,
            x2 = LOCAL_APIC.x2,
            id = LOCAL_APIC.Id(),
        };

        /// <summary>CPUID leaf 1, ECX bit 21 (raw-cpuid's `has_x2apic`).</summary>
        public static bool HasX2Apic()
        {
            uint* r = stackalloc uint[4];
            Cpuid.Query(0, 0, r);
            if (r[0] < 1)
            {
                // get_feature_info() is None: the original's unwrap
                Panic.Fail("called `Option::unwrap()` on a `None` value", "libcore/option.rs", 335);
            }
            Cpuid.Query(1, 0, r);
            return (r[2] & (1u << 21)) != 0;
        }

        /// <summary>Where the local APIC's registers are mapped: the page of IA32_APIC_BASE's bits 16..31, at KERNEL_OFFSET.</summary>
        public static ulong Address(ulong apic_base_msr) => (apic_base_msr & 0xFFFF_0000) + Consts.KERNEL_OFFSET;
    }

    /// <summary>local_apic.rs: the local APIC, through its MMIO page (xAPIC) or MSRs (x2APIC).</summary>
    public unsafe struct LocalApic
    {
        public ulong address;
        public bool x2;

        /// <summary>
        /// The MMIO address from IA32_APIC_BASE (masked to bits 16..31, as the original does) at
        /// KERNEL_OFFSET; in xAPIC mode that one page is mapped present, writable, no-execute.
        /// </summary>
        internal void Init(ref ActivePageTable active_table)
        {
            address = LocalApicModule.Address(Registers.Rdmsr(LocalApicModule.IA32_APIC_BASE));
            x2 = LocalApicModule.HasX2Apic();

            if (!x2)
            {
                Page page = Page.ContainingAddress(new VirtualAddress(address));
                Frame frame = Frame.ContainingAddress(new PhysicalAddress(address - Consts.KERNEL_OFFSET));
#if MUTATION_LOCAL_APIC_MAP_EXECUTABLE // NOT the original: the local APIC page mapped executable (make mutants)
                MapperFlush result = active_table.mapper.MapTo(page, frame, EntryFlags.PRESENT | EntryFlags.WRITABLE);
#else
                MapperFlush result = active_table.mapper.MapTo(page, frame, EntryFlags.PRESENT | EntryFlags.WRITABLE | EntryFlags.NO_EXECUTE);
#endif
                result.Flush(ref active_table);
            }

            InitAp();
        }

        /// <summary>Software enable: spurious vector register = 0x100 (x2APIC mode is switched on first when present).</summary>
        internal void InitAp()
        {
            if (x2)
            {
                Registers.Wrmsr(LocalApicModule.IA32_APIC_BASE, Registers.Rdmsr(LocalApicModule.IA32_APIC_BASE) | 1 << 10);
                Registers.Wrmsr(LocalApicModule.IA32_X2APIC_SIVR, 0x100);
            }
            else
            {
                Write(0xF0, 0x100);
            }
        }

        /// <summary>A volatile load of a register (a real call, so that no load is hoisted out of a polling loop).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private readonly uint Read(uint reg)
        {
            return *(uint*)(address + reg);
        }

        /// <summary>A volatile store to a register.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private readonly void Write(uint reg, uint value)
        {
            *(uint*)(address + reg) = value;
        }

        public readonly uint Id()
        {
            if (x2)
            {
                return (uint)Registers.Rdmsr(LocalApicModule.IA32_X2APIC_APICID);
            }
            else
            {
                return Read(0x20);
            }
        }

        public readonly uint Version()
        {
            if (x2)
            {
                return (uint)Registers.Rdmsr(LocalApicModule.IA32_X2APIC_VERSION);
            }
            else
            {
                return Read(0x30);
            }
        }

        public readonly ulong Icr()
        {
            if (x2)
            {
                return Registers.Rdmsr(LocalApicModule.IA32_X2APIC_ICR);
            }
            else
            {
                return (ulong)Read(0x310) << 32 | Read(0x300);
            }
        }

        public void SetIcr(ulong value)
        {
            if (x2)
            {
                Registers.Wrmsr(LocalApicModule.IA32_X2APIC_ICR, value);
            }
            else
            {
                while ((Read(0x300) & 1 << 12) == 1 << 12) { }
                Write(0x310, (uint)(value >> 32));
                Write(0x300, (uint)value);
                while ((Read(0x300) & 1 << 12) == 1 << 12) { }
            }
        }

        public void Ipi(ulong apic_id)
        {
            ulong icr = 0x4040;
            if (x2)
            {
                icr |= apic_id << 32;
            }
            else
            {
                icr |= apic_id << 56;
            }
            SetIcr(icr);
        }

        public void Eoi()
        {
            if (x2)
            {
                Registers.Wrmsr(LocalApicModule.IA32_X2APIC_EOI, 0);
            }
            else
            {
                Write(0xB0, 0);
            }
        }
    }
}
