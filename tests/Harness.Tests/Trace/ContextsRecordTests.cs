using Harness.Trace;

namespace Harness.Tests.Trace;

/// <summary>The <c>contexts</c> record of <c>redox-trace/4</c>: written, read back with every field, copied; version 3 still read.</summary>
public class ContextsRecordTests
{
    private static readonly ContextsRecord Sample = new()
    {
        Seq = 0, Context = 2, At = "call:iopl",
        Contexts =
        [
            new ContextState { Id = 1, Cr3 = 0x501000, Status = "blocked", Pages = [], Grants = [], Files = [] },
            new ContextState
            {
                Id = 2, Cr3 = 0x501000, Status = "exited(11)",
                Pages = [new UserPage(0x400000, 0x616025, "560c26c2aff87f2e")],
                Grants = [new GrantEntry(0x8000_0000, 0x2000, 0x8000_0000_0000_0007)],
                Files = [new FileEntry(0, 7, "debug", 0, 0x10000, false), new FileEntry(5, 12, null, 0xFFFF_FFFF_FFFF_FFF0, 0x50000, true)],
            },
        ],
        Schemes = [new SchemeEntry(1, "", 1), new SchemeEntry(1, "débug", 7)],
    };

    private static string Write(TempDir dir)
    {
        var path = dir.File("contexts.jsonl");
        using var w = new TraceWriter(path);
        w.WriteHeader(SampleTrace.Header);
        w.WriteContexts(Sample);
        w.WriteEnd(new EndRecord { Seq = 0, Complete = true, How = "qemu-exit", ReachedKmain = true, WallSeconds = 1 });
        return path;
    }

    [Fact]
    public void A_contexts_record_reads_back_with_every_field_and_survives_a_copy()
    {
        using var dir = new TempDir();
        var t = TraceReader.Read(Write(dir));
        Assert.Equal(TraceFormat.Current, t.Header.Format);
        var r = Assert.Single(t.Contexts);
        Assert.Equal((2UL, "call:iopl"), (r.Context!.Value, r.At));
        Assert.Equal([1UL, 2UL], r.Contexts.Select(c => c.Id));
        var c = r.Contexts[1];
        Assert.Equal(("exited(11)", 0x501000UL), (c.Status, c.Cr3));
        Assert.Equal(Sample.Contexts[1].Pages, c.Pages);
        Assert.Equal(Sample.Contexts[1].Grants, c.Grants);
        Assert.Equal(Sample.Contexts[1].Files, c.Files);
        Assert.Equal(Sample.Schemes, r.Schemes);
        Assert.Equal(1, t.End!.Counters["contexts"]);

        var copy = TraceReader.Read(TraceCopier.Copy(t, dir.File("copy.jsonl")));
        Assert.Equal(Sample.Contexts[1].Files, Assert.Single(copy.Contexts).Contexts[1].Files);
    }

    [Fact]
    public void Version_3_still_reads_and_a_broken_contexts_record_names_its_field()
    {
        using var dir = new TempDir();
        var path = Write(dir);
        var lines = File.ReadAllLines(path);
        lines[0] = lines[0].Replace(TraceFormat.Current, TraceFormat.Version3);
        var v3 = dir.File("v3.jsonl");
        File.WriteAllLines(v3, lines.Where(l => !l.Contains("\"contexts\"", StringComparison.Ordinal)));
        var t = TraceReader.Read(v3);
        Assert.Equal(TraceFormat.Version3, t.Header.Format);
        Assert.Empty(t.Contexts);

        var broken = dir.File("broken.jsonl");
        File.WriteAllLines(broken, lines.Select(l => l.Replace("\"cloexec\":true", "\"cloexec\":1")));
        var e = Assert.Throws<TraceFormatException>(() => TraceReader.Read(broken));
        Assert.Contains("contexts[1].files[1].cloexec", e.Message);
    }
}
