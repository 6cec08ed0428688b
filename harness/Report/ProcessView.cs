using System.Globalization;
using System.Net;
using System.Text;
using Harness.Diff;
using Harness.Trace;
using TraceModel = Harness.Trace.Trace;

namespace Harness.Report;

/// <summary>
/// The HTML report's per-process view: for each side a timeline of contexts (one lane per context, its system calls
/// and lifecycle events in the order the trace has them), then each context's calls side by side, A against B, call by
/// call (the unit the diff compares); the first divergent call of the processes is highlighted in both.
/// </summary>
internal static class ProcessView
{
    private const int LaneHeight = 18;
    private const int LabelWidth = 90;
    private const int Width = 1100;
    private const int MaxRowsPerContext = 400;

    public static bool Applies(DiffSession s) =>
        s.A.Syscalls.Count + s.B.Syscalls.Count + s.A.Processes.Count + s.B.Processes.Count > 0 || ContextsView.Applies(s);

    public static void Render(StringBuilder sb, DiffSession s)
    {
        var cell = s.Result.Cells.FirstOrDefault(c => c.Observable == Observable.Processes);
        var first = cell?.Differences.FirstOrDefault(d => !d.IsAccepted);
        // Only a syscall path names a call to highlight (a contexts path's index is an fd or a grant's).
        var (ctxOf, index) = Parse(first is not null && first.Path.Contains(".syscall[", StringComparison.Ordinal) ? first.Path : null);
        sb.Append("<section id=\"processes\"><h2>Processes: contexts and their system calls");
        if (cell is not null) sb.Append($" — <span class=\"st-{cell.Status.Name()}\">{H(SummaryRows.CellText(cell))}</span>");
        sb.Append("</h2>");
        if (first is not null)
            sb.Append($"<p id=\"first-process-divergence\" class=\"differs\"><b>First divergent {(first.Path.Contains(".syscall[", StringComparison.Ordinal) ? "system call" : "record")}</b>: " +
                      $"<code>{H(first.Path)}</code> — {H(first.Sentence)}</p>");
        sb.Append("<p class=\"legend\">One lane per context, records in the order each trace has them (the interleaving of contexts may differ; " +
                  "each context's own order may not). Ticks: system calls (red outline: an error result); ▲ clone, ◆ exec, ■ exit, ● waitpid, ✶ signal; " +
                  "the first divergent call is red.</p>");
        foreach (var (side, t) in new[] { ("A (reference)", s.A), ("B (port)", s.B) })
        {
            sb.Append($"<h3>{H(side)}: {t.Syscalls.Count} calls, {t.Processes.Count} lifecycle events</h3>");
            sb.Append(Lanes(t, first is not null && first.Path.Contains(".syscall[", StringComparison.Ordinal) ? ctxOf : null, index));
        }
        foreach (var context in s.A.Syscalls.Concat(s.B.Syscalls).Select(c => c.Context ?? ulong.MaxValue).Distinct())
        {
            var la = s.A.Syscalls.Where(c => (c.Context ?? ulong.MaxValue) == context).ToList();
            var lb = s.B.Syscalls.Where(c => (c.Context ?? ulong.MaxValue) == context).ToList();
            var divergent = ctxOf == context && index is not null;
            sb.Append($"<details{(divergent ? " open" : "")}><summary>context {Id(context)}: A {la.Count} calls, B {lb.Count} calls" +
                      $"{(divergent ? " — <b class=\"differs\">diverges</b>" : "")}</summary>");
            sb.Append("<table class=\"grid syscalls\"><thead><tr><th>#</th><th>A (reference)</th><th>B (port)</th></tr></thead><tbody>");
            var rows = Math.Min(Math.Max(la.Count, lb.Count), MaxRowsPerContext);
            for (var i = 0; i < rows; i++)
            {
                var x = i < la.Count ? ProcessText.Syscall(la[i]) : null;
                var y = i < lb.Count ? ProcessText.Syscall(lb[i]) : null;
                var isFirst = divergent && index == i;
                var mark = isFirst ? "first" : x == y ? "" : "differs";
                sb.Append($"<tr class=\"{mark}\"{(isFirst ? " id=\"first-divergent-syscall\"" : "")}><td>{i}</td>" +
                          $"<td><code>{(x is null ? "<i>(no call)</i>" : H(x))}</code></td><td><code>{(y is null ? "<i>(no call)</i>" : H(y))}</code></td></tr>");
            }
            if (Math.Max(la.Count, lb.Count) > rows) sb.Append($"<tr><td colspan=\"3\">… {Math.Max(la.Count, lb.Count) - rows} more</td></tr>");
            sb.Append("</tbody></table></details>");
        }
        if (ContextsView.Applies(s)) ContextsView.Render(sb, s);
        sb.Append("</section>\n");
    }

    /// <summary>An SVG of one trace's contexts: a lane each, a mark per record at its position among the trace's process records.</summary>
    private static string Lanes(TraceModel t, ulong? divergentContext, int? divergentIndex)
    {
        var items = new List<(long Seq, ulong Context, string Kind, string Title, bool Error, bool First)>();
        var perContext = new Dictionary<ulong, int>();
        foreach (var c in t.Syscalls)
        {
            var id = c.Context ?? ulong.MaxValue;
            var i = perContext.GetValueOrDefault(id);
            perContext[id] = i + 1;
            items.Add((c.Seq, id, "call", $"#{i} {ProcessText.Syscall(c)}", c.Errno is not null, id == divergentContext && i == divergentIndex));
        }
        foreach (var p in t.Processes)
            items.Add((p.Seq, p.Context ?? ulong.MaxValue, p.Event, ProcessText.Lifecycle(p), false, false));
        items.Sort((x, y) => x.Seq.CompareTo(y.Seq));
        var contexts = items.Select(x => x.Context).Distinct().Order().ToList();
        var height = Math.Max(1, contexts.Count) * LaneHeight + 6;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"lanes\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" role=\"img\">");
        double X(int k) => LabelWidth + (items.Count <= 1 ? 0 : (Width - LabelWidth - 10) * (double)k / (items.Count - 1));
        for (var lane = 0; lane < contexts.Count; lane++)
        {
            var y = lane * LaneHeight + 3;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"2\" y=\"{y + 12}\" font-size=\"11\">context {Id(contexts[lane])}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{LabelWidth}\" x2=\"{Width - 5}\" y1=\"{y + 8}\" y2=\"{y + 8}\" stroke=\"#ddd\"/>");
        }
        for (var k = 0; k < items.Count; k++)
        {
            var it = items[k];
            var y = contexts.IndexOf(it.Context) * LaneHeight + 3;
            var x = X(k).ToString("0.#", CultureInfo.InvariantCulture);
            var title = $"<title>{H(it.Title)}</title>";
            if (it.Kind == "call")
            {
                var stroke = it.First ? "#d00" : it.Error ? "#c66" : "#4a6fa5";
                var w = it.First ? 3 : 1;
                svg.Append(CultureInfo.InvariantCulture,
                    $"<line x1=\"{x}\" x2=\"{x}\" y1=\"{y + (it.First ? 0 : 3)}\" y2=\"{y + (it.First ? 16 : 13)}\" stroke=\"{stroke}\" stroke-width=\"{w}\"{(it.First ? " class=\"first-divergent\"" : "")}>{title}</line>");
            }
            else
            {
                var glyph = it.Kind switch { "clone" => "▲", "exec" => "◆", "exit" => "■", "waitpid" => "●", _ => "✶" };
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x}\" y=\"{y + 13}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#222\">{glyph}{title}</text>");
            }
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary><c>processes.context[2].syscall[12]</c> → (2, 12).</summary>
    private static (ulong? Context, int? Index) Parse(string? path)
    {
        if (path is null || !path.StartsWith("processes.context[", StringComparison.Ordinal)) return (null, null);
        var close = path.IndexOf(']', StringComparison.Ordinal);
        var id = path["processes.context[".Length..close];
        ulong? context = id == "?" ? ulong.MaxValue : ulong.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : null;
        var open = path.LastIndexOf('[');
        int? index = int.TryParse(path[(open + 1)..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;
        return (context, index);
    }

    private static string Id(ulong context) => context == ulong.MaxValue ? "?" : context.ToString(CultureInfo.InvariantCulture);

    private static string H(string s) => WebUtility.HtmlEncode(s);
}
