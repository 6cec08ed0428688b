using Kernel.acpi.sdt;

namespace Kernel.acpi.rsdt
{
    /// <summary>rsdt.rs: the Root System Description Table, 32-bit table addresses after the header.</summary>
    public unsafe struct Rsdt
    {
        public Sdt* sdt;

        /// <summary>Some when the signature is "RSDT".</summary>
        public static Rsdt? New(Sdt* sdt)
        {
            if (Sdt.SignatureIs(sdt, "RSDT"))
            {
                return new Rsdt { sdt = sdt };
            }
            return null;
        }
    }

    /// <summary>The RSDT's entries, one u32 each; a trailing partial entry is not read.</summary>
    public unsafe struct RsdtIter
    {
        public Sdt* sdt;
        public ulong i;

        public ulong? Next()
        {
            if (i < Sdt.DataLen(sdt) / sizeof(uint))
            {
                uint item = ((uint*)Sdt.DataAddress(sdt))[i];
                i += 1;
                return item;
            }
            return null;
        }
    }
}
