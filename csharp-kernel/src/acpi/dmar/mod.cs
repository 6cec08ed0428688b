using System.Runtime.InteropServices;
using alloc.vec;
using core.fmt;
using Kernel.acpi.dmar.drhd;
using Kernel.acpi.sdt;
using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.paging;
using Kernel.arch.x86_64.paging.entry;
using Kernel.memory;

namespace Kernel.acpi.dmar
{
    /// <summary>dmar/mod.rs: the DMA Remapping table (Intel VT-d).</summary>
    public unsafe struct Dmar
    {
        private Sdt* sdt;
        public byte addr_width;
        public byte flags;
        private fixed byte _rsv[10];

        /// <summary>
        /// `Dmar::init`: exactly one DMAR (else "Unable to find DMAR"), recorded in the load order;
        /// prints width and flags, every entry, and for each hardware unit its mapped registers.
        /// </summary>
        public static void Init(ref ActivePageTable active_table)
        {
            Vec<SdtRef> dmar_sdt = Acpi.FindSdt("DMAR");
            Dmar? dmar;
            if (dmar_sdt.Len() == 1)
            {
                Acpi.LoadTable(Acpi.GetSdtSignature(dmar_sdt[0].sdt));
                dmar = New(dmar_sdt[0].sdt);
            }
            else
            {
                using (var w = Writer.New()) { w.Str("Unable to find DMAR\n"); }
                dmar_sdt.Dispose();
                return;
            }

            if (dmar.HasValue)
            {
                Dmar d = dmar.GetValueOrDefault();
                using (var w = Writer.New()) { w.Str("  DMAR: "); w.Dec(d.addr_width); w.Str(": "); w.Dec(d.flags); w.Str("\n"); }

                DmarIter it = d.Iter();
                while (true)
                {
                    DmarEntry? next = it.Next();
                    if (!next.HasValue)
                    {
                        break;
                    }
                    DmarEntry dmar_entry = next.GetValueOrDefault();
                    using (var w = Writer.New()) { w.Str("      "); dmar_entry.Debug(w); w.Str("\n"); }
                    if (dmar_entry.kind == DmarEntryKind.Drhd)
                    {
                        Drhd* drhd = DmarDrhd.Get((DmarDrhd*)dmar_entry.entry, ref active_table);

                        using (var w = Writer.New()) { w.Str("VER: "); w.UpperHex(drhd->version); w.Str("\n"); }
                        using (var w = Writer.New()) { w.Str("CAP: "); w.UpperHex(drhd->cap); w.Str("\n"); }
                        using (var w = Writer.New()) { w.Str("EXT_CAP: "); w.UpperHex(drhd->ext_cap); w.Str("\n"); }
                        using (var w = Writer.New()) { w.Str("GCMD: "); w.UpperHex(drhd->gl_cmd); w.Str("\n"); }
                        using (var w = Writer.New()) { w.Str("GSTS: "); w.UpperHex(drhd->gl_sts); w.Str("\n"); }
                        using (var w = Writer.New()) { w.Str("RT: "); w.UpperHex(drhd->root_table); w.Str("\n"); }
                    }
                }
            }
            dmar_sdt.Dispose();
        }

        /// <summary>Some when the signature is "DMAR" and the data holds width, flags and the 10 reserved bytes.</summary>
        public static Dmar? New(Sdt* sdt)
        {
            if (Sdt.SignatureIs(sdt, "DMAR") && Sdt.DataLen(sdt) >= 12)
            {
                byte* data = (byte*)Sdt.DataAddress(sdt);
                Dmar d = default;
                d.sdt = sdt;
                d.addr_width = data[0];
                d.flags = data[1];
                for (int i = 0; i < 10; i++)
                {
                    d._rsv[i] = data[2 + i];
                }
                return d;
            }
            return null;
        }

        public readonly DmarIter Iter() => new DmarIter { sdt = sdt, i = 12 };
    }

    /// <summary>DMA Remapping Hardware Unit Definition (packed).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public unsafe struct DmarDrhd
    {
        public ushort kind;
        public ushort length;
        public byte flags;
        public byte _rsv;
        public ushort segment;
        public ulong @base;

        /// <summary>Identity-maps the unit's register page (present, writable, no-execute) and returns it in place.</summary>
        public static Drhd* Get(DmarDrhd* self, ref ActivePageTable active_table)
        {
            Acpi.IdentityMapAndFlush(ref active_table, Frame.ContainingAddress(new PhysicalAddress(self->@base)), EntryFlags.PRESENT | EntryFlags.WRITABLE | EntryFlags.NO_EXECUTE);
            return (Drhd*)self->@base;
        }
    }

    /// <summary>Reserved Memory Region Reporting (packed).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct DmarRmrr
    {
        public ushort kind;
        public ushort length;
        public ushort _rsv;
        public ushort segment;
        public ulong @base;
        public ulong limit;
    }

    /// <summary>Root Port ATS Capability Reporting (packed).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct DmarAtsr
    {
        public ushort kind;
        public ushort length;
        public byte flags;
        public byte _rsv;
        public ushort segment;
    }

    /// <summary>Remapping Hardware Static Affinity (packed).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct DmarRhsa
    {
        public ushort kind;
        public ushort length;
        public uint _rsv;
        public ulong @base;
        public uint domain;
    }

    /// <summary>ACPI Name-space Device Declaration (packed).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public unsafe struct DmarAndd
    {
        public ushort kind;
        public ushort length;
        public fixed byte _rsv[3];
        public byte acpi_dev;
    }

    public enum DmarEntryKind
    {
        Drhd,
        InvalidDrhd,
        Rmrr,
        InvalidRmrr,
        Atsr,
        InvalidAtsr,
        Rhsa,
        InvalidRhsa,
        Andd,
        InvalidAndd,
        Unknown,
    }

    /// <summary>`DmarEntry`: a reference into the table, or the length / type of an entry that does not fit.</summary>
    public unsafe struct DmarEntry
    {
        public DmarEntryKind kind;
        public void* entry;
        public ulong value;

        /// <summary>The derived `{:?}`.</summary>
        public readonly void Debug(Writer w)
        {
            switch (kind)
            {
                case DmarEntryKind.Drhd:
                    {
                        DmarDrhd* e = (DmarDrhd*)entry;
                        w.Str("Drhd(DmarDrhd { kind: "); w.Dec(e->kind);
                        w.Str(", length: "); w.Dec(e->length);
                        w.Str(", flags: "); w.Dec(e->flags);
                        w.Str(", _rsv: "); w.Dec(e->_rsv);
                        w.Str(", segment: "); w.Dec(e->segment);
                        w.Str(", base: "); w.Dec(e->@base);
                        w.Str(" })");
                        break;
                    }
                case DmarEntryKind.Rmrr:
                    {
                        DmarRmrr* e = (DmarRmrr*)entry;
                        w.Str("Rmrr(DmarRmrr { kind: "); w.Dec(e->kind);
                        w.Str(", length: "); w.Dec(e->length);
                        w.Str(", _rsv: "); w.Dec(e->_rsv);
                        w.Str(", segment: "); w.Dec(e->segment);
                        w.Str(", base: "); w.Dec(e->@base);
                        w.Str(", limit: "); w.Dec(e->limit);
                        w.Str(" })");
                        break;
                    }
                case DmarEntryKind.Atsr:
                    {
                        DmarAtsr* e = (DmarAtsr*)entry;
                        w.Str("Atsr(DmarAtsr { kind: "); w.Dec(e->kind);
                        w.Str(", length: "); w.Dec(e->length);
                        w.Str(", flags: "); w.Dec(e->flags);
                        w.Str(", _rsv: "); w.Dec(e->_rsv);
                        w.Str(", segment: "); w.Dec(e->segment);
                        w.Str(" })");
                        break;
                    }
                case DmarEntryKind.Rhsa:
                    {
                        DmarRhsa* e = (DmarRhsa*)entry;
                        w.Str("Rhsa(DmarRhsa { kind: "); w.Dec(e->kind);
                        w.Str(", length: "); w.Dec(e->length);
                        w.Str(", _rsv: "); w.Dec(e->_rsv);
                        w.Str(", base: "); w.Dec(e->@base);
                        w.Str(", domain: "); w.Dec(e->domain);
                        w.Str(" })");
                        break;
                    }
                case DmarEntryKind.Andd:
                    {
                        DmarAndd* e = (DmarAndd*)entry;
                        w.Str("Andd(DmarAndd { kind: "); w.Dec(e->kind);
                        w.Str(", length: "); w.Dec(e->length);
                        w.Str(", _rsv: ["); w.Dec(e->_rsv[0]); w.Str(", "); w.Dec(e->_rsv[1]); w.Str(", "); w.Dec(e->_rsv[2]);
                        w.Str("], acpi_dev: "); w.Dec(e->acpi_dev);
                        w.Str(" })");
                        break;
                    }
                case DmarEntryKind.InvalidDrhd: w.Str("InvalidDrhd("); w.Dec(value); w.Str(")"); break;
                case DmarEntryKind.InvalidRmrr: w.Str("InvalidRmrr("); w.Dec(value); w.Str(")"); break;
                case DmarEntryKind.InvalidAtsr: w.Str("InvalidAtsr("); w.Dec(value); w.Str(")"); break;
                case DmarEntryKind.InvalidRhsa: w.Str("InvalidRhsa("); w.Dec(value); w.Str(")"); break;
                case DmarEntryKind.InvalidAndd: w.Str("InvalidAndd("); w.Dec(value); w.Str(")"); break;
                default: w.Str("Unknown("); w.Dec(value); w.Str(")"); break;
            }
        }
    }

    /// <summary>
    /// The DMAR's remapping structures: u16 type, u16 length. Stops when fewer than 4 bytes remain
    /// or an entry runs past the table; a known type too short (RHSA: not exactly its size) is an
    /// Invalid* entry. (A zero length repeats the same entry for ever, as in the original.)
    /// </summary>
    public unsafe struct DmarIter
    {
        internal Sdt* sdt;
        internal ulong i;

        public DmarEntry? Next()
        {
            ulong data_len = Sdt.DataLen(sdt);
            if (i + 4 <= data_len)
            {
                byte* data = (byte*)Sdt.DataAddress(sdt);
                ushort entry_type = *(ushort*)(data + i);
                ulong entry_len = *(ushort*)(data + i + 2);

                if (i + entry_len <= data_len)
                {
                    DmarEntry item = default;
                    void* body = data + i;
                    switch (entry_type)
                    {
                        case 0:
                            if (entry_len >= (ulong)sizeof(DmarDrhd)) { item.kind = DmarEntryKind.Drhd; item.entry = body; }
                            else { item.kind = DmarEntryKind.InvalidDrhd; item.value = entry_len; }
                            break;
                        case 1:
                            if (entry_len >= (ulong)sizeof(DmarRmrr)) { item.kind = DmarEntryKind.Rmrr; item.entry = body; }
                            else { item.kind = DmarEntryKind.InvalidRmrr; item.value = entry_len; }
                            break;
                        case 2:
                            if (entry_len >= (ulong)sizeof(DmarAtsr)) { item.kind = DmarEntryKind.Atsr; item.entry = body; }
                            else { item.kind = DmarEntryKind.InvalidAtsr; item.value = entry_len; }
                            break;
                        case 3:
                            if (entry_len == (ulong)sizeof(DmarRhsa)) { item.kind = DmarEntryKind.Rhsa; item.entry = body; }
                            else { item.kind = DmarEntryKind.InvalidRhsa; item.value = entry_len; }
                            break;
                        case 4:
                            if (entry_len >= (ulong)sizeof(DmarAndd)) { item.kind = DmarEntryKind.Andd; item.entry = body; }
                            else { item.kind = DmarEntryKind.InvalidAndd; item.value = entry_len; }
                            break;
                        default:
                            item.kind = DmarEntryKind.Unknown;
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
