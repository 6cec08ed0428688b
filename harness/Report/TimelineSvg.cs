using System.Globalization;
using System.Net;
using System.Text;
using Harness.Diff;
using Harness.Trace;
using TraceModel = Harness.Trace.Trace;

namespace Harness.Report;

/// <summary>
/// The frame allocations of both kernels as an inline SVG: one panel per kernel, x = the index of the frame
/// event (allocation or free) in that kernel's sequence, y = the frame's physical address, coloured by boot
/// phase; checkpoints as faint vertical lines; the first divergence as a red line. Exactly one mark
/// (<c>class="ev"</c>) per frame event, with a tooltip naming it.
/// </summary>
public static class TimelineSvg
{
    /// <summary>The boot phases in order, with their colours (the legend uses the same).</summary>
    public static readonly IReadOnlyList<(string Phase, string Colour)> Phases =
    [
        ("memory", "#7f7f7f"), ("paging", "#1f77b4"), ("gdt", "#17becf"), ("idt", "#9467bd"), ("heap", "#2ca02c"),
        ("graphical_debug", "#ff7f0e"), ("device", "#8c564b"), ("acpi", "#e377c2"), ("device_noncore", "#bcbd22"),
        ("memory_noncore", "#393b79"), ("graphical_debug_fini", "#d62728"), ("kmain", "#000000"),
    ];

    private const double Width = 1100, PanelHeight = 190, Left = 92, Right = 12, Top = 22, Gap = 44;

    /// <summary>Renders the SVG for the two traces of <paramref name="r"/>.</summary>
    public static string Render(TraceModel a, TraceModel b, DiffResult r)
    {
        var evA = a.FrameEvents.ToList();
        var evB = b.FrameEvents.ToList();
        var frames = evA.Concat(evB).Select(FrameOf).Where(f => f is not null).Select(f => f!.Value).ToList();
        var (lo, hi) = frames.Count == 0 ? (0UL, 1UL) : (frames.Min(), frames.Max());
        if (hi == lo) hi = lo + 0x1000;
        var n = Math.Max(1, Math.Max(evA.Count, evB.Count));
        var firstIndex = r.FirstDivergence is { Observable: Observable.Frames, EventIndex: { } fi } ? fi : (int?)null;

        var height = Top + 2 * PanelHeight + Gap + 40;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture,
            $"<svg id=\"timeline-svg\" viewBox=\"0 0 {Width} {height}\" width=\"100%\" role=\"img\" aria-label=\"frame allocations of both kernels\" data-events-a=\"{evA.Count}\" data-events-b=\"{evB.Count}\">");
        Panel(sb, "A", a, evA, 0, lo, hi, n, firstIndex);
        Panel(sb, "B", b, evB, PanelHeight + Gap, lo, hi, n, firstIndex);
        // The x axis under panel B.
        var axisY = Top + 2 * PanelHeight + Gap;
        foreach (var tick in Ticks(n))
        {
            var x = X(tick, n);
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{x:0.#}\" y=\"{axisY + 14}\" text-anchor=\"middle\">{tick}</text>");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Left + (Width - Left - Right) / 2:0.#}\" y=\"{axisY + 32}\" text-anchor=\"middle\">frame event index (allocations and frees, in order)</text>");
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static void Panel(StringBuilder sb, string label, TraceModel t, List<TraceEvent> events, double offset, ulong lo, ulong hi, int n, int? firstIndex)
    {
        var top = Top + offset;
        var bottom = top + PanelHeight;
        sb.Append(CultureInfo.InvariantCulture, $"<g class=\"panel panel-{label.ToLowerInvariant()}\">");
        sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"frame\" x=\"{Left}\" y=\"{top}\" width=\"{Width - Left - Right}\" height=\"{PanelHeight}\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text class=\"panel-label\" x=\"{Left + 4}\" y=\"{top - 6}\">{label} ({(label == "A" ? "reference" : "port")}{(t.Header.Kernel.Which is { } w ? ", " + Esc(w) : "")}): {Esc(t.DisplayName)} — {events.Count} frame events</text>");
        for (var k = 0; k <= 4; k++)
        {
            var v = lo + (ulong)((hi - lo) * (k / 4.0));
            var y = bottom - PanelHeight * k / 4.0;
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Left - 4}\" y=\"{y + 3:0.#}\" text-anchor=\"end\">{Hex.Format(v & ~0xFFFUL)}</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\"/>");
        }
        // Checkpoints: the event index at which each is reached.
        var i = 0;
        foreach (var cp in t.Checkpoints)
        {
            while (i < events.Count && events[i].Seq < cp.Seq) i++;
            var x = X(i - 0.5, n);
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"cp\" x1=\"{x:0.#}\" x2=\"{x:0.#}\" y1=\"{top}\" y2=\"{bottom}\"><title>{Esc(cp.Name)} (after {i} frame events)</title></line>");
        }
        if (firstIndex is { } f)
        {
            var x = X(f, n);
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"first-div\" x1=\"{x:0.#}\" x2=\"{x:0.#}\" y1=\"{top - 2}\" y2=\"{bottom + 2}\"><title>first divergence: frame event #{f}</title></line>");
        }
        for (var k = 0; k < events.Count; k++)
        {
            var e = events[k];
            var frame = FrameOf(e);
            var x = X(k, n);
            var y = frame is { } fr ? bottom - PanelHeight * ((double)(fr - lo) / (hi - lo)) : bottom + 6;
            var colour = Colour(e.Phase);
            var tip = $"{label} #{k} seq {e.Seq}: {Describe(e)} in {e.Phase}{(e.Caller is null ? "" : " — " + e.Caller)}";
            var cls = $"ev ev-{label.ToLowerInvariant()}{(e is FrameFreeEvent ? " free" : "")}{(k == firstIndex ? " first" : "")}";
            if (e is FrameFreeEvent)
                sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"{cls}\" data-i=\"{k}\" x=\"{x - 3:0.##}\" y=\"{y - 3:0.##}\" width=\"6\" height=\"6\" fill=\"none\" stroke=\"{colour}\"><title>{Esc(tip)}</title></rect>");
            else
                sb.Append(CultureInfo.InvariantCulture, $"<circle class=\"{cls}\" data-i=\"{k}\" cx=\"{x:0.##}\" cy=\"{y:0.##}\" r=\"1.8\" fill=\"{colour}\"><title>{Esc(tip)}</title></circle>");
        }
        sb.Append("</g>");
    }

    private static ulong? FrameOf(TraceEvent e) => e switch
    {
        FrameAllocEvent a => a.Frame,
        FrameFreeEvent f => f.Frame,
        _ => null,
    };

    private static string Describe(TraceEvent e) => e switch
    {
        FrameAllocEvent a => $"alloc {a.Count} → {(a.Frame is { } f ? Hex.Format(f) : "None")}",
        FrameFreeEvent f => $"free {Hex.Format(f.Frame)}×{f.Count}",
        _ => e.Type,
    };

    /// <summary>The colour of a phase (grey for one not in <see cref="Phases"/>).</summary>
    public static string Colour(string phase)
    {
        foreach (var (p, c) in Phases) if (p == phase) return c;
        return "#aaaaaa";
    }

    private static double X(double index, int n) => Left + (Width - Left - Right) * (index + 0.5) / n;

    private static IEnumerable<int> Ticks(int n)
    {
        var step = n <= 10 ? 1 : (int)Math.Pow(10, Math.Floor(Math.Log10(n / 5.0)));
        if (n / step > 10) step *= n / step > 25 ? 5 : 2;
        for (var t = 0; t < n; t += step) yield return t;
    }

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
