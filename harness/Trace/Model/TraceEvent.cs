namespace Harness.Trace;

/// <summary>
/// An event recorded as it happened, between checkpoints: a frame allocation or free, a heap growth or
/// heap mapping. <see cref="Caller"/> is already symbolised (symbol + offset of this binary).
/// </summary>
public abstract record TraceEvent
{
    /// <summary>The record's sequence number.</summary>
    public required long Seq { get; init; }

    /// <summary>The step of <c>kstart</c> in progress (<c>memory</c>, <c>paging</c>, …, <c>kmain</c>).</summary>
    public required string Phase { get; init; }

    /// <summary>Symbol + offset of the return address in this binary, or null when unknown.</summary>
    public string? Caller { get; init; }

    /// <summary>
    /// The context current when the event happened (its <c>ContextId</c>), for events after <c>kmain</c> when the
    /// map names the context's static (<c>redox-trace/3</c>); null before <c>kmain</c> and in older traces.
    /// </summary>
    public ulong? Context { get; init; }

    /// <summary>The record type as written in the file.</summary>
    public abstract string Type { get; }
}

/// <summary>One call of <c>memory::allocate_frames(count)</c> and its result.</summary>
public sealed record FrameAllocEvent : TraceEvent
{
    /// <summary>The number of frames asked for.</summary>
    public required ulong Count { get; init; }

    /// <summary>The physical address returned, or null for None.</summary>
    public ulong? Frame { get; init; }

    /// <summary>The entry point the observer caught the call at (information only), when given.</summary>
    public string? Via { get; init; }

    /// <inheritdoc />
    public override string Type => "frame_alloc";
}

/// <summary>One call of <c>memory::deallocate_frames(frame, count)</c>.</summary>
public sealed record FrameFreeEvent : TraceEvent
{
    /// <summary>The physical address freed.</summary>
    public required ulong Frame { get; init; }

    /// <summary>The number of frames freed.</summary>
    public required ulong Count { get; init; }

    /// <inheritdoc />
    public override string Type => "frame_free";
}

/// <summary>One growth of the kernel heap (<c>Heap::extend</c>).</summary>
public sealed record HeapExtendEvent : TraceEvent
{
    /// <summary>The number of bytes the heap grew by.</summary>
    public required ulong By { get; init; }

    /// <inheritdoc />
    public override string Type => "heap_extend";
}

/// <summary>One call of <c>allocator::map_heap(offset, size)</c>.</summary>
public sealed record HeapMapEvent : TraceEvent
{
    /// <summary>The first virtual address mapped.</summary>
    public required ulong Offset { get; init; }

    /// <summary>The number of bytes mapped.</summary>
    public required ulong Size { get; init; }

    /// <inheritdoc />
    public override string Type => "heap_map";
}
