using System.Runtime.InteropServices;
using Kernel.arch.x86_64.paging;
using Kernel.arch.x86_64.paging.entry;
using Kernel.memory;

namespace Kernel.acpi.rsdp
{
    /// <summary>rsdp.rs: the Root System Description Pointer (packed, 36 bytes).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public unsafe struct RSDP
    {
        public fixed byte signature[8];
        public byte checksum;
        public fixed byte oemid[6];
        public byte revision;
        public uint rsdt_address;
        public uint length;
        public ulong xsdt_address;
        public byte extended_checksum;
        public fixed byte reserved[3];

        /// <summary>
        /// Identity-maps every page of the BIOS area 0xE0000..=0xFFFFF (present, no-execute; each
        /// flushed), then scans it. Neither checksum is verified, as in the original.
        /// </summary>
        public static RSDP? GetRsdp(ref ActivePageTable active_table)
        {
            ulong start_addr = 0xE_0000;
            ulong end_addr = 0xF_FFFF;

            Frame start_frame = Frame.ContainingAddress(new PhysicalAddress(start_addr));
            Frame end_frame = Frame.ContainingAddress(new PhysicalAddress(end_addr));
            FrameIter it = Frame.RangeInclusive(start_frame, end_frame);
            while (it.Next(out Frame frame))
            {
                Page page = Page.ContainingAddress(new VirtualAddress(frame.StartAddress().Get()));
                Acpi.MapToAndFlush(ref active_table, page, frame, EntryFlags.PRESENT | EntryFlags.NO_EXECUTE);
            }

            return Search(start_addr, end_addr);
        }

        /// <summary>The first 16-byte aligned "RSD PTR " in [start, end], copied out.</summary>
        public static RSDP? Search(ulong start_addr, ulong end_addr)
        {
            for (ulong i = 0; i < (end_addr + 1 - start_addr) / 16; i++)
            {
                RSDP* rsdp = (RSDP*)(start_addr + i * 16);
                if (SignatureMatches(rsdp))
                {
                    return *rsdp;
                }
            }
            return null;
        }

        private static bool SignatureMatches(RSDP* rsdp)
        {
            const string sig = "RSD PTR ";
            for (int i = 0; i < 8; i++)
            {
                if (rsdp->signature[i] != (byte)sig[i]) return false;
            }
            return true;
        }

        /// <summary>The XSDT's address from revision 2 on, the RSDT's before.</summary>
        public readonly ulong SdtAddress()
        {
            return revision >= 2 ? xsdt_address : rsdt_address;
        }
    }
}
