using System.Runtime.InteropServices;

namespace Kernel.acpi.sdt
{
    /// <summary>sdt.rs: the 36-byte header every ACPI system description table starts with (packed).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public unsafe struct Sdt
    {
        public fixed byte signature[4];
        public uint length;
        public byte revision;
        public byte checksum;
        public fixed byte oem_id[6];
        public fixed byte oem_table_id[8];
        public uint oem_revision;
        public uint creator_id;
        public uint creator_revision;

        /// <summary>Where the table's data begins: right after the header.</summary>
        public static ulong DataAddress(Sdt* self) => (ulong)self + (ulong)sizeof(Sdt);

        /// <summary>The data's length: `length` minus the header, 0 when `length` is shorter than a header.</summary>
        public static ulong DataLen(Sdt* self)
        {
            ulong total_size = self->length;
            ulong header_size = (ulong)sizeof(Sdt);
            return total_size >= header_size ? total_size - header_size : 0;
        }

        /// <summary>True when signature, OEM id and OEM table id all equal the given ones.</summary>
        public static bool MatchPattern(Sdt* self, byte* signature, byte* oem_id, byte* oem_table_id)
        {
            for (int i = 0; i < 4; i++)
            {
                if (self->signature[i] != signature[i]) return false;
            }
            for (int i = 0; i < 6; i++)
            {
                if (self->oem_id[i] != oem_id[i]) return false;
            }
            for (int i = 0; i < 8; i++)
            {
                if (self->oem_table_id[i] != oem_table_id[i]) return false;
            }
            return true;
        }

        /// <summary>`&amp;sdt.signature == b"XXXX"`.</summary>
        public static bool SignatureIs(Sdt* self, string sig)
        {
            for (int i = 0; i < 4; i++)
            {
                if (self->signature[i] != (byte)sig[i]) return false;
            }
            return true;
        }
    }
}
