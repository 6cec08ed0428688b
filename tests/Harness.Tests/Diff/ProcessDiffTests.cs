using Harness.Diff;
using Harness.Trace;
using TraceModel = Harness.Trace.Trace;

namespace Harness.Tests.Diff;

/// <summary>System calls compared per context (traces/FORMAT.md, "What may differ between two kernels' processes").</summary>
public class ProcessDiffTests
{
    private static SyscallRecord Call(long seq, ulong context, ulong number, ulong result, string caller = "kernel::syscall::inner + 42") => new()
    {
        Seq = seq, Context = context, Number = number, Name = SyscallNames.Name(number), Args = [1, 0x1000, 6, 0, 0],
        Result = result, Caller = caller,
    };

    private static TraceModel WithCalls(TraceModel t, params SyscallRecord[] calls) =>
        new(t.SourcePath + $".{calls.Length}", t.Header, t.Checkpoints, t.Events, t.Serial, t.End, t.ObservationPoints, t.OtherRecords)
        {
            Syscalls = calls,
        };

    private static readonly TraceModel Base = SyntheticTrace.Build("original",
        [(SyntheticTrace.KernelOffset + 0x100000, 0x100000, 0x3)],
        SyntheticTrace.Sections(SyntheticTrace.KernelOffset + 0x100000, SyntheticTrace.KernelOffset + 0x101000, SyntheticTrace.KernelOffset + 0x102000));

    [Fact]
    public void Traces_without_syscalls_have_no_processes_cell()
    {
        var r = TraceDiffer.Compare(Base, Base);
        Assert.DoesNotContain(r.Cells, c => c.Observable == Observable.Processes);
        Assert.Equal(CellStatus.Equal, r.Status);
    }

    [Fact]
    public void Another_interleaving_of_contexts_and_other_kernel_callers_are_equal()
    {
        var a = WithCalls(Base, Call(10, 1, 0x21000004, 6), Call(11, 2, 20, 2), Call(12, 1, 20, 1));
        var b = WithCalls(Base, Call(10, 2, 20, 2, "Kernel_Syscall_Dispatch + 7"), Call(11, 1, 0x21000004, 6), Call(12, 1, 20, 1));

        var r = TraceDiffer.Compare(a, b);
        Assert.Equal(CellStatus.Equal, r.Cell(Observable.Processes, BootOrder.WholeLog).Status);
        Assert.Equal(CellStatus.Equal, r.Status);
    }

    [Fact]
    public void A_different_result_is_the_first_divergence_naming_the_call_and_both_callers()
    {
        var a = WithCalls(Base, Call(10, 1, 0x21000004, 6), Call(11, 1, 0x10100005, unchecked((ulong)-2L)));
        var b = WithCalls(Base, Call(10, 1, 0x21000004, 6), Call(11, 1, 0x10100005, 3, "Kernel_Syscall_Dispatch + 7"));

        var r = TraceDiffer.Compare(a, b);
        Assert.Equal(CellStatus.Diverged, r.Status);
        var d = r.FirstDivergence!;
        Assert.Equal(Observable.Processes, d.Observable);
        Assert.Equal("processes.context[1].syscall[1]", d.Path);
        Assert.Equal("open(0x1, 0x1000, 0x6, 0x0, 0x0) = -2 (errno)", d.A);
        Assert.Equal("open(0x1, 0x1000, 0x6, 0x0, 0x0) = 0x3", d.B);
        Assert.Contains("kernel::syscall::inner + 42", d.Sentence);
        Assert.Contains("Kernel_Syscall_Dispatch + 7", d.Sentence);
    }

    [Fact]
    public void A_missing_call_in_a_complete_trace_diverges_and_one_sided_syscalls_are_not_equal()
    {
        var a = WithCalls(Base, Call(10, 1, 1, 0), Call(11, 1, 20, 1));
        var b = WithCalls(Base, Call(10, 1, 1, 0));
        var r = TraceDiffer.Compare(a, b);
        Assert.Equal("processes.context[1].syscall[1]", r.FirstDivergence!.Path);
        Assert.Null(r.FirstDivergence.B);

        var one = TraceDiffer.Compare(a, Base);
        Assert.True(one.Cell(Observable.Processes, BootOrder.WholeLog).OneSided);
        Assert.NotEqual(CellStatus.Equal, one.Status);
    }
}

/// <summary>Lifecycle and address-space records compared per context (traces/FORMAT.md, "Processes", rules 4 and 5).</summary>
public class LifecycleDiffTests
{
    private static readonly TraceModel Base = SyntheticTrace.Build("original",
        [(SyntheticTrace.KernelOffset + 0x100000, 0x100000, 0x3)],
        SyntheticTrace.Sections(SyntheticTrace.KernelOffset + 0x100000, SyntheticTrace.KernelOffset + 0x101000, SyntheticTrace.KernelOffset + 0x102000));

    private static TraceModel With(ProcessRecord[] processes, AddressSpaceRecord[] spaces) =>
        new(Base.SourcePath + $".{processes.Length}.{spaces.Length}", Base.Header, Base.Checkpoints, Base.Events, Base.Serial, Base.End,
            Base.ObservationPoints, Base.OtherRecords)
        {
            Processes = processes,
            AddressSpaces = spaces,
        };

    private static ProcessRecord Exit(long seq, ulong context, ulong status) => new() { Seq = seq, Event = "exit", Context = context, Status = status };

    private static ProcessRecord Clone(long seq, ulong parent, ulong child) => new() { Seq = seq, Event = "clone", Context = parent, Child = child, Flags = 0 };

    private static AddressSpaceRecord Space(long seq, ulong context, params UserPage[] pages) =>
        new() { Seq = seq, Context = context, At = "exit", Cr3 = 0x501000, Pages = pages };

    [Fact]
    public void Lifecycles_in_another_interleaving_are_equal()
    {
        var a = With([Clone(10, 1, 2), Exit(11, 2, 0x100), Exit(12, 1, 0)], []);
        var b = With([Exit(10, 2, 0x100), Clone(11, 1, 2), Exit(12, 1, 0)], []);
        var r = TraceDiffer.Compare(a, b);
        Assert.Equal(CellStatus.Equal, r.Cell(Observable.Processes, BootOrder.WholeLog).Status);
    }

    [Fact]
    public void Another_exit_status_diverges_naming_the_context()
    {
        var a = With([Clone(10, 1, 2), Exit(11, 2, 0x100)], []);
        var b = With([Clone(10, 1, 2), Exit(11, 2, 0x200)], []);
        var d = TraceDiffer.Compare(a, b).FirstDivergence!;
        Assert.Equal("processes.context[2].lifecycle[0]", d.Path);
        Assert.Equal("exit status 0x100", d.A);
        Assert.Equal("exit status 0x200", d.B);
    }

    [Fact]
    public void User_pages_differ_by_contents_or_flags_but_not_by_accessed_and_dirty()
    {
        var page = new UserPage(0x400000, 0x8000_0000_00bd_c007, "0123456789abcdef");
        var touched = page with { Entry = page.Entry | 0x60 };       // accessed + dirty, set by the CPU
        var written = page with { Sha256 = "fedcba9876543210" };
        var readOnly = page with { Entry = page.Entry & ~2UL };

        Assert.Equal(CellStatus.Equal, TraceDiffer.Compare(With([], [Space(10, 2, page)]), With([], [Space(10, 2, touched)])).Status);
        var byContents = TraceDiffer.Compare(With([], [Space(10, 2, page)]), With([], [Space(10, 2, written)])).FirstDivergence!;
        Assert.Equal("processes.context[2].address_space[0].page[0x400000]", byContents.Path);
        Assert.Equal("frame 0xbdc000 flags 0x8000000000000007 contents fedcba9876543210", byContents.B);
        Assert.Contains("first differing user page 0x400000", byContents.Sentence);
        Assert.Contains("fedcba9876543210", byContents.Sentence);
        Assert.NotNull(TraceDiffer.Compare(With([], [Space(10, 2, page)]), With([], [Space(10, 2, readOnly)])).FirstDivergence);
    }

    [Fact]
    public void Records_on_one_side_only_are_a_note_not_a_divergence()
    {
        var r = TraceDiffer.Compare(With([Exit(10, 2, 0)], []), Base);
        Assert.Null(r.FirstDivergence);
        Assert.Contains(r.Notes, n => n.Contains("lifecycle", StringComparison.Ordinal));
    }
}

/// <summary>A process difference sits in boot order where it happened, among the frame events of the same run.</summary>
public class ProcessOrderTests
{
    [Fact]
    public void A_wrong_syscall_result_before_a_wrong_frame_is_the_first_divergence()
    {
        var a = TraceEdits.Load("user-identity");
        var getpid = a.Syscalls.First(c => c.Name == "getpid");
        var later = a.Events.OfType<FrameAllocEvent>().First(e => e.Seq > getpid.Seq);
        var b = new TraceModel(a.SourcePath + ".edited", a.Header, a.Checkpoints,
            a.Events.Select(e => e == later ? later with { Frame = 0xdead000 } : e).ToList(), a.Serial, a.End, a.ObservationPoints, a.OtherRecords)
        {
            Syscalls = a.Syscalls.Select(c => c == getpid ? c with { Result = c.Result + 1 } : c).ToList(),
            Processes = a.Processes,
            AddressSpaces = a.AddressSpaces,
        };

        var r = TraceDiffer.Compare(a, b);
        Assert.StartsWith("processes.context[", r.FirstDivergence!.Path);
        Assert.StartsWith("getpid(", r.FirstDivergence.B);
        Assert.Contains(r.Cells.SelectMany(c => c.Differences), d => d.Observable == Observable.Frames); // the frame is still reported, after it
    }
}
