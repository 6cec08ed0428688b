using Harness.Trace;

namespace Harness.Tests.Trace;

/// <summary>The process records of <c>redox-trace/2</c>: written, read back, refused when malformed; version 1 still read.</summary>
public class SyscallRecordTests
{
    private static SyscallRecord Call(ulong context, ulong number, ulong? result, params ulong[] args) => new()
    {
        Seq = 0, Context = context, Number = number, Name = SyscallNames.Name(number), Args = args, Result = result,
        Caller = "kernel::arch::x86_64::interrupt::syscall::syscall::inner + 42",
    };

    private static string WriteSample(TempDir dir)
    {
        var path = dir.File("procs.jsonl");
        using var w = new TraceWriter(path);
        w.WriteHeader(SampleTrace.Header);
        w.WriteSyscall(Call(1, 0x2100_0004, 6, 1, 0x1000, 6, 0, 0));               // write(1, buf, 6) = 6
        w.WriteSyscall(Call(2, 0x1010_0005, unchecked((ulong)-2L), 0x2000, 9, 0, 0, 0)); // open(...) = -ENOENT
        w.WriteSyscall(Call(2, 1, null, 0x300, 0, 0, 0, 0));                          // exit(3): never returns
        w.WriteEnd(new EndRecord { Seq = 0, Complete = true, How = "qemu-exit", ReachedKmain = true, WallSeconds = 1 });
        return path;
    }

    [Fact]
    public void Syscalls_read_back_in_order_with_names_results_and_errno()
    {
        using var dir = new TempDir();
        var t = TraceReader.Read(WriteSample(dir));

        Assert.Equal(TraceFormat.Current, t.Header.Format);
        Assert.Equal("redox-trace/4", TraceFormat.Current);
        Assert.Equal(["write", "open", "exit"], t.Syscalls.Select(s => s.Name));
        Assert.Equal([1UL, 2UL, 2UL], t.Syscalls.Select(s => s.Context!.Value));
        Assert.Equal([1UL, 0x1000, 6, 0, 0], t.Syscalls[0].Args);
        Assert.Equal(6UL, t.Syscalls[0].Result);
        Assert.Null(t.Syscalls[0].Errno);
        Assert.Equal(2, t.Syscalls[1].Errno);
        Assert.Null(t.Syscalls[2].Result);
        Assert.Equal("kernel::arch::x86_64::interrupt::syscall::syscall::inner + 42", t.Syscalls[2].Caller);
        Assert.Empty(t.OtherRecords);
        Assert.Equal(3, t.End!.Counters["syscall"]);
    }

    [Fact]
    public void A_copy_keeps_the_syscalls()
    {
        using var dir = new TempDir();
        var t = TraceReader.Read(WriteSample(dir));
        var copy = TraceReader.Read(TraceCopier.Copy(t, dir.File("copy.jsonl")));
        Assert.Equal(t.Syscalls.Select(s => (s.Seq, s.Number, s.Result)), copy.Syscalls.Select(s => (s.Seq, s.Number, s.Result)));
    }

    [Fact]
    public void A_version_1_trace_still_reads()
    {
        using var dir = new TempDir();
        var path = dir.File("v1.jsonl");
        using (SampleTrace.Write(path)) { }
        var lines = File.ReadAllLines(path);
        lines[0] = lines[0].Replace(TraceFormat.Current, TraceFormat.Version1);
        File.WriteAllLines(path, lines);

        var t = TraceReader.Read(path);
        Assert.Equal(TraceFormat.Version1, t.Header.Format);
        Assert.Empty(t.Syscalls);
        Assert.True(t.IsComplete);
    }

    [Fact]
    public void A_syscall_without_five_arguments_is_an_error_naming_the_line()
    {
        using var dir = new TempDir();
        var path = WriteSample(dir);
        var lines = File.ReadAllLines(path);
        lines[1] = lines[1].Replace("\"args\":[\"0x1\",", "\"args\":[");
        File.WriteAllLines(path, lines);

        var e = Assert.Throws<TraceFormatException>(() => TraceReader.Read(path));
        Assert.Contains(":2", e.Message);
        Assert.Contains("five", e.Message);
    }

    [Theory]
    [InlineData(0x2100_0004UL, "write")]
    [InlineData(0x2200_0003UL, "read")]
    [InlineData(0x1010_0005UL, "open")]
    [InlineData(120UL, "clone")]
    [InlineData(7UL, "waitpid")]
    [InlineData(0x1234UL, "unknown_0x1234")]
    public void Syscall_numbers_have_the_syscall_crates_names(ulong number, string name) =>
        Assert.Equal(name, SyscallNames.Name(number));
}
