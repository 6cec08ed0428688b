using Harness.Tests.Trace;
using Harness.Trace;

namespace Harness.Tests.Faults;

/// <summary>Issue 12, item 2: a run owns its output files; two writers on one path never mix their records.</summary>
public class OutputOwnershipTests
{
    [Fact]
    public void Two_writers_on_one_path_never_mix_and_the_last_whole_trace_wins()
    {
        using var dir = new TempDir();
        var path = dir.File("same.jsonl");
        // A long run starts, a short one starts on the same path and finishes first, then the long one finishes.
        using var longRun = new TraceWriter(path);
        longRun.WriteHeader(SampleTrace.Header);
        longRun.WriteCheckpoint(new CheckpointRecord(0, "entry", SampleTrace.Regs));
        using (SampleTrace.Write(path)) { }
        var shortRun = File.ReadAllText(path);
        Assert.True(TraceReader.Read(path).IsComplete);
        for (var i = 0; i < 50; i++)
            longRun.WriteEvent(new FrameAllocEvent { Seq = 0, Phase = "paging", Count = 1, Frame = 0x1000UL * (ulong)(i + 1), Caller = "x + 1" });
        Assert.Equal(shortRun, File.ReadAllText(path)); // the long run's records never land in the short run's file
        longRun.WriteEnd(new EndRecord { Seq = 0, Complete = true, How = EndHow.Kmain, ReachedKmain = true });

        var trace = TraceReader.Read(path); // every line parses and the counters agree: exactly one run's output
        Assert.True(trace.IsComplete);
        Assert.Equal(50, trace.Events.Count);
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void A_writer_left_unfinished_becomes_the_partial_trace_and_nothing_else()
    {
        using var dir = new TempDir();
        var path = dir.File("t.jsonl");
        using (var w = new TraceWriter(path))
        {
            w.WriteHeader(SampleTrace.Header);
            Assert.False(File.Exists(path));
            Assert.False(File.Exists(path + TraceFormat.PartialSuffix));
        }
        Assert.Equal([path + TraceFormat.PartialSuffix], Directory.GetFiles(dir.Path));
        Assert.False(TraceReader.Read(path + TraceFormat.PartialSuffix).IsComplete);
    }

    [Fact]
    public void A_writer_with_nothing_written_leaves_no_file()
    {
        using var dir = new TempDir();
        using (new TraceWriter(dir.File("t.jsonl"))) { }
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void A_dead_runs_own_file_is_swept_and_a_live_ones_is_kept()
    {
        using var dir = new TempDir();
        // PID 1 is alive but started at another time than the tag says; int.MaxValue is no process.
        var dead = dir.File($"t.jsonl.{int.MaxValue}-123-abcdef01.partial");
        var reused = dir.File("t.jsonl.1-1-abcdef01.partial");
        var live = dir.File($"u.jsonl.{OutputFile.ProcessTag(Environment.ProcessId)}-abcdef01.partial");
        foreach (var f in new[] { dead, reused, live })
            File.WriteAllText(f, "x\n");
        OutputFile.CheckWritable(dir.File("t.jsonl"));
        Assert.Equal([live], Directory.GetFiles(dir.Path));
    }

    [Theory]
    [InlineData("/proc/harness-test.jsonl", "/proc")]
    [InlineData("/sys/harness-test.jsonl", "/sys")]
    public void Output_paths_in_pseudo_file_systems_are_refused(string path, string mention)
    {
        var e = Assert.Throws<OutputPathException>(() => new TraceWriter(path));
        Assert.Contains(mention, e.Message);
    }

    [Fact]
    public void An_output_path_that_is_a_folder_is_refused_and_nothing_is_created()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<OutputPathException>(() => new TraceWriter(dir.Path));
        Assert.Contains("folder", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }
}
