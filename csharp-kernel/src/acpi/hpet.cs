using System.Runtime.InteropServices;
using alloc.vec;
using core.fmt;
using Kernel.acpi.sdt;
using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.paging;
using Kernel.arch.x86_64.paging.entry;
using Kernel.memory;

namespace Kernel.acpi.hpet
{
    /// <summary>hpet.rs: ACPI's Generic Address Structure (packed, 12 bytes).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public unsafe struct GenericAddressStructure
    {
        private byte address_space;
        private byte bit_width;
        private byte bit_offset;
        private byte access_size;
        public ulong address;

        /// <summary>Identity-maps the one page holding `address`: present, writable, no-execute.</summary>
        public readonly void Init(ref ActivePageTable active_table)
        {
            Page page = Page.ContainingAddress(new VirtualAddress(address));
            Frame frame = Frame.ContainingAddress(new PhysicalAddress(address));
#if MUTATION_HPET_MAP_UNCACHED // NOT the original: the HPET page mapped uncached (make mutants)
            Acpi.MapToAndFlush(ref active_table, page, frame, EntryFlags.PRESENT | EntryFlags.WRITABLE | EntryFlags.NO_EXECUTE | EntryFlags.NO_CACHE);
#else
            Acpi.MapToAndFlush(ref active_table, page, frame, EntryFlags.PRESENT | EntryFlags.WRITABLE | EntryFlags.NO_EXECUTE);
#endif
        }

        public readonly ulong ReadU64(ulong offset) => *(ulong*)(address + offset);

        public void WriteU64(ulong offset, ulong value) => *(ulong*)(address + offset) = value;
    }

    /// <summary>hpet.rs: the HPET description table (packed, 56 bytes).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public unsafe struct Hpet
    {
        public Sdt header;

        public byte hw_rev_id;
        public byte comparator_descriptor;
        public ushort pci_vendor_id;

        public GenericAddressStructure base_address;

        public byte hpet_number;
        public ushort min_periodic_clk_tick;
        public byte oem_attribute;

        /// <summary>`Hpet::init`: exactly one HPET (else "Unable to find HPET"); prints its number, keeps it.</summary>
        public static void Init(ref ActivePageTable active_table)
        {
            Vec<SdtRef> hpet_sdt = Acpi.FindSdt("HPET");
            Hpet? hpet;
            if (hpet_sdt.Len() == 1)
            {
                Acpi.LoadTable(Acpi.GetSdtSignature(hpet_sdt[0].sdt));
                hpet = New(hpet_sdt[0].sdt, ref active_table);
            }
            else
            {
                using (var w = Writer.New()) { w.Str("Unable to find HPET\n"); }
                hpet_sdt.Dispose();
                return;
            }

            if (hpet.HasValue)
            {
                Hpet h = hpet.GetValueOrDefault();
#if MUTATION_SERIAL_DROP_HPET_LINE // NOT the original: the HPET line is not printed (make mutants)
                // (line not printed)
#else
                using (var w = Writer.New()) { w.Str("  HPET: "); w.UpperHex(h.hpet_number); w.Str("\n"); }
#endif

                Acpi.ACPI_TABLE.hpet = h;
                Acpi.ACPI_TABLE.hpet_is_some = true;
            }
            hpet_sdt.Dispose();
        }

        /// <summary>A copy when the signature is "HPET" and the table is long enough; maps the timer's registers.</summary>
        public static Hpet? New(Sdt* sdt, ref ActivePageTable active_table)
        {
            if (Sdt.SignatureIs(sdt, "HPET") && sdt->length >= (uint)sizeof(Hpet))
            {
                Hpet s = *(Hpet*)sdt;
                s.base_address.Init(ref active_table);
                return s;
            }
            return null;
        }
    }
}
