using Harness.Trace;

namespace Harness.Diff.Compare;

/// <summary>Events as text: the compared fields only (callers are information, shown apart).</summary>
internal static class EventText
{
    /// <summary>The compared fields of an event, e.g. <c>alloc 1 → 0x501000 @paging</c>.</summary>
    public static string Compared(TraceEvent e) => e switch
    {
        FrameAllocEvent a => $"alloc {a.Count} → {(a.Frame is { } f ? Hex.Format(f) : "None")} @{a.Phase}",
        FrameFreeEvent f => $"free {Hex.Format(f.Frame)}×{f.Count} @{f.Phase}",
        HeapExtendEvent x => $"extend by {Hex.Format(x.By)} @{x.Phase}",
        HeapMapEvent m => $"map {Hex.Format(m.Offset)}+{Hex.Format(m.Size)} @{m.Phase}",
        _ => e.Type,
    };

    /// <summary>A phrase for sentences, e.g. <c>allocated 1 frame → 0x501000 in phase paging</c>.</summary>
    public static string Phrase(TraceEvent e) => e switch
    {
        FrameAllocEvent a => $"allocated {a.Count} frame{(a.Count == 1 ? "" : "s")} → {(a.Frame is { } f ? Hex.Format(f) : "None")} in phase {a.Phase}",
        FrameFreeEvent f => $"freed {f.Count} frame{(f.Count == 1 ? "" : "s")} at {Hex.Format(f.Frame)} in phase {f.Phase}",
        HeapExtendEvent x => $"grew the heap by {Hex.Format(x.By)} in phase {x.Phase}",
        HeapMapEvent m => $"mapped heap {Hex.Format(m.Offset)}+{Hex.Format(m.Size)} in phase {m.Phase}",
        _ => e.Type,
    };
}
