using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Trace;
using Harness.Unicorn;

namespace Harness.Fuzz;

/// <summary>
/// What a kernel did with one map, in a form both kernels share (no callers, no code addresses): how the run
/// ended, the digest of its frame and heap events (type, phase, count, frame), of its serial log up to a
/// panic's stack trace, and of the frame allocator's and heap's state at each checkpoint when observed; plus a
/// few fields to read (frames allocated, last checkpoint, the panic's message). The corpus keeps these for the
/// original, so that CI checks the port without an original ELF.
/// </summary>
public sealed record MapOutcome(string How, string Events, string Serial, string? State, int Frames, string? Checkpoint, string? Panic)
{
    public static MapOutcome Of(UnicornRun run)
    {
        var t = run.Trace;
        var events = new StringBuilder();
        foreach (var e in t.Events)
        {
            events.Append(e switch
            {
                FrameAllocEvent a => string.Create(CultureInfo.InvariantCulture, $"alloc {a.Phase} {a.Count} {(a.Frame is { } f ? f.ToString("x", CultureInfo.InvariantCulture) : "none")}"),
                FrameFreeEvent f => string.Create(CultureInfo.InvariantCulture, $"free {f.Phase} {f.Frame:x} {f.Count}"),
                HeapExtendEvent x => string.Create(CultureInfo.InvariantCulture, $"extend {x.Phase} {x.By}"),
                HeapMapEvent m => string.Create(CultureInfo.InvariantCulture, $"map {m.Phase} {m.Offset:x} {m.Size:x}"),
                _ => e.Type,
            }).Append('\n');
        }
        var serial = SerialUpToStackTrace(run.Serial);
        string? state = null;
        if (t.Checkpoints.Any(c => c.FrameAllocator is not null || c.Heap is not null))
        {
            var s = new StringBuilder();
            foreach (var c in t.Checkpoints)
            {
                s.Append(c.Name).Append(':');
                if (c.FrameAllocator is { } fa)
                    s.Append(CultureInfo.InvariantCulture, $" next {fa.NextFreeFrame:x} area {(fa.CurrentArea is { } a ? $"{a.Base:x}+{a.Length:x}" : "none")} recycled {string.Join(",", fa.Recycled.Select(r => $"{r.Address:x}x{r.Count}"))}");
                if (c.Heap is { } h)
                    s.Append(CultureInfo.InvariantCulture, $" heap {h.Initialised} {h.Bottom:x} {h.Size:x} {string.Join(",", h.Holes.Select(x => $"{x.Address:x}+{x.Size:x}"))}");
                s.Append('\n');
            }
            state = Digest(s.ToString());
        }
        var panicLine = Encoding.Latin1.GetString(serial).Split('\n').FirstOrDefault(l => l.StartsWith("PANIC", StringComparison.Ordinal));
        return new MapOutcome(HowKey(run), Digest(events.ToString()), Digest(Encoding.Latin1.GetString(serial)), state,
            t.Events.Count(e => e is FrameAllocEvent), t.Checkpoints.LastOrDefault()?.Name, panicLine);
    }

    /// <summary>How the run ended, without anything binary-specific (an exception's vector stays, its RIP goes).</summary>
    public static string HowKey(UnicornRun run) => run.How switch
    {
        UnicornHow.Exception when run.Detail?.StartsWith("page fault", StringComparison.Ordinal) == true => "exception:#PF",
        UnicornHow.Exception => "exception:" + (run.Detail?.Split(' ').ElementAtOrDefault(1) ?? "?"),
        _ => run.How,
    };

    /// <summary>The serial log up to the line that starts a panic's stack trace (its addresses are one binary's own).</summary>
    public static byte[] SerialUpToStackTrace(byte[] serial)
    {
        var text = Encoding.Latin1.GetString(serial);
        var at = text.IndexOf("TRACE:", StringComparison.Ordinal);
        return at < 0 ? serial : serial[..at];
    }

    private static string Digest(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)))[..16];

    /// <summary>The fields that differ between two outcomes (the state digest only when both have one).</summary>
    public IReadOnlyList<string> Differences(MapOutcome other)
    {
        var d = new List<string>();
        if (How != other.How) d.Add($"how: {How} vs {other.How}");
        if (Events != other.Events) d.Add($"events ({Frames} vs {other.Frames} frame allocations)");
        if (Serial != other.Serial) d.Add("serial");
        if (State is not null && other.State is not null && State != other.State) d.Add("frame allocator / heap state");
        if (Checkpoint != other.Checkpoint) d.Add($"last checkpoint: {Checkpoint} vs {other.Checkpoint}");
        return d;
    }

    public JsonObject ToJson() => new()
    {
        ["how"] = How, ["events"] = Events, ["serial"] = Serial, ["state"] = State, ["frames"] = Frames, ["checkpoint"] = Checkpoint, ["panic"] = Panic,
    };

    public static MapOutcome FromJson(JsonObject o) => new((string)o["how"]!, (string)o["events"]!, (string)o["serial"]!, (string?)o["state"],
        (int)o["frames"]!, (string?)o["checkpoint"], (string?)o["panic"]);
}
