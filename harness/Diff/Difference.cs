namespace Harness.Diff;

/// <summary>
/// One difference between the two traces, after normalisation. <see cref="A"/> and <see cref="B"/> are
/// the values as text (null: that side has nothing there); <see cref="Path"/> names what differs
/// (e.g. <c>frames[17]</c>, <c>page_tables.leaf[0xffffff0000123000]</c>, <c>descriptors.gdt[7].access</c>).
/// </summary>
public sealed record Difference
{
    /// <summary>The observable (<see cref="Diff.Observable"/>).</summary>
    public required string Observable { get; init; }

    /// <summary>The checkpoint whose cell holds the difference (for events: the checkpoint they lead up to).</summary>
    public required string Checkpoint { get; init; }

    /// <summary>What differs, as matched by divergences.toml's <c>path</c>.</summary>
    public required string Path { get; init; }

    /// <summary>Side A's value as text, or null when A has none.</summary>
    public required string? A { get; init; }

    /// <summary>Side B's value as text, or null when B has none.</summary>
    public required string? B { get; init; }

    /// <summary>Its place in boot order.</summary>
    public required BootPosition Position { get; init; }

    /// <summary>
    /// Where in boot order the difference happened, for the registry's <c>from</c>/<c>before</c> limits: by default
    /// <see cref="Position"/>; for a serial line, the checkpoint its first byte leads up to on the side that has it
    /// (null when that side's serial output has no place among its records, e.g. a separate serial.log).
    /// </summary>
    public BootPosition? Happened => Observable == Diff.Observable.Serial ? SerialPlace : Position;

    /// <summary>For a serial line: where its first byte was written (see <see cref="Happened"/>).</summary>
    public BootPosition? SerialPlace { get; init; }

    /// <summary>A sentence that says what happened, for people.</summary>
    public required string Sentence { get; init; }

    /// <summary>The seq of A's record, when the difference concerns one record.</summary>
    public long? SeqA { get; init; }

    /// <summary>The seq of B's record, when the difference concerns one record.</summary>
    public long? SeqB { get; init; }

    /// <summary>For events: the 0-based index in the observable's event list (frames or heap events).</summary>
    public int? EventIndex { get; init; }

    /// <summary>For events: A's caller (symbolised in A's binary; information only).</summary>
    public string? CallerA { get; init; }

    /// <summary>For events: B's caller (symbolised in B's binary; information only).</summary>
    public string? CallerB { get; init; }

    /// <summary>The registry entry that accepts this difference, or null when it is a divergence.</summary>
    public AcceptedDivergence? AcceptedBy { get; init; }

    /// <summary>True when a registry entry accepts it.</summary>
    public bool IsAccepted => AcceptedBy is not null;
}
