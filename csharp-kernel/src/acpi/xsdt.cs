using Kernel.acpi.sdt;

namespace Kernel.acpi.xsdt
{
    /// <summary>xsdt.rs: the Extended System Description Table, 64-bit table addresses after the header.</summary>
    public unsafe struct Xsdt
    {
        public Sdt* sdt;

        /// <summary>Some when the signature is "XSDT".</summary>
        public static Xsdt? New(Sdt* sdt)
        {
            if (Sdt.SignatureIs(sdt, "XSDT"))
            {
                return new Xsdt { sdt = sdt };
            }
            return null;
        }
    }

    /// <summary>The XSDT's entries, one u64 each; a trailing partial entry is not read.</summary>
    public unsafe struct XsdtIter
    {
        public Sdt* sdt;
        public ulong i;

        public ulong? Next()
        {
            if (i < Sdt.DataLen(sdt) / sizeof(ulong))
            {
                ulong item = ((ulong*)Sdt.DataAddress(sdt))[i];
                i += 1;
                return item;
            }
            return null;
        }
    }
}
