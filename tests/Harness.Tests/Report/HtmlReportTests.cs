using System.Text.RegularExpressions;
using Harness.Diff;
using Harness.Report;
using Harness.Tests.Diff;
using Harness.Trace;
using Harness.Tests.Trace;

namespace Harness.Tests.Report;

/// <summary>The HTML report is one self-contained file: nothing fetched from anywhere.</summary>
public class HtmlReportTests
{
    [Fact]
    public void The_report_is_one_file_with_no_external_reference()
    {
        var html = HtmlReport.Render(ReportInputs.FrameChanged());

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.DoesNotContain("src=\"http", html);
        Assert.DoesNotContain("<link href=", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("@import", html);
        Assert.DoesNotContain("url(", html);
        Assert.DoesNotMatch(new Regex(@"\bsrc\s*="), html);
        // Every link is an anchor inside the page.
        Assert.All(Regex.Matches(html, "href=\"([^\"]*)\"").Select(m => m.Groups[1].Value), h => Assert.StartsWith("#", h));
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
    }

    [Fact]
    public void The_state_of_each_checkpoint_is_its_own_json_block()
    {
        var s = ReportInputs.Equal();
        var html = HtmlReport.Render(s);

        var blocks = Regex.Matches(html, "<script type=\"application/json\" id=\"cp-(\\d+)\">").Count;
        Assert.Equal(s.A.Checkpoints.Count, blocks);
        Assert.Contains("<script type=\"application/json\" id=\"report-data\">", html);
        // JSON inside a script element never closes it early.
        foreach (Match m in Regex.Matches(html, "<script type=\"application/json\"[^>]*>(.*?)</script>", RegexOptions.Singleline))
            Assert.DoesNotContain("<", m.Groups[1].Value);
    }

    [Fact]
    public void Write_puts_the_report_where_asked()
    {
        using var dir = new TempDir();
        var path = HtmlReport.Write(ReportInputs.Equal(), dir.File("sub/report.html"));

        Assert.True(File.Exists(path));
        Assert.Contains("<span class=\"word\">EQUAL</span>", File.ReadAllText(path));
    }

    [Fact]
    public void Accepted_divergences_are_listed_with_their_reasons_and_stale_entries_named()
    {
        var registry = Harness.Diff.DivergenceRegistry.Parse("""
            [[divergence]]
            id = "frame-500"
            observable = "frames"
            path = "frames[500]"
            reason = "planted <on purpose> by the report's test"

            [[divergence]]
            id = "never-used"
            observable = "heap"
            path = "heap.holes"
            reason = "matches nothing"
            """, "divergences.toml");

        var html = HtmlReport.Render(ReportInputs.FrameChanged(registry));

        var accepted = html[html.IndexOf("<section id=\"accepted\">", StringComparison.Ordinal)..];
        accepted = accepted[..accepted.IndexOf("</section>", StringComparison.Ordinal)];
        Assert.Contains("<b>frame-500</b>", accepted);
        Assert.Contains("planted &lt;on purpose&gt; by the report&#39;s test", accepted);
        Assert.Contains("Stale registry entries", accepted);
        Assert.Contains("<b>never-used</b>", accepted);
        Assert.Contains("<span class=\"word\">ACCEPTED</span>", html);
        Assert.Contains("<td class=\"st-accepted\"", html);
    }
}

/// <summary>The per-process view: contexts' timelines and calls side by side, the first divergent call highlighted.</summary>
public class ProcessViewTests
{
    [Fact]
    public void A_changed_getpid_result_is_highlighted_in_the_process_view()
    {
        var reference = TraceEdits.Load("user-identity");
        SyscallRecord Call(long seq, ulong context, ulong number, ulong result) => new()
        {
            Seq = seq, Context = context, Number = number, Name = SyscallNames.Name(number), Args = [0, 0, 0, 0, 0], Result = result,
            Caller = "inner + 42", Stack = ["inner + 42", "syscall + 34"],
        };
        Harness.Trace.Trace With(string name, params SyscallRecord[] calls) =>
            new(reference.SourcePath + name, reference.Header, reference.Checkpoints, reference.Events, reference.Serial, reference.End,
                reference.ObservationPoints, reference.OtherRecords)
            {
                Syscalls = calls,
                Processes = [new ProcessRecord { Seq = 9_000_003, Event = "exit", Context = 2, Status = 0 }],
            };
        var a = With(".a", Call(9_000_000, 2, 0x21000004, 6), Call(9_000_001, 2, 20, 2), Call(9_000_002, 2, 1, 0));
        var b = With(".b", Call(9_000_000, 2, 0x21000004, 6), Call(9_000_001, 2, 20, 3), Call(9_000_002, 2, 1, 0));
        var html = HtmlReport.Render(new DiffSession(a, b, TraceDiffer.Compare(a, b), null));

        Assert.Contains("<section id=\"processes\">", html);
        Assert.Contains("id=\"first-process-divergence\"", html);
        var row = html[html.IndexOf("id=\"first-divergent-syscall\"", StringComparison.Ordinal)..];
        Assert.Contains("getpid(", row[..row.IndexOf("</tr>", StringComparison.Ordinal)]);
        Assert.Contains("class=\"first-divergent\"", html); // the red tick on B's (and A's) lane
        // A trace without process records (the boot references have a contexts record at their panic since session 6) has none.
        var bare = new Harness.Trace.Trace(reference.SourcePath + ".bare", reference.Header, reference.Checkpoints, reference.Events, reference.Serial,
            reference.End, reference.ObservationPoints, reference.OtherRecords);
        Assert.Empty(bare.Contexts);
        Assert.DoesNotContain("<section id=\"processes\">", HtmlReport.Render(new DiffSession(bare, bare, TraceDiffer.Compare(bare, bare), null)));
        Assert.Contains("<section id=\"processes\">", HtmlReport.Render(ReportInputs.Equal())); // q35-2g-slot4m's reference: kmain's context at the panic
    }

    [Fact]
    public void A_changed_cloexec_in_the_recorded_file_table_is_named_in_the_contexts_view_and_the_text()
    {
        // user-files' reference (redox-trace/4): its last contexts record (at call:iopl) has context 2's fds 0-6.
        var a = TraceEdits.Load("user-files");
        Assert.NotEmpty(a.Contexts);
        var last = a.Contexts[^1];
        var victim = last.Contexts.First(c => c.Files.Count > 3);
        var edited = victim with { Files = [.. victim.Files.Take(3), victim.Files[3] with { Cloexec = !victim.Files[3].Cloexec }, .. victim.Files.Skip(4)] };
        var b = new Harness.Trace.Trace(a.SourcePath + ".b", a.Header, a.Checkpoints, a.Events, a.Serial, a.End, a.ObservationPoints, a.OtherRecords)
        {
            Syscalls = a.Syscalls, Processes = a.Processes, AddressSpaces = a.AddressSpaces,
            Contexts = [.. a.Contexts.SkipLast(1), last with { Contexts = [.. last.Contexts.Select(c => c.Id == victim.Id ? edited : c)] }],
        };
        var result = TraceDiffer.Compare(a, b);
        var path = $"processes.context[{victim.Id}].files[{victim.Files[3].Fd}].cloexec";
        Assert.Equal(path, result.FirstDivergence!.Path);

        var html = HtmlReport.Render(new DiffSession(a, b, result, null));
        Assert.Contains("id=\"contexts\"", html);
        Assert.Contains($"<code>{path}</code>", html);
        Assert.Contains($"<tr class=\"first\"><td>{victim.Id}</td>", html);
        Assert.DoesNotContain("id=\"first-divergent-syscall\"", html); // an fd is not a call index

        var text = DiffText.Format(result);
        Assert.Contains($"first divergence: processes @ {BootOrder.WholeLog}, {path}", text);
        Assert.Contains($"processes {BootOrder.WholeLog}: diverged(1)", text);
    }
}
