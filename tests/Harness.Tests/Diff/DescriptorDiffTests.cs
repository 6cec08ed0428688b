using Harness.Diff;
using Harness.Trace;

namespace Harness.Tests.Diff;

/// <summary>Descriptor state: statics compared by what they are, everything else (the TSS quirk included) exactly.</summary>
public class DescriptorDiffTests
{
    private static Checkpoint EditRegs(Checkpoint c, Func<CpuRegisters, CpuRegisters> edit) => c with { Regs = edit(c.Regs) };

    [Fact]
    public void The_tss_limit_quirk_is_not_normalised_away()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var b = a.EditCheckpoint("gdt_done", c => EditRegs(c, r => r with { Tr = r.Tr! with { Limit = 0x67 } }));

        var f = TraceDiffer.Compare(a, b).FirstDivergence!;
        Assert.Equal("descriptors.tr.limit", f.Path);
        Assert.Equal(("0x68", "0x67"), (f.A, f.B));
        Assert.Equal("gdt_done", f.Checkpoint);
    }

    [Fact]
    public void The_tss_descriptor_in_the_gdt_is_compared_field_by_field()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        // The TSS descriptor is the 16-byte entry at offset 0x38; byte 0 is the low byte of its limit (0x68).
        var b = a.EditCheckpoint("idt_done", c => c with
        {
            Descriptors = c.Descriptors! with { Gdt = c.Descriptors.Gdt!.Select((x, i) => i == 0x38 ? (byte)0x67 : x).ToArray() },
        });
        var f = TraceDiffer.Compare(a, b).FirstDivergence!;
        Assert.Equal("descriptors.gdt[0x38].limit", f.Path);
        Assert.Equal("idt_done", f.Checkpoint);
    }

    [Fact]
    public void Statics_in_the_percpu_area_compare_by_region_when_unnamed()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        // Another layout of per-CPU storage: the GDT, TSS and TLS at other offsets of the same area.
        var b = a.EditCheckpoints(c => c.Regs.Gdtr!.Base == 0xc0000008
            ? EditRegs(c, r => r with
            {
                Gdtr = r.Gdtr! with { Base = 0xc0000108 },
                Tr = r.Tr! with { Base = 0xc0000300 },
                Segments = r.Segments.ToDictionary(kv => kv.Key, kv => kv.Key == "fs" ? kv.Value with { Base = 0xc0002000 } : kv.Value),
            })
            : c);

        var r = TraceDiffer.Compare(a, b);
        Assert.Equal(CellStatus.Equal, r.Status);
        Assert.Contains(r.Notes, n => n.Contains("by region"));
    }

    [Fact]
    public void Statics_compare_by_name_when_both_headers_name_them()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var statics = new Dictionary<string, KernelStatic>
        {
            ["gdt"] = new(0xc0000008, 0x48, null), ["tss"] = new(0xc0000050, 0x68, null),
        };
        var a2 = a.With(header: a.Header.WithSections(new Dictionary<string, ulong>(), statics));
        var movedStatics = new Dictionary<string, KernelStatic>
        {
            ["gdt"] = new(0xc0000108, 0x48, null), ["tss"] = new(0xc0000008, 0x68, null),
        };
        // B's GDTR points at its own "gdt" static: equal. Then B's GDTR points at its "tss": diverged, by name.
        Checkpoint Move(Checkpoint c, ulong gdtr) => c.Regs.Gdtr!.Base == 0xc0000008 ? EditRegs(c, r => r with { Gdtr = r.Gdtr! with { Base = gdtr } }) : c;
        var same = a.With(header: a.Header.WithSections(new Dictionary<string, ulong>(), movedStatics)).EditCheckpoints(c => Move(c, 0xc0000108));
        var wrong = a.With(header: a.Header.WithSections(new Dictionary<string, ulong>(), movedStatics)).EditCheckpoints(c => Move(c, 0xc0000008));

        var r1 = TraceDiffer.Compare(a2, same);
        Assert.DoesNotContain(r1.Differences, d => d.Path == "descriptors.gdtr.base");

        var f = TraceDiffer.Compare(a2, wrong).Differences.First(d => d.Path == "descriptors.gdtr.base");
        Assert.Equal("static gdt", f.A);
        Assert.Equal("static tss", f.B);
    }

    [Fact]
    public void Idt_handlers_compare_by_region_and_sharing_not_by_address()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        a = a.With(header: a.Header with { Kernel = a.Header.Kernel with { Handlers = new Dictionary<string, ulong>() } }); // compared without names
        static byte[] Shift(byte[] idt, int delta) // move every handler by delta bytes, as another layout would
        {
            var copy = (byte[])idt.Clone();
            for (var i = 0; i + 16 <= copy.Length; i += 16)
            {
                var low = BitConverter.ToUInt16(copy, i);
                if (low == 0 && copy[i + 5] == 0) continue;
                BitConverter.GetBytes((ushort)(low + delta)).CopyTo(copy, i);
            }
            return copy;
        }
        var b = a.EditCheckpoints(c => c.Descriptors?.Idt is { Length: 4096 } idt ? c with { Descriptors = c.Descriptors with { Idt = Shift(idt, 0x10) } } : c);
        Assert.Equal(CellStatus.Equal, TraceDiffer.Compare(a, b).Status);

        // Vector 1 given vector 0's handler: the sharing pattern changes.
        var c2 = a.EditCheckpoint("kmain", c =>
        {
            var idt = (byte[])c.Descriptors!.Idt!.Clone();
            Array.Copy(idt, 0, idt, 16, 16);
            return c with { Descriptors = c.Descriptors with { Idt = idt } };
        });
        var f = TraceDiffer.Compare(a, c2).FirstDivergence!;
        Assert.Equal("descriptors.idt[1].shares_handler", f.Path);
        Assert.Equal("same handler as vector 0", f.B);
    }

    [Fact]
    public void Loader_gdt_is_compared_byte_for_byte()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var b = a.EditCheckpoint("entry", c => c with
        {
            Descriptors = c.Descriptors! with { Gdt = c.Descriptors.Gdt!.Select((x, i) => i == 13 ? (byte)0x9a : x).ToArray() },
        });
        var f = TraceDiffer.Compare(a, b).FirstDivergence!;
        Assert.Equal("descriptors.gdt.bytes", f.Path);
        Assert.Equal("entry", f.Checkpoint);
    }
}
