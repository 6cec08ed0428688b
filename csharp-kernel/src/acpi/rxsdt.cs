using alloc.boxed;
using Kernel.acpi.rsdt;
using Kernel.acpi.sdt;
using Kernel.acpi.xsdt;
using Kernel.arch.x86_64.paging;

namespace Kernel.acpi.rxsdt
{
    /// <summary>
    /// rxsdt.rs: the trait the RSDT and the XSDT share, here one struct that knows which it is.
    /// The original keeps it as a `Box&lt;Rxsdt&gt;` (one 8-byte allocation) and every `iter()` hands out
    /// a boxed iterator (one 16-byte allocation, freed when the loop ends): both are reproduced.
    /// </summary>
    public unsafe struct Rxsdt
    {
        /// <summary>The boxed `Rsdt`/`Xsdt` (its only field: the table).</summary>
        public Box<ulong> boxed;
        public bool is_xsdt;

        public static Rxsdt FromRsdt(Rsdt rsdt) => new Rxsdt { boxed = Box<ulong>.New((ulong)rsdt.sdt), is_xsdt = false };

        public static Rxsdt FromXsdt(Xsdt xsdt) => new Rxsdt { boxed = Box<ulong>.New((ulong)xsdt.sdt), is_xsdt = true };

        public readonly Sdt* Table() => (Sdt*)*boxed.Ptr();

        /// <summary>`iter()`: a boxed iterator over the table addresses.</summary>
        public readonly Iter GetIter()
        {
            Iter it;
            it.is_xsdt = is_xsdt;
            if (is_xsdt)
            {
                it.x = Box<XsdtIter>.New(new XsdtIter { sdt = Table(), i = 0 });
                it.r = default;
            }
            else
            {
                it.r = Box<RsdtIter>.New(new RsdtIter { sdt = Table(), i = 0 });
                it.x = default;
            }
            return it;
        }

        /// <summary>`map_all`: `get_sdt` of every listed table, in order.</summary>
        public readonly void MapAll(ref ActivePageTable active_table)
        {
            Iter it = GetIter();
            while (true)
            {
                ulong? sdt = it.Next();
                if (!sdt.HasValue)
                {
                    break;
                }
                Acpi.GetSdt(sdt.GetValueOrDefault(), ref active_table);
            }
            it.Dispose();
        }

        /// <summary>`find`: the first listed table matching signature, OEM id and OEM table id.</summary>
        public readonly Sdt* Find(byte* signature, byte* oem_id, byte* oem_table_id)
        {
            Iter it = GetIter();
            Sdt* found = null;
            while (true)
            {
                ulong? sdt = it.Next();
                if (!sdt.HasValue)
                {
                    break;
                }
                Sdt* s = (Sdt*)sdt.GetValueOrDefault();
                if (Sdt.MatchPattern(s, signature, oem_id, oem_table_id))
                {
                    found = s;
                    break;
                }
            }
            it.Dispose();
            return found;
        }

        public void Dispose() => boxed.Dispose();

        /// <summary>The `Box&lt;Iterator&gt;`.</summary>
        public struct Iter
        {
            public bool is_xsdt;
            public Box<RsdtIter> r;
            public Box<XsdtIter> x;

            public ulong? Next() => is_xsdt ? x.Value.Next() : r.Value.Next();

            public void Dispose()
            {
                if (is_xsdt) x.Dispose(); else r.Dispose();
            }
        }
    }
}
