using Harness.Trace;

namespace Harness.Diff;

/// <summary>How <see cref="TraceDiffer"/> compares two traces.</summary>
public sealed record DiffOptions
{
    /// <summary>
    /// Compare traces of different scenarios anyway (the result says so). Default false: such a
    /// comparison is refused, because every difference would be the scenario's.
    /// </summary>
    public bool AllowScenarioMismatch { get; init; }

    /// <summary>
    /// Compare an incomplete trace up to where it ends; everything past that is <see cref="CellStatus.Incomplete"/>,
    /// and the result is never equal. Default false: an incomplete trace is refused.
    /// </summary>
    public bool CompareIncompletePrefix { get; init; }

    /// <summary>Where the kernel maps physical memory (the original's <c>KERNEL_OFFSET</c>, PML4 slot 510).</summary>
    public ulong KernelOffset { get; init; } = 0xffffff0000000000;

    /// <summary>
    /// The per-CPU area's base (the original's <c>KERNEL_PERCPU_OFFSET</c>; the reference shows the GDT,
    /// TSS and TLS at 0xC000_0000 + n).
    /// </summary>
    public ulong PercpuBase { get; init; } = 0xC000_0000;

    /// <summary>The size of the address range treated as per-CPU storage, from <see cref="PercpuBase"/>.</summary>
    public ulong PercpuSize { get; init; } = 0x10_0000;

    /// <summary>
    /// Section symbols and statics for side A, overriding the trace header's (e.g. read from the ELF by the
    /// caller when the trace was recorded without them). Null: use the header's.
    /// </summary>
    public KernelInfo? KernelA { get; init; }

    /// <summary>As <see cref="KernelA"/>, for side B.</summary>
    public KernelInfo? KernelB { get; init; }
}
