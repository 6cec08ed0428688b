using Harness.Trace;

namespace Harness.Tests.Trace;

/// <summary>The process records of <c>redox-trace/3</c> (lifecycle, address spaces, a syscall's stack, an event's context): written, read back, copied; version 2 still read.</summary>
public class ProcessRecordTests
{
    private static string WriteSample(TempDir dir)
    {
        var path = dir.File("life.jsonl");
        using var w = new TraceWriter(path);
        w.WriteHeader(SampleTrace.Header);
        w.WriteEvent(new FrameAllocEvent { Seq = 0, Phase = "kmain", Count = 1, Frame = 0x600000, Caller = "x + 1", Context = 2 });
        w.WriteSyscall(new SyscallRecord
        {
            Seq = 0, Context = 2, Number = 120, Name = "clone", Args = [0, 0, 0, 0, 0], Result = 3, Caller = "inner + 42",
            Stack = ["inner + 42", "syscall + 34"],
        });
        w.WriteProcess(new ProcessRecord { Seq = 0, Event = "clone", Context = 2, Child = 3, Flags = 0x100 });
        w.WriteProcess(new ProcessRecord { Seq = 0, Event = "exec", Context = 3, Path = "/bin/child", Args = ["/bin/child", "ä"] });
        w.WriteProcess(new ProcessRecord { Seq = 0, Event = "exit", Context = 3, Status = 0x2b00 });
        w.WriteProcess(new ProcessRecord { Seq = 0, Event = "waitpid", Context = 2, Pid = 3, Result = 3, Status = 0x2b00 });
        w.WriteProcess(new ProcessRecord { Seq = 0, Event = "signal", Context = 3, Signal = 11 });
        w.WriteAddressSpace(new AddressSpaceRecord
        {
            Seq = 0, Context = 3, At = "exit", Cr3 = 0xbde000,
            Pages = [new UserPage(0x400000, 0x20000000be6025, "9aae54d655d64915"), new UserPage(0x401000, 0x8000000000bdc067, "0d5d9167de9ede39")],
        });
        w.WriteEnd(new EndRecord { Seq = 0, Complete = true, How = "qemu-exit", ReachedKmain = true, WallSeconds = 1 });
        return path;
    }

    [Fact]
    public void Process_records_read_back_with_every_field()
    {
        using var dir = new TempDir();
        var t = TraceReader.Read(WriteSample(dir));

        Assert.Equal(["clone", "exec", "exit", "waitpid", "signal"], t.Processes.Select(p => p.Event));
        Assert.Equal(3UL, t.Processes[0].Child);
        Assert.Equal(0x100UL, t.Processes[0].Flags);
        Assert.Equal("/bin/child", t.Processes[1].Path);
        Assert.Equal(["/bin/child", "ä"], t.Processes[1].Args!);
        Assert.Null(t.Processes[1].Result);
        Assert.Equal(0x2b00UL, t.Processes[2].Status);
        Assert.Equal((3UL, 3UL, 0x2b00UL), (t.Processes[3].Pid!.Value, t.Processes[3].Result!.Value, t.Processes[3].Status!.Value));
        Assert.Equal(11UL, t.Processes[4].Signal);
        var space = Assert.Single(t.AddressSpaces);
        Assert.Equal(("exit", 0xbde000UL, 2), (space.At, space.Cr3, space.Pages.Count));
        Assert.Equal(0xbdc000UL, space.Pages[1].Frame);
        Assert.Equal(0x8000000000000007UL, space.Pages[1].Flags); // accessed and dirty removed, NX kept
        Assert.Equal(["inner + 42", "syscall + 34"], t.Syscalls[0].Stack!);
        Assert.Equal(2UL, Assert.IsType<FrameAllocEvent>(Assert.Single(t.Events)).Context);
        Assert.Empty(t.OtherRecords);
        Assert.Equal(5, t.End!.Counters["process"]);
    }

    [Fact]
    public void A_copy_keeps_the_process_records()
    {
        using var dir = new TempDir();
        var t = TraceReader.Read(WriteSample(dir));
        var copy = TraceReader.Read(TraceCopier.Copy(t, dir.File("copy.jsonl")));
        Assert.Equal(File.ReadAllLines(t.SourcePath).Skip(1), File.ReadAllLines(copy.SourcePath).Skip(1));
    }

    [Fact]
    public void A_version_2_trace_still_reads_without_process_records()
    {
        using var dir = new TempDir();
        var path = dir.File("v2.jsonl");
        using (SampleTrace.Write(path)) { }
        var lines = File.ReadAllLines(path);
        lines[0] = lines[0].Replace(TraceFormat.Current, TraceFormat.Version2);
        File.WriteAllLines(path, lines);

        var t = TraceReader.Read(path);
        Assert.Equal(TraceFormat.Version2, t.Header.Format);
        Assert.Empty(t.Processes);
        Assert.Empty(t.AddressSpaces);
    }

    [Fact]
    public void An_unknown_process_event_is_an_error_naming_the_line()
    {
        using var dir = new TempDir();
        var path = WriteSample(dir);
        var lines = File.ReadAllLines(path);
        var i = Array.FindIndex(lines, l => l.Contains("\"event\":\"exit\"", StringComparison.Ordinal));
        lines[i] = lines[i].Replace("\"event\":\"exit\"", "\"event\":\"vanish\"");
        File.WriteAllLines(path, lines);

        var e = Assert.Throws<TraceFormatException>(() => TraceReader.Read(path));
        Assert.Equal(i + 1, e.Line);
        Assert.Contains("unknown event 'vanish'", e.Message);
    }
}
