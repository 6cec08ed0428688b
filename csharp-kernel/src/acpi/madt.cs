using System.Runtime.InteropServices;
using alloc.vec;
using core.fmt;
using Kernel.acpi.sdt;
using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.device.local_apic;
using Kernel.arch.x86_64.paging;
using Kernel.arch.x86_64.paging.entry;
using Kernel.arch.x86_64.paging.mapper;
using Kernel.arch.x86_64.start;
using Kernel.consts;
using Kernel.Hal;
using Kernel.memory;

namespace Kernel.acpi.madt
{
    /// <summary>What `Madt::init` reads off the BSP's `LOCAL_APIC` (device/local_apic.rs).</summary>
    public struct LocalApicView
    {
        public ulong address;
        public bool x2;
        public uint id;
    }

    /// <summary>madt.rs: the Multiple APIC Description Table.</summary>
    public unsafe struct Madt
    {
        /// <summary>
        /// The original's `multi_core` cargo feature, off in the default build that the reference
        /// recordings come from: no AP is started, the trampoline is never mapped. A build with
        /// `-p:PortFeatures=multi_core` (Kernel.csproj) turns it on.
        /// </summary>
#if FEATURE_MULTI_CORE
        public const bool MULTI_CORE = true;
#else
        public const bool MULTI_CORE = false;
#endif

        /// <summary>The trampoline's six u64 fields (harness/Loader/asm/layout.inc), as indexes from its first word.</summary>
        public const int TRAMPOLINE_READY = 0, TRAMPOLINE_CPU_ID = 1, TRAMPOLINE_PAGE_TABLE = 2;
        public const int TRAMPOLINE_STACK_START = 3, TRAMPOLINE_STACK_END = 4, TRAMPOLINE_CODE = 5;

        /// <summary>Frames of an AP's stack.</summary>
        public const ulong AP_STACK_FRAMES = 64;

        /// <summary>
        /// The BSP's local APIC as device init left it (`LOCAL_APIC`: id register, x2APIC mode,
        /// mapped address): device/local_apic.cs sets this when it initialises the local APIC (a
        /// host test sets its own). Left null, the local APIC line is skipped.
        /// </summary>
        public static delegate*<LocalApicView> LocalApicSource;

        private Sdt* sdt;
        public uint local_address;
        public uint flags;

        /// <summary>
        /// `Madt::init`: exactly one APIC table (else "Unable to find MADT"), recorded in the load
        /// order; prints the local APIC address and flags, then this CPU's local APIC.
        /// </summary>
        public static void Init(ref ActivePageTable active_table)
        {
            Vec<SdtRef> madt_sdt = Acpi.FindSdt("APIC");
            Madt? madt;
            if (madt_sdt.Len() == 1)
            {
                Acpi.LoadTable(Acpi.GetSdtSignature(madt_sdt[0].sdt));
                madt = New(madt_sdt[0].sdt);
            }
            else
            {
                using (var w = Writer.New()) { w.Str("Unable to find MADT\n"); }
                madt_sdt.Dispose();
                return;
            }

            if (madt.HasValue)
            {
                Madt m = madt.GetValueOrDefault();
                // `{:>08X}`: the `0` flag wins over the alignment, so this is zero-padding to 8.
                using (var w = Writer.New())
                {
                    w.Str("  APIC: ");
                    w.UpperHexPadded(m.local_address, 8);
                    w.Str(": ");
                    w.Dec(m.flags);
                    w.Str("\n");
                }

                byte me = 0;
                if (LocalApicSource != null)
                {
                    LocalApicView local_apic = LocalApicSource();
                    me = (byte)local_apic.id;

                    if (local_apic.x2)
                    {
                        using (var w = Writer.New()) { w.Str("    X2APIC "); w.Dec(me); w.Str("\n"); }
                    }
                    else
                    {
                        using (var w = Writer.New())
                        {
                            w.Str("    XAPIC ");
                            w.Dec(me);
                            w.Str(": ");
                            w.UpperHexPadded(local_apic.address, 8);
                            w.Str("\n");
                        }
                    }
                }

#pragma warning disable CS0162 // MULTI_CORE is a constant: the default build never starts an AP
                if (MULTI_CORE)
                {
                    StartAps(ref active_table, m, me);
                }
#pragma warning restore CS0162
            }
            madt_sdt.Dispose();
        }

        /// <summary>
        /// The `multi_core` branch of `Madt::init`: the trampoline page is identity-mapped
        /// writable; every MADT entry is printed; each enabled local APIC other than this CPU's
        /// gets a CPU number, a 64-frame stack, the trampoline fields, an INIT and a START IPI, and
        /// is waited for (the trampoline's `ready`, then AP_READY); the trampoline is unmapped last.
        /// </summary>
        private static void StartAps(ref ActivePageTable active_table, Madt madt, byte me)
        {
            ref LocalApic local_apic = ref LocalApicModule.LOCAL_APIC;

            Frame trampoline_frame = Frame.ContainingAddress(new PhysicalAddress(Acpi.TRAMPOLINE));
            Page trampoline_page = Page.ContainingAddress(new VirtualAddress(Acpi.TRAMPOLINE));

            // The trampoline page, identity-mapped and writable
            {
                MapperFlush result = active_table.mapper.MapTo(trampoline_page, trampoline_frame, EntryFlags.PRESENT | EntryFlags.WRITABLE);
                result.Flush(ref active_table);
            }

            MadtIter entries = madt.Iter();
            while (entries.Next() is MadtEntry madt_entry)
            {
                using (var w = Writer.New()) { w.Str("      "); madt_entry.Debug(w); w.Str("\n"); }

                if (madt_entry.kind != MadtEntryKind.LocalApic)
                {
                    continue;
                }

                MadtLocalApic* ap_local_apic = (MadtLocalApic*)madt_entry.entry;
                if (ap_local_apic->id == me)
                {
                    using (var w = Writer.New()) { w.Str("        This is my local APIC\n"); }
                }
                else if ((ap_local_apic->flags & 1) == 1)
                {
                    // One more CPU
                    Start.CPU_COUNT.FetchAdd(1);

                    // Its stack
                    Frame? stack_frame = Memory.AllocateFrames(AP_STACK_FRAMES);
                    if (!stack_frame.HasValue)
                    {
                        Panic.Fail("no more frames in acpi stack_start", "src/acpi/madt.rs", 67);
                    }
                    ulong stack_start = stack_frame.Value.StartAddress().Get() + Consts.KERNEL_OFFSET;
                    ulong stack_end = stack_start + AP_STACK_FRAMES * 4096;

                    ulong* ap_ready = (ulong*)Acpi.TRAMPOLINE;
                    WriteTrampoline(ap_ready, ap_local_apic->id, active_table.Address(), stack_start, stack_end, ApEntry.Address());
                    Start.AP_READY.Store(false);

                    using (var w = Writer.New()) { w.Str("        AP "); w.Dec(ap_local_apic->id); w.Str(":"); }

                    // INIT IPI
                    {
                        ulong icr = InitIpiIcr(local_apic.x2, ap_local_apic->id);
                        using (var w = Writer.New()) { w.Str(" IPI..."); }
                        local_apic.SetIcr(icr);
                    }

                    // START IPI: the AP begins in real mode at AP_STARTUP (0x0800:0000)
                    {
                        ulong icr = StartIpiIcr(local_apic.x2, ap_local_apic->id);
                        using (var w = Writer.New()) { w.Str(" SIPI..."); }
                        local_apic.SetIcr(icr);
                    }

                    // The trampoline sets `ready` once in long mode, kstart_ap sets AP_READY
                    using (var w = Writer.New()) { w.Str(" Wait..."); }
                    while (Atomic.Load(ap_ready + TRAMPOLINE_READY) == 0)
                    {
                        Cpu.Pause();
                    }
                    using (var w = Writer.New()) { w.Str(" Trampoline..."); }
                    while (!Start.AP_READY.Load())
                    {
                        Cpu.Pause();
                    }
                    using (var w = Writer.New()) { w.Str(" Ready\n"); }

                    active_table.FlushAll();
                }
                else
                {
                    using (var w = Writer.New()) { w.Str("        CPU Disabled\n"); }
                }
            }

            // The trampoline page goes again (its emptied tables with it)
            {
                MapperFlush result = active_table.mapper.UnmapReturn(trampoline_page, false, out Frame _);
                result.Flush(ref active_table);
            }
        }

        /// <summary>
        /// The trampoline's fields for one AP, each an atomic store: `ready` cleared, the AP's
        /// APIC id as its CPU id, the BSP's page table, the stack bounds, the entry.
        /// </summary>
        internal static void WriteTrampoline(ulong* ap_ready, ulong cpu_id, ulong page_table, ulong stack_start, ulong stack_end, ulong code)
        {
            Atomic.Store(ap_ready + TRAMPOLINE_READY, 0);
            Atomic.Store(ap_ready + TRAMPOLINE_CPU_ID, cpu_id);
            Atomic.Store(ap_ready + TRAMPOLINE_PAGE_TABLE, page_table);
            Atomic.Store(ap_ready + TRAMPOLINE_STACK_START, stack_start);
            Atomic.Store(ap_ready + TRAMPOLINE_STACK_END, stack_end);
            Atomic.Store(ap_ready + TRAMPOLINE_CODE, code);
        }

        /// <summary>INIT IPI: delivery mode INIT, level assert (0x4500), the destination in bits 32.. (x2APIC) or 56.. (xAPIC).</summary>
        internal static ulong InitIpiIcr(bool x2, byte ap_id)
        {
            ulong icr = 0x4500;
            return icr | Destination(x2, ap_id);
        }

        /// <summary>START IPI: delivery mode start-up, level assert (0x4600), vector = AP_STARTUP's 4 KiB page, the destination as for INIT.</summary>
        internal static ulong StartIpiIcr(bool x2, byte ap_id)
        {
            ulong ap_segment = (Acpi.AP_STARTUP >> 12) & 0xFF;
            ulong icr = 0x4600 | ap_segment;
            return icr | Destination(x2, ap_id);
        }

        private static ulong Destination(bool x2, byte ap_id)
        {
            if (x2)
            {
                return (ulong)ap_id << 32;
            }
            else
            {
                return (ulong)ap_id << 56;
            }
        }

        /// <summary>Some when the signature is "APIC" and the data holds at least the address and the flags.</summary>
        public static Madt? New(Sdt* sdt)
        {
            if (Sdt.SignatureIs(sdt, "APIC") && Sdt.DataLen(sdt) >= 8)
            {
                uint* data = (uint*)Sdt.DataAddress(sdt);
                return new Madt { sdt = sdt, local_address = data[0], flags = data[1] };
            }
            return null;
        }

        /// <summary>The entries after the address and the flags.</summary>
        public readonly MadtIter Iter() => new MadtIter { sdt = sdt, i = 8 };
    }

    /// <summary>MADT Local APIC (packed).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct MadtLocalApic
    {
        public byte processor;
        public byte id;
        public uint flags;
    }

    /// <summary>MADT I/O APIC (packed).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct MadtIoApic
    {
        public byte id;
        private byte reserved;
        public uint address;
        public uint gsi_base;
    }

    /// <summary>MADT Interrupt Source Override (packed).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct MadtIntSrcOverride
    {
        public byte bus_source;
        public byte irq_source;
        public uint gsi_base;
        public ushort flags;
    }

    public enum MadtEntryKind
    {
        LocalApic,
        InvalidLocalApic,
        IoApic,
        InvalidIoApic,
        IntSrcOverride,
        InvalidIntSrcOverride,
        Unknown,
    }

    /// <summary>`MadtEntry`: a reference into the table, or the length / type of an entry that does not fit.</summary>
    public unsafe struct MadtEntry
    {
        public MadtEntryKind kind;
        public void* entry;
        public ulong value;

        /// <summary>The derived `{:?}`.</summary>
        public readonly void Debug(Writer w)
        {
            switch (kind)
            {
                case MadtEntryKind.LocalApic:
                    {
                        MadtLocalApic* e = (MadtLocalApic*)entry;
                        w.Str("LocalApic(MadtLocalApic { processor: "); w.Dec(e->processor);
                        w.Str(", id: "); w.Dec(e->id);
                        w.Str(", flags: "); w.Dec(e->flags);
                        w.Str(" })");
                        break;
                    }
                case MadtEntryKind.IoApic:
                    {
                        MadtIoApic* e = (MadtIoApic*)entry;
                        w.Str("IoApic(MadtIoApic { id: "); w.Dec(e->id);
                        w.Str(", reserved: "); w.Dec(*((byte*)e + 1));
                        w.Str(", address: "); w.Dec(e->address);
                        w.Str(", gsi_base: "); w.Dec(e->gsi_base);
                        w.Str(" })");
                        break;
                    }
                case MadtEntryKind.IntSrcOverride:
                    {
                        MadtIntSrcOverride* e = (MadtIntSrcOverride*)entry;
                        w.Str("IntSrcOverride(MadtIntSrcOverride { bus_source: "); w.Dec(e->bus_source);
                        w.Str(", irq_source: "); w.Dec(e->irq_source);
                        w.Str(", gsi_base: "); w.Dec(e->gsi_base);
                        w.Str(", flags: "); w.Dec(e->flags);
                        w.Str(" })");
                        break;
                    }
                case MadtEntryKind.InvalidLocalApic: w.Str("InvalidLocalApic("); w.Dec(value); w.Str(")"); break;
                case MadtEntryKind.InvalidIoApic: w.Str("InvalidIoApic("); w.Dec(value); w.Str(")"); break;
                case MadtEntryKind.InvalidIntSrcOverride: w.Str("InvalidIntSrcOverride("); w.Dec(value); w.Str(")"); break;
                default: w.Str("Unknown("); w.Dec(value); w.Str(")"); break;
            }
        }
    }

    /// <summary>
    /// The MADT's entries: type and length bytes, then the body. It stops when fewer than two
    /// bytes remain or an entry runs past the table; a known type of the wrong length is an
    /// Invalid* entry. (A zero length repeats the same entry for ever, as in the original.)
    /// </summary>
    public unsafe struct MadtIter
    {
        internal Sdt* sdt;
        internal ulong i;

        public MadtEntry? Next()
        {
            ulong data_len = Sdt.DataLen(sdt);
            if (i + 1 < data_len)
            {
                byte* data = (byte*)Sdt.DataAddress(sdt);
                byte entry_type = data[i];
                ulong entry_len = data[i + 1];

                if (i + entry_len <= data_len)
                {
                    MadtEntry item = default;
                    void* body = data + i + 2;
                    switch (entry_type)
                    {
                        case 0:
                            if (entry_len == (ulong)sizeof(MadtLocalApic) + 2) { item.kind = MadtEntryKind.LocalApic; item.entry = body; }
                            else { item.kind = MadtEntryKind.InvalidLocalApic; item.value = entry_len; }
                            break;
                        case 1:
                            if (entry_len == (ulong)sizeof(MadtIoApic) + 2) { item.kind = MadtEntryKind.IoApic; item.entry = body; }
                            else { item.kind = MadtEntryKind.InvalidIoApic; item.value = entry_len; }
                            break;
                        case 2:
                            if (entry_len == (ulong)sizeof(MadtIntSrcOverride) + 2) { item.kind = MadtEntryKind.IntSrcOverride; item.entry = body; }
                            else { item.kind = MadtEntryKind.InvalidIntSrcOverride; item.value = entry_len; }
                            break;
                        default:
                            item.kind = MadtEntryKind.Unknown;
                            item.value = entry_type;
                            break;
                    }
                    i += entry_len;
                    return item;
                }
            }
            return null;
        }
    }
}
