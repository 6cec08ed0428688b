using Harness.Trace;

namespace Harness.Tests.Trace;

/// <summary>Broken, cut-off and unfinished traces are reported, never read as whole.</summary>
public class BadInputTests
{
    private static string WriteSample(TempDir dir)
    {
        var path = dir.File("t.jsonl");
        using (SampleTrace.Write(path)) { }
        return path;
    }

    [Fact]
    public void Truncated_last_line_names_file_and_line()
    {
        using var dir = new TempDir();
        var path = WriteSample(dir);
        var text = File.ReadAllText(path);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        File.WriteAllText(path, text[..(text.Length - 20)]); // cut inside the end record

        var e = Assert.Throws<TraceFormatException>(() => TraceReader.Read(path));
        Assert.Equal(path, e.File);
        Assert.Equal(lines.Length, e.Line);
        Assert.Contains("truncated", e.Message);
        Assert.StartsWith($"{path}:{lines.Length}:", e.Message);
    }

    [Fact]
    public void Truncated_last_line_can_be_tolerated_as_incomplete()
    {
        using var dir = new TempDir();
        var path = WriteSample(dir);
        var text = File.ReadAllText(path);
        File.WriteAllText(path, text[..(text.Length - 20)]);

        var t = TraceReader.Read(path, new TraceReadOptions { TolerateTruncatedLastLine = true });
        Assert.False(t.IsComplete);
        Assert.Null(t.End);
        Assert.Contains("truncated", t.IncompleteReason);
    }

    [Fact]
    public void Corrupt_line_in_the_middle_names_file_and_line()
    {
        using var dir = new TempDir();
        var path = WriteSample(dir);
        var lines = File.ReadAllLines(path);
        lines[4] = lines[4].Replace(",\"seq\"", ",,\"seq\"");
        File.WriteAllLines(path, lines);

        var e = Assert.Throws<TraceFormatException>(() => TraceReader.Read(path));
        Assert.Equal(5, e.Line);
        Assert.Contains("corrupt JSON", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Record_missing_a_field_names_the_field()
    {
        using var dir = new TempDir();
        var path = WriteSample(dir);
        var lines = File.ReadAllLines(path);
        var i = Array.FindIndex(lines, l => l.Contains("\"frame_alloc\""));
        lines[i] = lines[i].Replace("\"count\":1,", "");
        File.WriteAllLines(path, lines);

        var e = Assert.Throws<TraceFormatException>(() => TraceReader.Read(path));
        Assert.Equal(i + 1, e.Line);
        Assert.Contains("'count'", e.Message);
    }

    [Fact]
    public void Unknown_format_is_refused_clearly()
    {
        using var dir = new TempDir();
        var path = WriteSample(dir);
        var lines = File.ReadAllLines(path);
        lines[0] = lines[0].Replace(TraceFormat.Current, "redox-trace/9");
        File.WriteAllLines(path, lines);

        var e = Assert.Throws<TraceFormatException>(() => TraceReader.Read(path));
        Assert.Equal(1, e.Line);
        Assert.Contains("unknown trace format 'redox-trace/9'", e.Message);
        Assert.Contains(TraceFormat.Current, e.Message);
        Assert.Contains(TraceFormat.Observations1, e.Message);
    }

    [Fact]
    public void Partial_file_is_incomplete()
    {
        using var dir = new TempDir();
        var final = dir.File("run.jsonl");
        using (SampleTrace.Write(final, finish: false)) { }

        Assert.False(File.Exists(final));
        var t = TraceReader.Read(final + TraceFormat.PartialSuffix);
        Assert.False(t.IsComplete);
        Assert.Null(t.End);
        Assert.Contains("partial", t.IncompleteReason);
        Assert.Equal(5, t.Events.Count);
    }

    [Fact]
    public void Partial_file_stays_incomplete_even_with_an_end_record()
    {
        using var dir = new TempDir();
        var path = WriteSample(dir);
        File.Move(path, path + TraceFormat.PartialSuffix);
        Assert.False(TraceReader.Read(path + TraceFormat.PartialSuffix).IsComplete);
    }

    [Fact]
    public void End_record_saying_incomplete_makes_an_incomplete_trace()
    {
        using var dir = new TempDir();
        var path = dir.File("t.jsonl");
        using (var w = new TraceWriter(path))
        {
            w.WriteHeader(SampleTrace.Header);
            w.WriteEnd(new EndRecord { Seq = 0, Complete = false, How = EndHow.Timeout, ReachedKmain = false });
        }
        var t = TraceReader.Read(path);
        Assert.False(t.IsComplete);
        Assert.Contains("timeout", t.IncompleteReason);
    }

    [Fact]
    public void Missing_records_are_caught_by_the_end_counters()
    {
        using var dir = new TempDir();
        var path = WriteSample(dir);
        var lines = File.ReadAllLines(path).ToList();
        var i = lines.FindIndex(l => l.Contains("\"heap_extend\""));
        lines.RemoveAt(i);
        File.WriteAllLines(path, lines);

        var e = Assert.Throws<TraceFormatException>(() => TraceReader.Read(path));
        Assert.Equal(lines.Count, e.Line);
        Assert.Contains("heap_extend", e.Message);
    }

    [Fact]
    public void Seq_going_backwards_is_an_error()
    {
        using var dir = new TempDir();
        var path = WriteSample(dir);
        var lines = File.ReadAllLines(path);
        (lines[3], lines[4]) = (lines[4], lines[3]);
        File.WriteAllLines(path, lines);

        var e = Assert.Throws<TraceFormatException>(() => TraceReader.Read(path));
        Assert.Equal(5, e.Line);
        Assert.Contains("does not increase", e.Message);
    }

    [Fact]
    public void Writer_disposed_before_the_end_leaves_only_a_partial_file()
    {
        using var dir = new TempDir();
        var final = dir.File("t.jsonl");
        File.WriteAllText(final, "stale complete-looking file\n");
        using (var w = new TraceWriter(final))
        {
            w.WriteHeader(SampleTrace.Header);
            Assert.False(File.Exists(final));
            Assert.True(File.Exists(w.WritingPath));
            // Flushed per record: another reader sees the header already.
            using var s = new FileStream(w.WritingPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            Assert.Contains("\"header\"", new StreamReader(s).ReadToEnd());
        }
        Assert.False(File.Exists(final));
        Assert.True(File.Exists(final + TraceFormat.PartialSuffix));
    }
}
