using System.Runtime.CompilerServices;
using alloc.btree_map;
using alloc.vec;
using core.fmt;
using Kernel.acpi.aml;
using Kernel.acpi.aml.namespace_;
using Kernel.acpi.dmar;
using Kernel.acpi.fadt;
using Kernel.acpi.hpet;
using Kernel.acpi.madt;
using Kernel.acpi.rsdp;
using Kernel.acpi.rsdt;
using Kernel.acpi.rxsdt;
using Kernel.acpi.sdt;
using Kernel.acpi.xsdt;
using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.paging;
using Kernel.arch.x86_64.paging.entry;
using Kernel.arch.x86_64.paging.mapper;
using Kernel.Hal;
using Kernel.memory;
using String = alloc.@string.String;

namespace Kernel.acpi
{
    /// <summary>
    /// `SdtSignature` = (String, [u8; 6], [u8; 8]): the signature as a string, the OEM id and the
    /// OEM table id. Ordered (and compared) as Rust orders the tuple: field by field.
    /// </summary>
    public unsafe struct SdtSignature
    {
        public String name;
        public fixed byte oem_id[6];
        public fixed byte oem_table_id[8];

        public readonly SdtSignature Clone()
        {
            SdtSignature s = this;
            s.name = name.Clone();
            return s;
        }

        public static int Compare(SdtSignature* a, SdtSignature* b)
        {
            int c = String.Compare(a->name, b->name);
            if (c != 0) return c;
            for (int i = 0; i < 6; i++)
            {
                if (a->oem_id[i] != b->oem_id[i]) return a->oem_id[i] < b->oem_id[i] ? -1 : 1;
            }
            for (int i = 0; i < 8; i++)
            {
                if (a->oem_table_id[i] != b->oem_table_id[i]) return a->oem_table_id[i] < b->oem_table_id[i] ? -1 : 1;
            }
            return 0;
        }

        public void Dispose() => name.Dispose();
    }

    /// <summary>A `&amp;'static Sdt` as a map value / vector element.</summary>
    public unsafe struct SdtRef
    {
        public Sdt* sdt;
    }

    /// <summary>
    /// acpi/mod.rs: finds the RSDP, walks the RSDT/XSDT, maps every table it lists, then reads the
    /// FADT (and through it the DSDT), the MADT, the DMAR, the HPET, and parses the DSDT and SSDTs
    /// as AML. Its globals (`SDT_POINTERS`, `SDT_ORDER`, `ACPI_TABLE`) are plain statics here: the
    /// original's spin RwLocks are never contended at boot (one CPU, no interrupts).
    /// </summary>
    public static unsafe class Acpi
    {
        public const ulong TRAMPOLINE = 0x7E00;
        public const ulong AP_STARTUP = TRAMPOLINE + 512;

        /// <summary>`SDT_POINTERS`: Option&lt;BTreeMap&lt;SdtSignature, &amp;Sdt&gt;&gt;.</summary>
        public static bool sdt_pointers_is_some;
        public static BTreeMap<SdtSignature, SdtRef> SDT_POINTERS;

        /// <summary>`SDT_ORDER`: Option&lt;Vec&lt;SdtSignature&gt;&gt;.</summary>
        public static bool sdt_order_is_some;
        public static Vec<SdtSignature> SDT_ORDER;

        /// <summary>`ACPI_TABLE`: the FADT, the AML namespace, the HPET, the next AML context id.</summary>
        public static AcpiTable ACPI_TABLE;

        /// <summary>
        /// Host tests only (null in the kernel): stand-ins for the page-table calls, which on the
        /// host have no recursive mapping to walk. The kernel always takes the real calls.
        /// </summary>
        public static delegate*<ulong, bool> HostTranslatePageHook;
        public static delegate*<ulong, ulong, ulong, void> HostMapToHook;

        /// <summary>`active_table.translate_page(page).is_some()`.</summary>
        internal static bool IsMapped(ref ActivePageTable active_table, Page page)
        {
            if (HostTranslatePageHook != null)
            {
                return HostTranslatePageHook(page.StartAddress().Get());
            }
            return active_table.mapper.TranslatePage(page).HasValue;
        }

        /// <summary>`active_table.map_to(page, frame, flags)` then `result.flush(active_table)`.</summary>
        internal static void MapToAndFlush(ref ActivePageTable active_table, Page page, Frame frame, EntryFlags flags)
        {
            if (HostMapToHook != null)
            {
                HostMapToHook(page.StartAddress().Get(), frame.StartAddress().Get(), (ulong)flags);
                return;
            }
            MapperFlush result = active_table.mapper.MapTo(page, frame, flags);
            result.Flush(ref active_table);
        }

        /// <summary>`active_table.identity_map(frame, flags)` then `result.flush(active_table)`.</summary>
        internal static void IdentityMapAndFlush(ref ActivePageTable active_table, Frame frame, EntryFlags flags)
        {
            if (HostMapToHook != null)
            {
                HostMapToHook(frame.StartAddress().Get(), frame.StartAddress().Get(), (ulong)flags);
                return;
            }
            MapperFlush result = active_table.mapper.IdentityMap(frame, flags);
            result.Flush(ref active_table);
        }

        /// <summary>
        /// `get_sdt`: identity-maps the page of the header if unmapped, then every further page up to
        /// address + 4096 .. address + length (inclusive) that is unmapped — present, no-execute,
        /// flushed one by one — and returns the table in place. (These mappings are never undone.)
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Sdt* GetSdt(ulong sdt_address, ref ActivePageTable active_table)
        {
            {
                Page page = Page.ContainingAddress(new VirtualAddress(sdt_address));
                if (!IsMapped(ref active_table, page))
                {
                    Frame frame = Frame.ContainingAddress(new PhysicalAddress(page.StartAddress().Get()));
#if MUTATION_ACPI_SDT_MAP_WRITABLE // NOT the original: ACPI tables mapped writable (make mutants)
                    MapToAndFlush(ref active_table, page, frame, EntryFlags.PRESENT | EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE);
#else
                    MapToAndFlush(ref active_table, page, frame, EntryFlags.PRESENT | EntryFlags.NO_EXECUTE);
#endif
                }
            }

            Sdt* sdt = (Sdt*)sdt_address;

            {
                Page start_page = Page.ContainingAddress(new VirtualAddress(sdt_address + 4096));
                Page end_page = Page.ContainingAddress(new VirtualAddress(sdt_address + sdt->length));
                PageIter it = Page.RangeInclusive(start_page, end_page);
                while (true)
                {
                    Page? next = it.Next();
                    if (!next.HasValue)
                    {
                        break;
                    }
                    Page page = next.GetValueOrDefault();
                    if (!IsMapped(ref active_table, page))
                    {
                        Frame frame = Frame.ContainingAddress(new PhysicalAddress(page.StartAddress().Get()));
                        MapToAndFlush(ref active_table, page, frame, EntryFlags.PRESENT | EntryFlags.NO_EXECUTE);
                    }
                }
            }

            return sdt;
        }

        /// <summary>`init_aml_table`: parse one AML table and print the outcome after its name.</summary>
        public static void InitAmlTable(Sdt* sdt)
        {
            AmlResult res = Aml.ParseAmlTable(sdt);
            if (res.ok)
            {
                Aml.DropDelta(ref res.delta);
                using (var w = Writer.New()) { w.Str(": Parsed\n"); }
                return;
            }
            switch (res.err.kind)
            {
                case AmlErrorKind.AmlParseError:
                    using (var w = Writer.New()) { w.Str(": "); w.Str(res.err.message); w.Str("\n"); }
                    break;
                case AmlErrorKind.AmlInvalidOpCode:
                    using (var w = Writer.New()) { w.Str(": Invalid opcode\n"); }
                    break;
                case AmlErrorKind.AmlValueError:
                    using (var w = Writer.New()) { w.Str(": Type constraints or value bounds not met\n"); }
                    break;
                case AmlErrorKind.AmlDeferredLoad:
                    using (var w = Writer.New()) { w.Str(": Deferred load reached top level\n"); }
                    break;
                case AmlErrorKind.AmlFatalError:
                case AmlErrorKind.AmlHardFatal:
                    using (var w = Writer.New()) { w.Str(": Fatal error occurred\n"); }
                    Kernel.arch.x86_64.stop.Stop.KStop();
                    break;
            }
            res.err.Drop();
        }

        /// <summary>`init_namespace`: an empty namespace, then the DSDT (exactly one, or a message), then every SSDT.</summary>
        public static void InitNamespace()
        {
            if (ACPI_TABLE.namespace_is_some)
            {
                Namespace.DropMap(ref ACPI_TABLE.namespace_);
            }
            ACPI_TABLE.namespace_ = Namespace.NewMap();
            ACPI_TABLE.namespace_is_some = true;

            Vec<SdtRef> dsdt = FindSdt("DSDT");
            if (dsdt.Len() == 1)
            {
                using (var w = Writer.New()) { w.Str("  DSDT"); }
                LoadTable(GetSdtSignature(dsdt[0].sdt));
                InitAmlTable(dsdt[0].sdt);
            }
            else
            {
                using (var w = Writer.New()) { w.Str("Unable to find DSDT\n"); }
                dsdt.Dispose();
                return;
            }
            dsdt.Dispose();

            Vec<SdtRef> ssdts = FindSdt("SSDT");
            for (ulong i = 0; i < ssdts.Len(); i++)
            {
                Sdt* ssdt = ssdts[i].sdt;
                using (var w = Writer.New()) { w.Str("  SSDT"); }
                LoadTable(GetSdtSignature(ssdt));
                InitAmlTable(ssdt);
            }
            ssdts.Dispose();
        }

        /// <summary>`acpi::init`: see the class summary. Prints "NO RSDP FOUND" without an RSDP.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Init(ref ActivePageTable active_table)
        {
            if (sdt_pointers_is_some)
            {
                DropSdtPointers();
            }
            SDT_POINTERS = BTreeMap<SdtSignature, SdtRef>.New(&SdtSignature.Compare);
            sdt_pointers_is_some = true;

            if (sdt_order_is_some)
            {
                DropSdtOrder();
            }
            SDT_ORDER = Vec<SdtSignature>.New();
            sdt_order_is_some = true;

            RSDP? found = RSDP.GetRsdp(ref active_table);
            if (found.HasValue)
            {
                RSDP rsdp = found.GetValueOrDefault();
                Sdt* rxsdt_sdt = GetSdt(rsdp.SdtAddress(), ref active_table);

                for (int i = 0; i < 4; i++)
                {
                    using (var w = Writer.New()) { PrintByteAsChar(w, rxsdt_sdt->signature[i]); }
                }
                using (var w = Writer.New()) { w.Str(":\n"); }

                Rxsdt rxsdt;
                Rsdt? rsdt = Rsdt.New(rxsdt_sdt);
                if (rsdt.HasValue)
                {
                    rxsdt = Rxsdt.FromRsdt(rsdt.GetValueOrDefault());
                }
                else
                {
                    Xsdt? xsdt = Xsdt.New(rxsdt_sdt);
                    if (xsdt.HasValue)
                    {
                        rxsdt = Rxsdt.FromXsdt(xsdt.GetValueOrDefault());
                    }
                    else
                    {
                        using (var w = Writer.New()) { w.Str("UNKNOWN RSDT OR XSDT SIGNATURE\n"); }
                        return;
                    }
                }

                rxsdt.MapAll(ref active_table);

                Rxsdt.Iter it = rxsdt.GetIter();
                while (true)
                {
                    ulong? sdt_address = it.Next();
                    if (!sdt_address.HasValue)
                    {
                        break;
                    }
                    Sdt* sdt = (Sdt*)sdt_address.GetValueOrDefault();
                    SdtSignature signature = GetSdtSignature(sdt);
                    if (sdt_pointers_is_some)
                    {
                        InsertSdtPointer(signature, sdt);
                    }
                    else
                    {
                        signature.Dispose();
                    }
                }
                it.Dispose();

                Fadt.Init(ref active_table);
                Madt.Init(ref active_table);
                Dmar.Init(ref active_table);
                Hpet.Init(ref active_table);
                InitNamespace();

                rxsdt.Dispose();
            }
            else
            {
                using (var w = Writer.New()) { w.Str("NO RSDP FOUND\n"); }
            }
        }

        /// <summary>`print!("{}", c as char)`: a byte above 0x7F is the char U+0080..U+00FF, two bytes of UTF-8.</summary>
        private static void PrintByteAsChar(Writer w, byte c)
        {
            if (c < 0x80)
            {
                w.Char(c);
                return;
            }
            byte* utf8 = stackalloc byte[2];
            utf8[0] = (byte)(0xC0 | (c >> 6));
            utf8[1] = (byte)(0x80 | (c & 0x3F));
            w.WriteBytes(utf8, 2);
        }

        /// <summary>`SDT_POINTERS.insert(signature, sdt)`: an existing key keeps its string, the new one is dropped.</summary>
        internal static void InsertSdtPointer(SdtSignature signature, Sdt* sdt)
        {
            if (SDT_POINTERS.Insert(signature, new SdtRef { sdt = sdt }, out _, out SdtSignature unused))
            {
                unused.Dispose();
            }
        }

        private static void DropSdtPointers()
        {
            for (ulong i = 0; i < SDT_POINTERS.Len(); i++)
            {
                SDT_POINTERS.At(i)->key.Dispose();
            }
            SDT_POINTERS.Dispose();
        }

        private static void DropSdtOrder()
        {
            for (ulong i = 0; i < SDT_ORDER.Len(); i++)
            {
                SDT_ORDER[i].Dispose();
            }
            SDT_ORDER.Dispose();
        }

        /// <summary>
        /// `set_global_s_state(5)`: with a FADT and a `\_S5` package in the namespace, prints the
        /// sleep types and writes SLP_TYPa | SLP_EN to PM1a's control port. Other states do nothing.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void SetGlobalSState(byte state)
        {
            if (state != 5 || !ACPI_TABLE.fadt_is_some)
            {
                return;
            }
            ushort port = (ushort)ACPI_TABLE.fadt.pm1a_control_block;
            ushort val = 1 << 13;

            if (!ACPI_TABLE.namespace_is_some)
            {
                return;
            }
            String key = String.FromStr("\\_S5");
            AmlValue* s = ACPI_TABLE.namespace_.Get(&key);
            key.Dispose();
            if (s == null)
            {
                return;
            }
            var p = s->GetAsPackage();
            if (!p.ok)
            {
                p.err.Drop();
                return;
            }
            var a = p.value[0].GetAsInteger();
            if (!a.ok)
            {
                ExpectFailed("SLP_TYPa is not an integer", a.err);
            }
            var b = p.value[1].GetAsInteger();
            if (!b.ok)
            {
                ExpectFailed("SLP_TYPb is not an integer", b.err);
            }
            ulong slp_typa = a.value;
            ulong slp_typb = b.value;

            using (var w = Writer.New())
            {
                w.Str("Shutdown SLP_TYPa ");
                w.UpperHex(slp_typa);
                w.Str(", SLP_TYPb ");
                w.UpperHex(slp_typb);
                w.Str("\n");
            }
            val |= (ushort)slp_typa;

            using (var w = Writer.New())
            {
                w.Str("Shutdown with ACPI outw(0x");
                w.UpperHex(port);
                w.Str(", 0x");
                w.UpperHex(val);
                w.Str(")\n");
            }
            Port.Outw(port, val);
            AmlValue.DropVec(ref p.value);
        }

        /// <summary>`Result::expect(msg)` on an Err: "msg: {:?}" where AmlError's Debug is the variant.</summary>
        private static void ExpectFailed(string msg, AmlError err)
        {
            var w = Panic.Begin();
            w.Str(msg);
            w.Str(": ");
            err.Debug(w);
            Panic.End(w, "libcore/result.rs", 916);
        }

        /// <summary>`find_sdt(name)`: every mapped table whose signature string is `name`, in key order.</summary>
        public static Vec<SdtRef> FindSdt(string name)
        {
            Vec<SdtRef> sdts = Vec<SdtRef>.New();
            if (sdt_pointers_is_some)
            {
                for (ulong i = 0; i < SDT_POINTERS.Len(); i++)
                {
                    var e = SDT_POINTERS.At(i);
                    if (e->key.name.EqStr(name))
                    {
                        sdts.Push(e->value);
                    }
                }
            }
            return sdts;
        }

        /// <summary>`get_sdt_signature`: (signature as a 4-byte String, oem_id, oem_table_id).</summary>
        public static SdtSignature GetSdtSignature(Sdt* sdt)
        {
            Utf8Check(sdt->signature);
            SdtSignature s;
            s.name = String.FromBytes(sdt->signature, 4);
            for (int i = 0; i < 6; i++) s.oem_id[i] = sdt->oem_id[i];
            for (int i = 0; i < 8; i++) s.oem_table_id[i] = sdt->oem_table_id[i];
            return s;
        }

        /// <summary>
        /// `String::from_utf8(..).expect("Error converting signature to string")` of a 4-byte
        /// signature: invalid UTF-8 panics with the error's Debug form.
        /// </summary>
        private static void Utf8Check(byte* b)
        {
            ulong i = 0;
            while (i < 4)
            {
                byte c = b[i];
                ulong need = c < 0x80 ? 0UL : (c >= 0xC2 && c <= 0xDF) ? 1UL : (c >= 0xE0 && c <= 0xEF) ? 2UL : (c >= 0xF0 && c <= 0xF4) ? 3UL : 99UL;
                ulong bad_len = 1;
                bool incomplete = false;
                bool ok = need != 99;
                if (ok)
                {
                    for (ulong k = 1; k <= need; k++)
                    {
                        if (i + k >= 4) { incomplete = true; ok = false; break; }
                        byte n = b[i + k];
                        byte lo = 0x80, hi = 0xBF;
                        if (k == 1 && c == 0xE0) lo = 0xA0;
                        if (k == 1 && c == 0xED) hi = 0x9F;
                        if (k == 1 && c == 0xF0) lo = 0x90;
                        if (k == 1 && c == 0xF4) hi = 0x8F;
                        if (n < lo || n > hi) { ok = false; bad_len = k; break; }
                    }
                }
                if (!ok)
                {
                    var w = Panic.Begin();
                    w.Str("Error converting signature to string: FromUtf8Error { bytes: [");
                    for (int k = 0; k < 4; k++)
                    {
                        if (k > 0) w.Str(", ");
                        w.Dec(b[k]);
                    }
                    w.Str("], error: Utf8Error { valid_up_to: ");
                    w.Dec(i);
                    if (incomplete)
                    {
                        w.Str(", error_len: None } }");
                    }
                    else
                    {
                        w.Str(", error_len: Some(");
                        w.Dec(bad_len);
                        w.Str(") } }");
                    }
                    Panic.End(w, "libcore/result.rs", 916);
                }
                i += need + 1;
            }
        }

        /// <summary>`load_table`: appends the signature to `SDT_ORDER` (dropped when there is no order).</summary>
        public static void LoadTable(SdtSignature signature)
        {
            if (sdt_order_is_some)
            {
                SDT_ORDER.Push(signature);
            }
            else
            {
                signature.Dispose();
            }
        }

        /// <summary>`get_signature_from_index`: a clone of entry `index` of `SDT_ORDER`.</summary>
        public static bool GetSignatureFromIndex(ulong index, out SdtSignature signature)
        {
            if (sdt_order_is_some && index < SDT_ORDER.Len())
            {
                signature = SDT_ORDER[index].Clone();
                return true;
            }
            signature = default;
            return false;
        }

        /// <summary>`get_index_from_signature`: the last index holding an equal signature.</summary>
        public static ulong? GetIndexFromSignature(SdtSignature* signature)
        {
            if (sdt_order_is_some)
            {
                ulong i = SDT_ORDER.Len();
                while (i > 0)
                {
                    i -= 1;
                    SdtSignature* o = SDT_ORDER.AsPtr() + i;
                    if (SdtSignature.Compare(o, signature) == 0)
                    {
                        return i;
                    }
                }
            }
            return null;
        }
    }

    /// <summary>`struct Acpi`: what ACPI init leaves for the rest of the kernel.</summary>
    public struct AcpiTable
    {
        public bool fadt_is_some;
        public Fadt fadt;
        public bool namespace_is_some;
        public BTreeMap<String, AmlValue> namespace_;
        public bool hpet_is_some;
        public Hpet hpet;
        public ulong next_ctx;
    }
}
