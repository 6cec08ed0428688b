using Harness.Diff.Normalise;
using Harness.Trace;

namespace Harness.Diff.Compare;

/// <summary>
/// Compares descriptor state at each checkpoint: GDTR/IDTR (limits exactly, bases as "this kernel's static"),
/// the task register and segment registers (selectors exactly, bases symbolically), the GDT and IDT entry by
/// entry when they are the kernel's own (else byte for byte: the loader's or BIOS's tables), and the TSS
/// field by field. The TSS descriptor's limit 0x68 and DPL 3 are compared like everything else: exactly.
/// </summary>
internal static class DescriptorsComparer
{
    public static void Run(DiffContext ctx) =>
        StatePairs.ForEach(ctx, Observable.Descriptors, c => c, (name, ca, cb, _, _) =>
        {
            var r = new Reporter(ctx, name, ca.Seq, cb.Seq);
            Registers(r, ca.Regs, cb.Regs);
            var (da, db) = (ca.Descriptors, cb.Descriptors);
            if (da is null && db is null) return;
            if (da is null || db is null)
            {
                ctx.OneSided(Observable.Descriptors, name, $"only {(da is null ? "B" : "A")} recorded the descriptor tables at {name}");
                return;
            }
            r.Exact("error", da.Error ?? "-", db.Error ?? "-");
            Gdt(r, da.Gdt, db.Gdt, Owned(ctx, ca.Regs.Gdtr, cb.Regs.Gdtr));
            Idt(ctx, r, da.Idt, db.Idt, Owned(ctx, ca.Regs.Idtr, cb.Regs.Idtr));
            Tss(r, da.Tss, db.Tss);
        });

    private static void Registers(Reporter r, CpuRegisters a, CpuRegisters b)
    {
        Table(r, "gdtr", a.Gdtr, b.Gdtr);
        Table(r, "idtr", a.Idtr, b.Idtr);
        if (a.Tr is not null || b.Tr is not null)
        {
            r.Exact("tr.sel", Hex.Format(a.Tr?.Sel ?? 0), Hex.Format(b.Tr?.Sel ?? 0));
            r.Address("tr.base", a.Tr?.Base ?? 0, b.Tr?.Base ?? 0);
            r.Exact("tr.limit", Hex.Format(a.Tr?.Limit ?? 0), Hex.Format(b.Tr?.Limit ?? 0));
            r.Exact("tr.attr", Hex.Format(a.Tr?.Attr ?? 0), Hex.Format(b.Tr?.Attr ?? 0));
        }
        foreach (var seg in a.Segments.Keys.Union(b.Segments.Keys).Order(StringComparer.Ordinal))
        {
            var (sa, sb) = (a.Segments.GetValueOrDefault(seg), b.Segments.GetValueOrDefault(seg));
            if (sa is null || sb is null)
            {
                r.Exact($"{seg}", sa is null ? null : "recorded", sb is null ? null : "recorded");
                continue;
            }
            r.Exact($"{seg}.sel", Hex.Format(sa.Sel), Hex.Format(sb.Sel));
            r.Address($"{seg}.base", sa.Base, sb.Base);
        }
    }

    private static void Table(Reporter r, string name, TableRegister? a, TableRegister? b)
    {
        if (a is null && b is null) return;
        r.Exact($"{name}.limit", Hex.Format(a?.Limit ?? 0), Hex.Format(b?.Limit ?? 0));
        r.Address($"{name}.base", a?.Base ?? 0, b?.Base ?? 0);
    }

    /// <summary>True when both sides' table lies in their kernel (image, per-CPU area or a named static).</summary>
    private static bool Owned(DiffContext ctx, TableRegister? a, TableRegister? b)
    {
        static bool Own(KernelLayout l, TableRegister? t) =>
            t is not null && (l.IsImageVirtual(t.Base) || l.IsPercpu(t.Base) || l.StaticAt(t.Base) is not null);
        return Own(ctx.LayoutA, a) && Own(ctx.LayoutB, b);
    }

    private static void Gdt(Reporter r, byte[]? a, byte[]? b, bool owned)
    {
        if (a is null || b is null || !owned)
        {
            Raw(r, "gdt", a, b);
            return;
        }
        var (ea, eb) = (DescriptorTables.Gdt(a), DescriptorTables.Gdt(b));
        r.Exact("gdt.entries", ea.Count.ToString(), eb.Count.ToString());
        foreach (var (x, y) in ea.Zip(eb))
        {
            var p = $"gdt[{Hex.Format((ulong)x.Offset)}]";
            if (x.Offset != y.Offset)
            {
                r.Exact($"{p}.offset", Hex.Format((ulong)x.Offset), Hex.Format((ulong)y.Offset));
                return; // entries no longer line up
            }
            r.Exact($"{p}.access", Hex.Format(x.Access, 2), Hex.Format(y.Access, 2));
            r.Exact($"{p}.flags", Hex.Format(x.Flags, 1), Hex.Format(y.Flags, 1));
            r.Exact($"{p}.limit", Hex.Format(x.Limit), Hex.Format(y.Limit));
            r.Address($"{p}.base", x.Base, y.Base);
        }
    }

    private static void Idt(DiffContext ctx, Reporter r, byte[]? a, byte[]? b, bool owned)
    {
        if (a is null || b is null || !owned)
        {
            Raw(r, "idt", a, b);
            return;
        }
        var (ga, gb) = (DescriptorTables.Idt(a), DescriptorTables.Idt(b));
        r.Exact("idt.gates", ga.Count.ToString(), gb.Count.ToString());
        var (sharesA, sharesB) = (FirstWithSameHandler(ga), FirstWithSameHandler(gb));
        // By identity when both headers name the handlers (the maps' [handlers]): a swap of two handlers differs.
        var named = ctx.LayoutA.Handlers.Count > 0 && ctx.LayoutB.Handlers.Count > 0;
        if (!named && ga.Concat(gb).Any(g => !g.IsEmpty))
            ctx.Note("IDT handlers compared by region and by which vectors share one, not by identity: a side's header names no handlers ([handlers] in its observation map)");
        foreach (var (x, y) in ga.Zip(gb))
        {
            var p = $"idt[{x.Vector}]";
            if (x.IsEmpty || y.IsEmpty)
            {
                r.Exact(p, x.IsEmpty ? "empty" : "gate", y.IsEmpty ? "empty" : "gate");
                continue;
            }
            r.Exact($"{p}.selector", Hex.Format(x.Selector, 4), Hex.Format(y.Selector, 4));
            r.Exact($"{p}.ist", x.Ist.ToString(), y.Ist.ToString());
            r.Exact($"{p}.type_attr", Hex.Format(x.TypeAttr, 2), Hex.Format(y.TypeAttr, 2));
            if (named)
                r.Exact($"{p}.handler", HandlerName(ctx.LayoutA, x.Handler), HandlerName(ctx.LayoutB, y.Handler));
            else
                r.Address($"{p}.handler", x.Handler, y.Handler);
            r.Exact($"{p}.shares_handler", Shares(sharesA[x.Vector], x.Vector), Shares(sharesB[y.Vector], y.Vector));
        }
    }

    /// <summary>The handler's logical name in this kernel, or "unnamed" with its address.</summary>
    private static string HandlerName(KernelLayout layout, ulong address) =>
        layout.Handlers.TryGetValue(address, out var name) ? $"handler {name}" : $"unnamed handler ({Hex.Format(address)})";

    /// <summary>For each vector, the first vector with the same handler: which gates share code is layout-free.</summary>
    private static int[] FirstWithSameHandler(List<IdtGate> gates)
    {
        var first = new Dictionary<ulong, int>();
        return gates.Select(g => g.IsEmpty ? -1 : first.TryAdd(g.Handler, g.Vector) ? g.Vector : first[g.Handler]).ToArray();
    }

    private static string Shares(int first, int vector) => first == vector ? "own handler" : $"same handler as vector {first}";

    private static void Tss(Reporter r, byte[]? a, byte[]? b)
    {
        if (a is null || b is null)
        {
            Raw(r, "tss", a, b);
            return;
        }
        foreach (var (x, y) in DescriptorTables.Tss(a).Zip(DescriptorTables.Tss(b)))
            r.Exact($"tss.{x.Name}", Hex.Format(x.Value), x.Name == y.Name ? Hex.Format(y.Value) : $"{y.Name}={Hex.Format(y.Value)}");
    }

    private static void Raw(Reporter r, string name, byte[]? a, byte[]? b) =>
        r.Exact($"{name}.bytes", a is null ? null : Hex.EncodeBytes(a), b is null ? null : Hex.EncodeBytes(b));

    /// <summary>Reports the differences of one checkpoint's descriptors.</summary>
    private sealed class Reporter(DiffContext ctx, string checkpoint, long seqA, long seqB)
    {
        public void Exact(string what, string? a, string? b)
        {
            if (a == b) return;
            Report(what, a, b);
        }

        public void Address(string what, ulong a, ulong b)
        {
            if (a == 0 && b == 0) return;
            if (!SymbolicAddress.Same(a, b, ctx, out var ta, out var tb)) Report(what, ta, tb);
        }

        private void Report(string what, string? a, string? b) => ctx.Report(new Difference
        {
            Observable = Observable.Descriptors,
            Checkpoint = checkpoint,
            Path = $"descriptors.{what}",
            A = a,
            B = b,
            Position = ctx.Order.State(checkpoint, Observable.Descriptors),
            SeqA = seqA,
            SeqB = seqB,
            Sentence = $"At {checkpoint} descriptors.{what} is {Short(a)} in A and {Short(b)} in B.",
        });

        private static string Short(string? s) => s is null ? "absent" : s.Length > 80 ? s[..77] + "…" : s;
    }
}
