using Harness.Trace;

namespace Harness.Diff;

/// <summary>
/// The checkpoints of both traces merged into one boot order (A's order, B's extra checkpoints after
/// their predecessor), and the checkpoint interval each event falls in.
/// </summary>
public sealed class BootOrder
{
    /// <summary>The pseudo-checkpoint of events recorded after a trace's last checkpoint.</summary>
    public const string AfterLast = "(after last checkpoint)";

    /// <summary>The pseudo-checkpoint of the serial log, compared as a whole.</summary>
    public const string WholeLog = "(whole log)";

    private readonly Dictionary<string, int> _ordinal;

    internal BootOrder(Trace.Trace a, Trace.Trace b)
    {
        var names = a.Checkpoints.Select(c => c.Name).Distinct().ToList();
        string? previous = null;
        foreach (var c in b.Checkpoints.Select(c => c.Name).Distinct())
        {
            if (!names.Contains(c)) names.Insert(previous is null ? 0 : names.IndexOf(previous) + 1, c);
            previous = c;
        }
        names.Add(AfterLast);
        Checkpoints = names;
        _ordinal = names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
        _ordinal[WholeLog] = names.Count;
    }

    /// <summary>Every checkpoint in boot order, ending with <see cref="AfterLast"/>.</summary>
    public IReadOnlyList<string> Checkpoints { get; }

    /// <summary>The place of a checkpoint in boot order.</summary>
    public int Ordinal(string checkpoint) => _ordinal[checkpoint];

    /// <summary>True when <paramref name="checkpoint"/> is one of the compared checkpoints.</summary>
    public bool Has(string checkpoint) => _ordinal.ContainsKey(checkpoint) && checkpoint is not (AfterLast or WholeLog);

    /// <summary>
    /// True when <paramref name="at"/> lies at or after <paramref name="checkpoint"/> in boot order: the state recorded
    /// at it or later, or an event (or serial line) leading up to a later checkpoint.
    /// </summary>
    public bool IsAtOrAfter(BootPosition at, string checkpoint)
    {
        var c = Ordinal(checkpoint);
        return at.CheckpointOrdinal > c || (at.CheckpointOrdinal == c && at.Stage == 1);
    }

    /// <summary>The checkpoint an event of <paramref name="t"/> with <paramref name="seq"/> leads up to.</summary>
    public static string GroupOf(Trace.Trace t, long seq) => t.CheckpointAfter(seq)?.Name ?? AfterLast;

    /// <summary>The boot position of an event in the interval before <paramref name="checkpoint"/>.</summary>
    public BootPosition Event(string checkpoint, double within) => new(Ordinal(checkpoint), 0, within);

    /// <summary>The boot position of state recorded at <paramref name="checkpoint"/>.</summary>
    public BootPosition State(string checkpoint, string observable) => new(Ordinal(checkpoint), 1, Observable.StateRank(observable));
}
