namespace Harness.Trace;

/// <summary>How a recorded boot ended (the <c>how</c> field of the <c>end</c> record).</summary>
public static class EndHow
{
    /// <summary>The kernel reached <c>kmain</c> and the recorder stopped there.</summary>
    public const string Kmain = "kmain";

    /// <summary>The kernel panicked (the panic handler was hit).</summary>
    public const string Panic = "panic";

    /// <summary>The run's time was up before the boot reached an end.</summary>
    public const string Timeout = "timeout";

    /// <summary>The CPU reset (a triple fault), seen as QEMU's reset or exit.</summary>
    public const string TripleFault = "triple-fault";

    /// <summary>QEMU exited on its own.</summary>
    public const string QemuExit = "qemu-exit";

    /// <summary>The gdb connection was lost.</summary>
    public const string ConnectionLost = "connection-lost";

    /// <summary>QEMU exited 0 without a triple fault or a power-off: the guest reset the machine (kreset's 8042 pulse).</summary>
    public const string Reset = "reset";

    /// <summary>QEMU exited 0 after the guest powered the machine off (ACPI S5: kstop).</summary>
    public const string PowerOff = "power-off";

    /// <summary>The loader reported an error on its debug console before the kernel started.</summary>
    public const string LoaderError = "loader-error";

    /// <summary>QEMU ended otherwise: killed by a signal, or failed with an error of its own.</summary>
    public const string QemuDied = "qemu-died";

    /// <summary>The observer itself failed (e.g. the trace could not be written: a full disk).</summary>
    public const string ObserverError = "observer-error";

    /// <summary>
    /// The kernel stopped doing anything observable (no breakpoint stop, no serial output) for the quiet window of a
    /// scenario that expects it to (<c>[expect] end = "hang"</c>): the observer interrupted it and recorded the
    /// <c>hang</c> checkpoint. Only such a scenario has this end; any other hang runs into the <see cref="Timeout"/>.
    /// </summary>
    public const string Hang = "hang";

    /// <summary>Every value of <c>end.how</c> a writer of this format may give (traces/FORMAT.md lists them).</summary>
    public static IReadOnlyList<string> All { get; } =
        [Kmain, Panic, Timeout, TripleFault, QemuExit, ConnectionLost, Reset, PowerOff, LoaderError, QemuDied, ObserverError, Hang];
}

/// <summary>
/// The last record of a trace. A trace without one, or with <see cref="Complete"/> false, is incomplete.
/// </summary>
public sealed record EndRecord
{
    /// <summary>The record's sequence number.</summary>
    public required long Seq { get; init; }

    /// <summary>True when the boot reached an end the scenario expects (<c>kmain</c> or a panic) and everything was observed.</summary>
    public required bool Complete { get; init; }

    /// <summary>How the boot ended (<see cref="EndHow"/>).</summary>
    public required string How { get; init; }

    /// <summary>Whether <c>kmain</c> was reached.</summary>
    public required bool ReachedKmain { get; init; }

    /// <summary>The seq of the last event record (frame_alloc, frame_free, heap_extend, heap_map), when given.</summary>
    public long? LastEventSeq { get; init; }

    /// <summary>The last bytes of serial output (Latin-1 text), for a quick look.</summary>
    public string? SerialTail { get; init; }

    /// <summary>How many records of each type precede the end record, by type name.</summary>
    public IReadOnlyDictionary<string, long> Counters { get; init; } = new Dictionary<string, long>();

    /// <summary>Seconds the run took, when given.</summary>
    public double? WallSeconds { get; init; }
}
