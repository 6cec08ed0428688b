using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Diff;
using Harness.Trace;
using TraceModel = Harness.Trace.Trace;

namespace Harness.Report;

/// <summary>
/// The diff as one self-contained HTML file (inline CSS, JS and SVG; no external asset): header with both
/// kernels and the verdict, the summary table, the first divergence in context, the page-table trees and
/// descriptor tables of both kernels side by side at a checkpoint chosen in a select box, the frame-allocation
/// timeline, the serial logs line by line, and the accepted divergences with their reasons.
/// The state at each checkpoint is embedded as its own JSON block and parsed and rendered only when that
/// checkpoint is chosen, and page tables below the top level only when opened, so large traces open fast.
/// </summary>
public static class HtmlReport
{
    /// <summary>How many divergences after the first are listed.</summary>
    public const int FurtherShown = 200;

    /// <summary>Events shown on each side of the first divergence.</summary>
    public const int ContextEvents = 6;

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    /// <summary>Writes the report of <paramref name="session"/> to <paramref name="path"/>; returns the full path.</summary>
    public static string Write(DiffSession session, string path)
    {
        // Written under this run's own name and renamed whole: a report is never half one run's and half another's.
        var text = Render(session);
        using var file = new Harness.Trace.OutputFile(path);
        var bytes = new UTF8Encoding(false).GetBytes(text);
        file.Stream.Write(bytes);
        file.Commit();
        return file.FinalPath;
    }

    /// <summary>Renders the report of <paramref name="session"/>.</summary>
    public static string Render(DiffSession session)
    {
        var (a, b, r) = (session.A, session.B, session.Result);
        var sb = new StringBuilder(1 << 20);
        var title = $"{Verdict.Word(r)} — {r.Scenario} — Redox 0.3.5 port vs original";
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.Append($"<title>{H(title)}</title><style>{Asset("report.css")}</style></head>\n<body>\n");

        Header(sb, session);
        sb.Append("<nav><a href=\"#summary\">summary</a> <a href=\"#first\">first divergence</a> <a href=\"#accepted\">accepted</a> " +
                  "<a href=\"#state\">page tables &amp; descriptors</a> <a href=\"#timeline\">frame timeline</a> " +
                  (ProcessView.Applies(session) ? "<a href=\"#processes\">processes</a> " : "") + "<a href=\"#serial\">serial</a></nav>\n");
        Summary(sb, r);
        First(sb, session);
        Accepted(sb, session);
        State(sb, session);
        Timeline(sb, session);
        if (ProcessView.Applies(session)) ProcessView.Render(sb, session);
        Serial(sb, session);

        var checkpoints = StateCheckpoints(a, b, r);
        var data = new JsonObject
        {
            ["scenario"] = r.Scenario,
            ["status"] = r.Status.Name(),
            ["checkpoints"] = new JsonArray(checkpoints.Select(c => (JsonNode)c).ToArray()),
            ["initial"] = InitialCheckpoint(r, checkpoints),
            ["classified"] = !a.Header.Kernel.Sections.IsEmpty && !b.Header.Kernel.Sections.IsEmpty,
            ["layoutA"] = Layout(a),
            ["layoutB"] = Layout(b),
        };
        sb.Append("<script type=\"application/json\" id=\"report-data\">").Append(Json(data)).Append("</script>\n");
        for (var i = 0; i < checkpoints.Count; i++)
            sb.Append($"<script type=\"application/json\" id=\"cp-{i}\">").Append(Json(CheckpointData(checkpoints[i], a, b, r))).Append("</script>\n");
        sb.Append("<script>").Append(Asset("report.js")).Append("</script>\n</body></html>\n");
        return sb.ToString();
    }

    // ---- header --------------------------------------------------------------------------------

    private static void Header(StringBuilder sb, DiffSession s)
    {
        var r = s.Result;
        sb.Append($"<header><h1>Redox 0.3.5 differential report — scenario <code id=\"scenario\">{H(r.Scenario)}</code></h1>\n");
        sb.Append($"<div id=\"verdict\" class=\"verdict st-{r.Status.Name()}\"><span class=\"word\">{H(Verdict.Word(r))}</span> " +
                  $"<span class=\"why\">{H(Verdict.Sentence(r))}</span></div>\n");
        if (r.ScenarioMismatch)
            sb.Append($"<p class=\"warn\">Comparison forced across scenarios: A is <code>{H(r.A.Scenario)}</code>, B is <code>{H(r.B.Scenario)}</code>; every difference may be the scenario's.</p>");
        sb.Append("<table class=\"kernels\"><thead><tr><th></th><th>kernel</th><th>trace</th><th>kernel ELF sha256</th><th>kernel slot</th><th>QEMU</th><th>end</th></tr></thead><tbody>");
        foreach (var f in new[] { SideFacts.Of("A", s.A), SideFacts.Of("B", s.B) })
            sb.Append($"<tr><th>{f.Label}</th><td>{H(f.Which)}<br><code>{H(f.KernelPath ?? "?")}</code></td><td><code>{H(f.Path)}</code></td>" +
                      $"<td><code class=\"sha\">{H(f.Sha256 ?? "not recorded")}</code></td><td>{H(f.Slot)}</td><td>{H(f.Qemu)}</td><td>{H(f.Ending)}</td></tr>");
        sb.Append("</tbody></table>");
        sb.Append($"<p class=\"small\">Registry of accepted divergences: <code>{H(s.RegistryPath ?? "none")}</code>. " +
                  $"Frame and heap events compared: <b id=\"events-compared\">{r.EventsCompared}</b>, equal: <b id=\"events-equal\">{r.EventsEqual}</b>. " +
                  $"Generated {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.</p></header>\n");
    }

    // ---- summary table -------------------------------------------------------------------------

    private static void Summary(StringBuilder sb, DiffResult r)
    {
        sb.Append("<section id=\"summary\"><h2>Observables × checkpoints</h2>");
        sb.Append("<table id=\"summary-table\" class=\"grid\"><thead><tr><th>checkpoint</th>");
        foreach (var o in Observable.PerCheckpoint) sb.Append($"<th>{H(o)}</th>");
        sb.Append($"<th>{H(Observable.Serial)}</th></tr></thead><tbody>");
        foreach (var cp in SummaryRows.Checkpoints(r))
        {
            sb.Append($"<tr><th>{H(cp)}</th>");
            foreach (var o in Observable.PerCheckpoint) Cell(sb, r.Cell(o, cp));
            sb.Append("<td class=\"na\">·</td></tr>");
        }
        sb.Append($"<tr class=\"whole-log\"><th>{H(BootOrder.WholeLog)}</th>");
        foreach (var _ in Observable.PerCheckpoint) sb.Append("<td class=\"na\">·</td>");
        Cell(sb, r.Cell(Observable.Serial, BootOrder.WholeLog));
        sb.Append("</tr></tbody></table>");
        sb.Append("<p class=\"legend\"><span class=\"st-equal\">equal</span> <span class=\"st-accepted\">accepted</span> <span class=\"st-diverged\">diverged</span> " +
                  "<span class=\"st-incomplete\">incomplete</span> <span class=\"st-not-observed\">not-observed</span> — the number in brackets counts the differences in the cell.</p>");
        if (r.Notes.Count > 0)
        {
            sb.Append("<ul class=\"notes\">");
            foreach (var n in r.Notes) sb.Append($"<li>note: {H(n)}</li>");
            sb.Append("</ul>");
        }
        sb.Append("</section>\n");
    }

    private static void Cell(StringBuilder sb, ObservableCell c)
    {
        var tip = c.Note ?? (c.Differences.Count > 0 ? string.Join("\n", c.Differences.Take(8).Select(d => $"{d.Path}: A {d.A ?? "(none)"} | B {d.B ?? "(none)"}")) : null);
        sb.Append($"<td class=\"st-{c.Status.Name()}\"{(tip is null ? "" : $" title=\"{H(tip)}\"")}>{H(SummaryRows.CellText(c))}</td>");
    }

    // ---- first divergence ----------------------------------------------------------------------

    private static void First(StringBuilder sb, DiffSession s)
    {
        var r = s.Result;
        sb.Append("<section id=\"first\"><h2>First divergence</h2>");
        if (r.FirstDivergence is not { } f)
        {
            sb.Append("<p id=\"first-divergence\" class=\"none\">None: no difference outside the registry of accepted divergences.</p></section>\n");
            return;
        }
        sb.Append("<div id=\"first-divergence\">");
        sb.Append($"<p class=\"sentence\">{H(f.Sentence)}</p><table class=\"kv\">");
        Row(sb, "observable", f.Observable);
        Row(sb, "checkpoint", f.Checkpoint + (f.Checkpoint == BootOrder.WholeLog ? "" : " (the events lead up to it, or the state recorded at it)"));
        Row(sb, "path", f.Path, "path");
        if (f.EventIndex is { } ei) Row(sb, "event", $"#{ei} (seq A {f.SeqA?.ToString() ?? "-"}, B {f.SeqB?.ToString() ?? "-"})", "event-index");
        Row(sb, "A (reference)", f.A ?? "(none)", "value-a");
        Row(sb, "B (port)", f.B ?? "(none)", "value-b");
        if (f.CallerA is not null || f.CallerB is not null)
        {
            Row(sb, "caller in A", f.CallerA ?? "-", "caller-a");
            Row(sb, "caller in B", f.CallerB ?? "-", "caller-b");
        }
        sb.Append("</table>");
        Context(sb, s, f);
        sb.Append("</div>");

        var further = r.Divergences.Where(d => d != f).ToList();
        if (further.Count > 0)
        {
            sb.Append($"<details><summary>{further.Count} further divergence{(further.Count == 1 ? "" : "s")}{(further.Count > FurtherShown ? $" (first {FurtherShown} listed)" : "")}</summary>");
            sb.Append("<table class=\"grid small\"><thead><tr><th>observable</th><th>checkpoint</th><th>path</th><th>A</th><th>B</th></tr></thead><tbody>");
            foreach (var d in further.Take(FurtherShown))
                sb.Append($"<tr><td>{H(d.Observable)}</td><td>{H(d.Checkpoint)}</td><td><code>{H(d.Path)}</code></td><td>{H(d.A ?? "(none)")}</td><td>{H(d.B ?? "(none)")}</td></tr>");
            sb.Append("</tbody></table></details>");
        }
        sb.Append("</section>\n");
    }

    private static void Context(StringBuilder sb, DiffSession s, Difference f)
    {
        if (f.EventIndex is { } i && f.Observable is Observable.Frames or Observable.Heap)
        {
            var (ea, eb) = f.Observable == Observable.Frames
                ? (s.A.FrameEvents.ToList(), s.B.FrameEvents.ToList())
                : (s.A.HeapEvents.ToList(), s.B.HeapEvents.ToList());
            sb.Append($"<h3>Context: {H(f.Observable)} events #{Math.Max(0, i - ContextEvents)}–#{i + ContextEvents}</h3>");
            sb.Append("<table id=\"context\" class=\"grid small\"><thead><tr><th>#</th><th>A event</th><th>A phase</th><th>A caller</th><th>B event</th><th>B phase</th><th>B caller</th></tr></thead><tbody>");
            for (var k = Math.Max(0, i - ContextEvents); k <= i + ContextEvents && (k < ea.Count || k < eb.Count); k++)
            {
                var x = k < ea.Count ? ea[k] : null;
                var y = k < eb.Count ? eb[k] : null;
                var differs = Compared(x) != Compared(y);
                sb.Append($"<tr class=\"{(k == i ? "first" : differs ? "differs" : "")}\"><td>{k}</td>" +
                          $"<td>{H(x is null ? "(none)" : Compared(x)!)}</td><td>{H(x?.Phase ?? "")}</td><td><code>{H(x?.Caller ?? "-")}</code></td>" +
                          $"<td>{H(y is null ? "(none)" : Compared(y)!)}</td><td>{H(y?.Phase ?? "")}</td><td><code>{H(y?.Caller ?? "-")}</code></td></tr>");
            }
            sb.Append("</tbody></table>");
            return;
        }
        var same = s.Result.Cell(f.Observable, f.Checkpoint).Differences;
        if (same.Count > 1)
        {
            sb.Append($"<h3>Context: the {same.Count} differences of {H(f.Observable)} at {H(f.Checkpoint)}</h3>");
            sb.Append("<table id=\"context\" class=\"grid small\"><thead><tr><th>path</th><th>A</th><th>B</th><th>status</th></tr></thead><tbody>");
            foreach (var d in same.Take(40))
                sb.Append($"<tr class=\"{(d == f ? "first" : "")}\"><td><code>{H(d.Path)}</code></td><td>{H(d.A ?? "(none)")}</td><td>{H(d.B ?? "(none)")}</td><td>{(d.IsAccepted ? "accepted: " + H(d.AcceptedBy!.Id) : "diverged")}</td></tr>");
            sb.Append("</tbody></table>");
        }
        if (f.Observable is Observable.PageTables or Observable.Descriptors)
            sb.Append($"<p>See <a href=\"#state\">the page tables and descriptors at {H(f.Checkpoint)}</a> (selected below), with the differences marked.</p>");
    }

    private static string? Compared(TraceEvent? e) => e switch
    {
        null => null,
        FrameAllocEvent a => $"alloc {a.Count} → {(a.Frame is { } f ? Hex.Format(f) : "None")} @{a.Phase}",
        FrameFreeEvent f => $"free {Hex.Format(f.Frame)}×{f.Count} @{f.Phase}",
        HeapExtendEvent x => $"extend by {Hex.Format(x.By)} @{x.Phase}",
        HeapMapEvent m => $"map {Hex.Format(m.Offset)}+{Hex.Format(m.Size)} @{m.Phase}",
        _ => e.Type,
    };

    // ---- accepted divergences ------------------------------------------------------------------

    private static void Accepted(StringBuilder sb, DiffSession s)
    {
        var r = s.Result;
        sb.Append("<section id=\"accepted\"><h2>Accepted divergences</h2>");
        if (r.Accepted.Count == 0)
            sb.Append($"<p>None applied{(s.RegistryPath is null ? " (no registry)" : $" (registry <code>{H(s.RegistryPath)}</code>)")}.</p>");
        else
        {
            sb.Append("<table class=\"grid\"><thead><tr><th>id</th><th>where</th><th>differences</th><th>example</th><th>reason</th></tr></thead><tbody>");
            foreach (var a in r.Accepted)
                sb.Append($"<tr><td><b>{H(a.Entry.Id)}</b></td><td><code>{H(a.Entry.Location)}</code></td><td>{a.Count}</td>" +
                          $"<td><code>{H(a.Example.Path)}</code> @ {H(a.Example.Checkpoint)}: A {H(a.Example.A ?? "(none)")} | B {H(a.Example.B ?? "(none)")}</td><td>{H(a.Entry.Reason)}</td></tr>");
            sb.Append("</tbody></table>");
        }
        if (r.Stale.Count > 0)
        {
            sb.Append("<h3 class=\"warn\">Stale registry entries (accepted nothing here)</h3><ul>");
            foreach (var e in r.Stale) sb.Append($"<li><b>{H(e.Id)}</b> <code>{H(e.Location)}</code>: {H(e.Reason)}</li>");
            sb.Append("</ul>");
        }
        sb.Append("</section>\n");
    }

    // ---- state at a checkpoint (rendered by the script) ----------------------------------------

    private static void State(StringBuilder sb, DiffSession s)
    {
        sb.Append("<section id=\"state\"><h2>Page tables and descriptors at a checkpoint</h2>");
        sb.Append("<p><label>checkpoint <select id=\"cp-select\"></select></label> " +
                  "<span class=\"legend\"><span class=\"mark-diverged\">diverged</span> <span class=\"mark-accepted\">accepted</span> " +
                  "<span class=\"mark-raw\">raw values differ, equal after normalisation (kernel image by section class, statics by name)</span></span></p>");
        sb.Append("<div id=\"regs\"></div><h3>Page tables</h3><div id=\"pt\" class=\"pt\"><p>Loading…</p></div>");
        sb.Append("<h3>Descriptor tables</h3><div id=\"desc\"></div>");
        sb.Append("<noscript><p>The page tables and descriptor tables are rendered by the page's script.</p></noscript></section>\n");
    }

    private static List<string> StateCheckpoints(TraceModel a, TraceModel b, DiffResult r) =>
        r.Checkpoints.Where(cp => a.CheckpointsByName.ContainsKey(cp) || b.CheckpointsByName.ContainsKey(cp)).ToList();

    private static int InitialCheckpoint(DiffResult r, List<string> checkpoints)
    {
        if (r.FirstDivergence is { Observable: Observable.PageTables or Observable.Descriptors } f && checkpoints.IndexOf(f.Checkpoint) is >= 0 and var i)
            return i;
        var diverged = r.Cells.FirstOrDefault(c => c.Observable is Observable.PageTables or Observable.Descriptors && c.Status == CellStatus.Diverged);
        if (diverged is not null && checkpoints.IndexOf(diverged.Checkpoint) is >= 0 and var j) return j;
        return Math.Max(0, checkpoints.Count - 1);
    }

    private static JsonObject Layout(TraceModel t)
    {
        const ulong kernelOffset = 0xffffff0000000000;
        var o = new JsonObject();
        if (t.Header.Args is { } args)
        {
            o["imagePhys"] = new JsonArray(Hex.Format(args.KernelBase), Hex.Format(args.KernelBase + args.KernelSize));
            o["imageVirt"] = new JsonArray(Hex.Format(kernelOffset + args.KernelBase), Hex.Format(kernelOffset + args.KernelBase + args.KernelSize));
        }
        var sections = t.Header.Kernel.Sections;
        var classes = new JsonObject();
        foreach (var cls in KernelSections.Classes)
            if (sections.Range(cls) is { } range) classes[cls] = new JsonArray(Hex.Format(range.Start), Hex.Format(range.End));
        o["sections"] = classes;
        if (sections.End is { } end)
        {
            var start = sections.Symbols.Values.Where(v => v >= kernelOffset && v < end).DefaultIfEmpty(end).Min();
            o["linkRange"] = new JsonArray(Hex.Format(Math.Min(start, kernelOffset + 0x100000)), Hex.Format(end));
        }
        return o;
    }

    private static JsonObject CheckpointData(string name, TraceModel a, TraceModel b, DiffResult r)
    {
        var marks = new JsonArray();
        foreach (var o in new[] { Observable.PageTables, Observable.Descriptors })
            foreach (var d in r.Cell(o, name).Differences)
                marks.Add(new JsonArray(d.Path, d.IsAccepted ? "accepted" : "diverged", d.A ?? "(none)", d.B ?? "(none)"));
        return new JsonObject
        {
            ["name"] = name,
            ["a"] = Side(a.CheckpointsByName.GetValueOrDefault(name)),
            ["b"] = Side(b.CheckpointsByName.GetValueOrDefault(name)),
            ["marks"] = marks,
            ["status"] = new JsonObject
            {
                ["page_tables"] = r.Cell(Observable.PageTables, name).Status.Name(),
                ["descriptors"] = r.Cell(Observable.Descriptors, name).Status.Name(),
            },
        };
    }

    private static JsonNode? Side(Checkpoint? c)
    {
        if (c is null) return null;
        var o = new JsonObject { ["regs"] = DescriptorRows.Registers(c.Regs) };
        if (c.PageTables is { } pt)
        {
            var tables = new JsonArray();
            foreach (var t in pt.Tables)
            {
                var entries = new JsonArray();
                foreach (var (i, raw) in t.Entries.OrderBy(kv => kv.Key)) entries.Add(new JsonArray(i, Hex.Format(raw)));
                tables.Add(new JsonObject { ["f"] = Hex.Format(t.Frame), ["l"] = t.Level, ["va"] = Hex.Format(t.Va), ["e"] = entries });
            }
            o["pt"] = new JsonObject { ["cr3"] = Hex.Format(pt.Cr3), ["pat"] = pt.Pat is { } p ? Hex.Format(p) : null, ["tables"] = tables };
        }
        if (c.Descriptors is { } d)
            o["desc"] = new JsonObject
            {
                ["gdt"] = d.Gdt is null ? null : DescriptorRows.Gdt(d.Gdt),
                ["idt"] = d.Idt is null ? null : DescriptorRows.Idt(d.Idt),
                ["tss"] = d.Tss is null ? null : DescriptorRows.Tss(d.Tss),
                ["error"] = d.Error,
            };
        return o;
    }

    // ---- timeline and serial -------------------------------------------------------------------

    private static void Timeline(StringBuilder sb, DiffSession s)
    {
        sb.Append("<section id=\"timeline\"><h2>Frame allocations over time</h2>");
        sb.Append("<p class=\"legend\">");
        foreach (var (phase, colour) in TimelineSvg.Phases)
            sb.Append($"<span class=\"phase\"><i style=\"background:{colour}\"></i>{H(phase)}</span> ");
        sb.Append("<span class=\"phase\"><i class=\"sq\"></i>free (square)</span> <span class=\"phase\"><i class=\"redline\"></i>first divergence</span> " +
                  "<span class=\"phase\"><i class=\"cpline\"></i>checkpoint</span></p>");
        sb.Append(TimelineSvg.Render(s.A, s.B, s.Result));
        sb.Append("</section>\n");
    }

    private static void Serial(StringBuilder sb, DiffSession s)
    {
        var cell = s.Result.Cell(Observable.Serial, BootOrder.WholeLog);
        sb.Append($"<section id=\"serial\"><h2>Serial output (COM1), line by line — <span class=\"st-{cell.Status.Name()}\">{H(SummaryRows.CellText(cell))}</span></h2>");
        if (!s.A.Serial.Observed || !s.B.Serial.Observed)
            sb.Append($"<p>{(s.A.Serial.Observed ? "B" : "A")} recorded no serial output.</p>");
        var (la, lb) = (s.A.Serial.Lines, s.B.Serial.Lines);
        sb.Append("<table id=\"serial-table\" class=\"grid serial\"><thead><tr><th>line</th><th>A (reference)</th><th>B (port)</th></tr></thead><tbody>");
        for (var i = 0; i < Math.Max(la.Count, lb.Count); i++)
        {
            var x = i < la.Count ? la[i] : null;
            var y = i < lb.Count ? lb[i] : null;
            var mark = x == y ? "" : cell.Differences.FirstOrDefault(d => d.Path == $"serial.line[{i + 1}]") is { IsAccepted: true } ? "accepted" : "differs";
            sb.Append($"<tr class=\"{mark}\"><td>{i + 1}</td><td><pre>{(x is null ? "<i>(no line)</i>" : H(x))}</pre></td><td><pre>{(y is null ? "<i>(no line)</i>" : H(y))}</pre></td></tr>");
        }
        sb.Append("</tbody></table></section>\n");
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static void Row(StringBuilder sb, string key, string value, string? id = null) =>
        sb.Append($"<tr><th>{H(key)}</th><td{(id is null ? "" : $" id=\"{id}\"")}><code>{H(value)}</code></td></tr>");

    private static string H(string s) => WebUtility.HtmlEncode(s);

    /// <summary>JSON safe inside a script element: the default encoder escapes &lt;, &gt; and &amp;.</summary>
    private static string Json(JsonNode node) => node.ToJsonString(Compact);

    private static string Asset(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Harness.Report." + name)
            ?? throw new InvalidOperationException($"embedded asset {name} missing");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
