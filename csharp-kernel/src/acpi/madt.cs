using System.Runtime.InteropServices;
using alloc.vec;
using core.fmt;
using Kernel.acpi.sdt;
using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.paging;

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
        /// recordings come from: no AP is started, the trampoline is never mapped.
        /// </summary>
        public const bool MULTI_CORE = false;

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

                if (LocalApicSource != null)
                {
                    LocalApicView local_apic = LocalApicSource();
                    byte me = (byte)local_apic.id;

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

                if (MULTI_CORE)
                {
                    // NOT PORTED: the `multi_core` start-up of the APs (map the trampoline at
                    // 0x7E00 writable, for each enabled LocalApic entry other than this CPU's:
                    // 64-frame stack, INIT and START IPIs, wait for the trampoline and AP_READY,
                    // then unmap the trampoline). The default build never compiles it in.
                }
            }
            madt_sdt.Dispose();
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
