using System.Buffers.Binary;
using Harness.Diff;
using Harness.Trace;
using TraceModel = Harness.Trace.Trace;

namespace Harness.Tests.Diff;

/// <summary>
/// What the original's ELF can name is compared by name: IDT gates by which handler they point to (kernel.handlers in
/// both headers), kernel image pages per section with run lengths relative to each side's own section sizes, and
/// whether every page of the kernel slot is mapped. Input: the original's recording of q35-64m (it has section
/// symbols), edited in memory.
/// </summary>
public class IdentityAndSectionsTests
{
    private const ulong NoExecute = 1UL << 63;
    private const ulong TextStart = 0xffffff0000101000, RodataStart = 0xffffff00001b6000;

    // The recording with its handler names taken out (the references now carry them): what a trace without names is.
    private static TraceModel Port()
    {
        var t = TraceEdits.Load("q35-64m");
        return t.With(header: t.Header with { Kernel = t.Header.Kernel with { Handlers = new Dictionary<string, ulong>() } });
    }

    // ---- IDT handlers by identity

    private static ulong Handler(byte[] idt, int vector)
    {
        var lo = BinaryPrimitives.ReadUInt64LittleEndian(idt.AsSpan(vector * 16));
        var hi = BinaryPrimitives.ReadUInt64LittleEndian(idt.AsSpan(vector * 16 + 8));
        return (lo & 0xFFFF) | (((lo >> 48) & 0xFFFF) << 16) | ((hi & 0xFFFF_FFFF) << 32);
    }

    /// <summary>The IDT with the 16-byte gates of two vectors exchanged.</summary>
    private static byte[] Swap(byte[] idt, int x, int y)
    {
        var copy = (byte[])idt.Clone();
        idt.AsSpan(x * 16, 16).CopyTo(copy.AsSpan(y * 16));
        idt.AsSpan(y * 16, 16).CopyTo(copy.AsSpan(x * 16));
        return copy;
    }

    private static TraceModel SwapCom1Com2(TraceModel t) =>
        t.EditCheckpoints(c => c.Descriptors?.Idt is { } idt && c.Regs.Idtr?.Base >= 0xffffff0000000000
            ? c with { Descriptors = c.Descriptors with { Idt = Swap(idt, 35, 36) } }
            : c);

    /// <summary>Names every gate's handler of the kmain IDT: vectors 35 and 36 as the original's irq::com2 and irq::com1.</summary>
    private static TraceModel Named(TraceModel t)
    {
        var idt = t.CheckpointsByName["kmain"].Descriptors!.Idt!;
        var names = new Dictionary<string, ulong>();
        for (var v = 0; v < idt.Length / 16; v++)
        {
            var h = Handler(idt, v);
            if (h != 0) names.TryAdd(v switch { 35 => "irq::com2", 36 => "irq::com1", _ => $"vector{v}" }, h);
        }
        return t.With(header: t.Header with { Kernel = t.Header.Kernel with { Handlers = names } });
    }

    [Fact]
    public void Two_handlers_swapped_diverge_when_both_headers_name_the_handlers()
    {
        var a = Named(Port());
        var b = SwapCom1Com2(a);

        var r = TraceDiffer.Compare(a, b);

        Assert.Equal(CellStatus.Diverged, r.Status);
        var f = r.FirstDivergence!;
        Assert.Equal("descriptors.idt[35].handler", f.Path);
        Assert.Equal("handler irq::com2", f.A);
        Assert.Equal("handler irq::com1", f.B);
        Assert.Equal("idt_done", f.Checkpoint);
    }

    [Fact]
    public void Without_handler_names_a_swap_is_not_seen_and_the_result_says_why()
    {
        var a = Port();
        var r = TraceDiffer.Compare(a, SwapCom1Com2(a));
        Assert.Equal(CellStatus.Equal, r.Status);
        Assert.Contains(r.Notes, n => n.Contains("not by identity"));
    }

    [Fact]
    public void Handlers_at_other_addresses_with_the_same_names_are_equal()
    {
        var a = Named(Port());
        // B: every handler 0x40 bytes further on, and its header naming them there (another build's layout).
        var b = a.EditCheckpoints(c => c.Descriptors?.Idt is { } idt && c.Regs.Idtr?.Base >= 0xffffff0000000000
            ? c with { Descriptors = c.Descriptors with { Idt = Moved(idt, 0x40) } }
            : c);
        b = b.With(header: b.Header with { Kernel = b.Header.Kernel with { Handlers = a.Header.Kernel.Handlers.ToDictionary(h => h.Key, h => h.Value + 0x40) } });
        var r = TraceDiffer.Compare(a, b);
        Assert.True(r.Status == CellStatus.Equal, r.FirstDivergence?.Sentence);
    }

    private static byte[] Moved(byte[] idt, ulong by)
    {
        var copy = (byte[])idt.Clone();
        for (var v = 0; v < idt.Length / 16; v++)
        {
            var h = Handler(idt, v);
            if (h == 0) continue;
            h += by;
            var lo = BinaryPrimitives.ReadUInt64LittleEndian(idt.AsSpan(v * 16));
            lo = (lo & 0x0000_FFFF_FFFF_0000) | (h & 0xFFFF) | (((h >> 16) & 0xFFFF) << 48);
            var hi = BinaryPrimitives.ReadUInt64LittleEndian(idt.AsSpan(v * 16 + 8));
            hi = (hi & 0xFFFF_FFFF_0000_0000) | (h >> 32);
            BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan(v * 16), lo);
            BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan(v * 16 + 8), hi);
        }
        return copy;
    }

    // ---- kernel image pages per section

    [Fact]
    public void The_first_rodata_page_executable_diverges_in_rodata_with_its_run_lengths()
    {
        var a = Port();
        var b = a.EditCheckpoint("kmain", c => c.EditLeaf(RodataStart, e => e & ~NoExecute));

        var r = TraceDiffer.Compare(a, b);

        var f = r.FirstDivergence!;
        Assert.Equal("page_tables.image", f.Path);
        Assert.Equal("kmain", f.Checkpoint);
        Assert.Contains("rodata: P G NX ×all", f.A);
        Assert.Contains("rodata: P G ×1 | P G NX ×8 (of 9)", f.B);
        Assert.Contains("first in rodata", f.Sentence);
    }

    [Fact]
    public void The_text_end_one_page_early_diverges_in_text()
    {
        var a = Port();
        var b = a.EditCheckpoint("kmain", c => c.EditLeaf(RodataStart - 0x1000, e => e | NoExecute));
        var f = TraceDiffer.Compare(a, b).FirstDivergence!;
        Assert.Equal("page_tables.image", f.Path);
        Assert.Contains("text: P G ×180 | P G NX ×1 (of 181)", f.B);
    }

    [Fact]
    public void Sections_of_other_sizes_mapped_the_same_way_are_equal()
    {
        var a = Port();
        // B's rodata starts one page earlier (its text is a page shorter), and its page there is mapped as rodata.
        var sections = a.Header.Kernel.Sections.Symbols.ToDictionary();
        sections["__text_end"] = sections["__rodata_start"] = RodataStart - 0x1000;
        var b = a.With(header: a.Header.WithSections(sections))
            .EditCheckpoints(c => c.Name is "entry" or "memory_done" ? c : c.EditLeaf(RodataStart - 0x1000, e => e | NoExecute));
        var r = TraceDiffer.Compare(a, b);
        Assert.Null(r.Divergences.FirstOrDefault(d => d.Path.StartsWith("page_tables.image", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_slot_page_left_unmapped_diverges_in_coverage()
    {
        var a = Port();
        var b = a.EditCheckpoint("kmain", c => c.EditLeaf(0xffffff00004ff000, _ => 0));
        var d = TraceDiffer.Compare(a, b).Divergences.Single(x => x.Path == "page_tables.image.coverage");
        Assert.Equal("every page of the slot mapped", d.A);
        Assert.Equal("all but the last 1 pages of the slot mapped", d.B);
    }

    [Fact]
    public void Text_is_classified_from_the_port_header()
    {
        // The input really has section symbols (else everything above would test the unclassified path).
        Assert.Equal("text", Port().Header.Kernel.Sections.Classify(TextStart));
    }
}
