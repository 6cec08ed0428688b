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
