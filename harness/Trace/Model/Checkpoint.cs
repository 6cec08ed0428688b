namespace Harness.Trace;

/// <summary>
/// Everything recorded at one checkpoint: the CPU registers and the state records that name it.
/// A record the observer did not write is null.
/// </summary>
public sealed record Checkpoint
{
    /// <summary>The checkpoint's name.</summary>
    public required string Name { get; init; }

    /// <summary>The seq of its <c>checkpoint</c> record: its place in boot order.</summary>
    public required long Seq { get; init; }

    /// <summary>Its position among the trace's checkpoints (0 = first).</summary>
    public required int Ordinal { get; init; }

    /// <summary>The CPU registers.</summary>
    public required CpuRegisters Regs { get; init; }

    /// <summary>The page tables reachable from CR3.</summary>
    public PageTablesRecord? PageTables { get; init; }

    /// <summary>The GDT, IDT and TSS bytes.</summary>
    public DescriptorsRecord? Descriptors { get; init; }

    /// <summary>The frame allocator's state.</summary>
    public FrameAllocatorRecord? FrameAllocator { get; init; }

    /// <summary>The kernel heap's state.</summary>
    public HeapRecord? Heap { get; init; }
}
