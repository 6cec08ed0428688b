using Harness.Diff;
using Harness.Trace;
using TraceModel = Harness.Trace.Trace;

namespace Harness.Tests.Diff;

/// <summary>The <c>contexts</c> records compared per context id (traces/FORMAT.md, "What may differ between two kernels' processes", 5a).</summary>
public class ContextsDiffTests
{
    private static readonly TraceModel Base = SyntheticTrace.Build("original",
        [(SyntheticTrace.KernelOffset + 0x100000, 0x100000, 0x3)],
        SyntheticTrace.Sections(SyntheticTrace.KernelOffset + 0x100000, SyntheticTrace.KernelOffset + 0x101000, SyntheticTrace.KernelOffset + 0x102000));

    private static ContextState Context(ulong id, Func<ContextState, ContextState>? edit = null)
    {
        var c = new ContextState
        {
            Id = id, Cr3 = 0x501000, Status = "runnable",
            Pages = [new UserPage(0x400000, 0x616025, "560c26c2aff87f2e"), new UserPage(0x401000, 0x617027, "0123456789abcdef")],
            Grants = [new GrantEntry(0x8000_0000, 0x2000, 0x8000_0000_0000_0007)],
            Files =
            [
                new FileEntry(0, 7, "debug", 0, 0x10000, false), new FileEntry(1, 7, "debug", 1, 0x20000, false),
                new FileEntry(4, 8, "initfs", 3, 0x50000, true),
            ],
        };
        return edit is null ? c : edit(c);
    }

    private static readonly IReadOnlyList<SchemeEntry> Schemes = [new(1, "", 1), new(1, "debug", 7), new(1, "initfs", 8)];

    private static ContextsRecord Record(long seq, ulong trigger, string at, params ContextState[] contexts) =>
        new() { Seq = seq, Context = trigger, At = at, Contexts = contexts, Schemes = Schemes };

    private static TraceModel With(params ContextsRecord[] records) =>
        new(Base.SourcePath + $".{records.Length}.{records.FirstOrDefault()?.GetHashCode()}", Base.Header, Base.Checkpoints, Base.Events, Base.Serial, Base.End,
            Base.ObservationPoints, Base.OtherRecords) { Contexts = records };

    private static Difference First(TraceModel a, TraceModel b)
    {
        var r = TraceDiffer.Compare(a, b);
        Assert.Equal(CellStatus.Diverged, r.Status);
        Assert.Equal(Observable.Processes, r.FirstDivergence!.Observable);
        return r.FirstDivergence;
    }

    [Fact]
    public void The_same_contexts_are_equal_whatever_the_other_contexts_status_and_the_order_of_triggers()
    {
        var a = With(Record(10, 2, "exec", Context(1), Context(2)), Record(20, 3, "exit", Context(1), Context(3)));
        var b = With(Record(10, 3, "exit", Context(1, c => c with { Status = "blocked" }), Context(3)), Record(12, 2, "exec", Context(1), Context(2)));
        var r = TraceDiffer.Compare(a, b);
        Assert.Equal(CellStatus.Equal, r.Cell(Observable.Processes, BootOrder.WholeLog).Status);
        Assert.Equal(CellStatus.Equal, r.Status);
    }

    [Theory]
    [InlineData("cloexec", "processes.context[2].files[4].cloexec", "true", "false")]
    [InlineData("number", "processes.context[2].files[4].number", "0x3", "0x4")]
    [InlineData("flags", "processes.context[2].files[4].flags", "0x50000", "0x10000")]
    [InlineData("scheme", "processes.context[2].files[4].scheme", "scheme 8 \"initfs\"", "scheme 7 \"debug\"")]
    [InlineData("closed", "processes.context[2].files[4]", "scheme 8 \"initfs\" number 0x3 flags 0x50000 cloexec", "closed")]
    [InlineData("slot", "processes.context[2].files[3]", "closed", "scheme 8 \"initfs\" number 0x3 flags 0x50000 cloexec")]
    [InlineData("grant", "processes.context[2].grants[0]", "start 0x80000000 size 0x2000 flags 0x8000000000000007", "start 0x80000000 size 0x3000 flags 0x8000000000000007")]
    [InlineData("no grant", "processes.context[2].grants[1]", "none", "start 0x90000000 size 0x1000 flags 0x7")]
    [InlineData("cr3", "processes.context[2].cr3", "0x501000", "0x502000")]
    [InlineData("page", "processes.context[2].page[0x401000]", "frame 0x617000 flags 0x7 contents 0123456789abcdef", "frame 0x617000 flags 0x5 contents 0123456789abcdef")]
    [InlineData("contents", "processes.context[2].page[0x400000]", "frame 0x616000 flags 0x5 contents 560c26c2aff87f2e", "frame 0x616000 flags 0x5 contents ffffffffffffffff")]
    public void Each_kind_of_difference_is_named_by_context_and_index(string kind, string path, string textA, string textB)
    {
        Func<ContextState, ContextState> edit = kind switch
        {
            "cloexec" => c => c with { Files = [.. c.Files.Take(2), c.Files[2] with { Cloexec = false }] },
            "number" => c => c with { Files = [.. c.Files.Take(2), c.Files[2] with { Number = 4 }] },
            "flags" => c => c with { Files = [.. c.Files.Take(2), c.Files[2] with { Flags = 0x10000 }] },
            "scheme" => c => c with { Files = [.. c.Files.Take(2), c.Files[2] with { Scheme = 7, SchemeName = "debug" }] },
            "closed" => c => c with { Files = [.. c.Files.Take(2)] },
            "slot" => c => c with { Files = [.. c.Files.Take(2), c.Files[2] with { Fd = 3 }] },
            "grant" => c => c with { Grants = [c.Grants[0] with { Size = 0x3000 }] },
            "no grant" => c => c with { Grants = [c.Grants[0], new GrantEntry(0x9000_0000, 0x1000, 0x7)] },
            "cr3" => c => c with { Cr3 = 0x502000 },
            "page" => c => c with { Pages = [c.Pages[0], c.Pages[1] with { Entry = 0x617025 }] },
            "contents" => c => c with { Pages = [c.Pages[0] with { Sha256 = "ffffffffffffffff" }, c.Pages[1]] },
            _ => throw new ArgumentException(kind),
        };
        var a = With(Record(10, 2, "exec", Context(1), Context(2)));
        var b = With(Record(10, 2, "exec", Context(1), Context(2, edit)));
        var d = First(a, b);
        Assert.Equal(path, d.Path);
        Assert.Equal(textA, d.A);
        Assert.Equal(textB, d.B);
        Assert.Contains("at the exec of context 2", d.Sentence);
    }

    [Fact]
    public void Accessed_and_dirty_bits_are_not_differences()
    {
        var a = With(Record(10, 2, "exec", Context(2)));
        var b = With(Record(10, 2, "exec", Context(2, c => c with { Pages = [c.Pages[0] with { Entry = c.Pages[0].Entry | 0x60 }, c.Pages[1]] })));
        Assert.Equal(CellStatus.Equal, TraceDiffer.Compare(a, b).Status);
    }

    [Fact]
    public void Pages_of_an_address_space_whose_context_is_blocked_on_one_side_and_runnable_on_the_other_are_not_compared()
    {
        // user-pipe: the child (3) exits while the parent (2, init's address space, shared by kmain's context 1) is
        // blocked in waitpid on one side and, on the other, still between its write and its waitpid (a timer tick).
        Func<ContextState, ContextState> stack = c => c with { Pages = [c.Pages[0], c.Pages[1] with { Sha256 = "fedcba9876543210" }] };
        var a = With(Record(10, 3, "exit", Context(1), Context(2, c => c with { Status = "blocked" }), Context(3, c => c with { Cr3 = 0x502000 })));
        var b = With(Record(10, 3, "exit", Context(1, stack), Context(2, stack), Context(3, c => c with { Cr3 = 0x502000 })));
        Assert.Equal(CellStatus.Equal, TraceDiffer.Compare(a, b).Status);

        // Same status on both sides: the pages are compared (context 1's first, it shares the address space).
        var blocked = With(Record(10, 3, "exit", Context(1), Context(2, c => stack(c) with { Status = "blocked" }), Context(3, c => c with { Cr3 = 0x502000 })));
        Assert.Equal("processes.context[2].page[0x401000]", First(a, blocked).Path);
        // Only that address space is let go: another context's pages, and the files of the unsettled ones, still count.
        var files = With(Record(10, 3, "exit", Context(1), Context(2, c => c with { Files = [.. c.Files.Take(2)] }), Context(3, c => c with { Cr3 = 0x502000 })));
        Assert.Equal("processes.context[2].files[4]", First(a, files).Path);
        // The record's own context is compared whatever the statuses.
        var own = With(Record(10, 3, "exit", Context(1), Context(2), Context(3, c => stack(c) with { Cr3 = 0x502000 })));
        Assert.Equal("processes.context[3].page[0x401000]", First(a, own).Path);
    }

    [Fact]
    public void A_context_live_on_one_side_only_and_the_scheme_list_diverge()
    {
        var d = First(With(Record(10, 2, "exit", Context(1), Context(2), Context(3))), With(Record(10, 2, "exit", Context(1), Context(2))));
        Assert.Equal("processes.context[3]", d.Path);
        Assert.Equal(("live", "not live"), (d.A, d.B));

        var renamed = With(Record(10, 2, "exit", Context(2)) with { Schemes = [new(1, "", 1), new(1, "debug", 7), new(1, "initfs", 9)] });
        var s = First(With(Record(10, 2, "exit", Context(2))), renamed);
        Assert.Equal("processes.schemes[2]", s.Path);
        Assert.Equal("namespace 1 \"initfs\" → 8", s.A);
        Assert.Equal("namespace 1 \"initfs\" → 9", s.B);
    }

    [Fact]
    public void A_missing_record_in_a_complete_trace_diverges_and_one_sided_records_are_a_note()
    {
        var d = First(With(Record(10, 2, "exec", Context(2)), Record(11, 2, "call:iopl", Context(2))), With(Record(10, 2, "exec", Context(2))));
        Assert.Equal("processes.contexts[2][1]", d.Path);
        Assert.Equal(("call:iopl", "none"), (d.A, d.B));

        var one = TraceDiffer.Compare(With(Record(10, 2, "exec", Context(2))), Base);
        Assert.Contains(one.Notes, n => n.Contains("contexts records", StringComparison.Ordinal));
    }
}
