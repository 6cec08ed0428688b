namespace Harness.Diff;

/// <summary>The observables of FIDELITY.md §2, by the names used in results and in divergences.toml.</summary>
public static class Observable
{
    /// <summary>Frame allocations and frees, in order, with their phase.</summary>
    public const string Frames = "frames";

    /// <summary>The page tables reachable from CR3, and CR0/CR3/CR4/EFER.</summary>
    public const string PageTables = "page_tables";

    /// <summary>GDTR/IDTR, GDT and IDT entries, the TSS, the task register, segment selectors and bases.</summary>
    public const string Descriptors = "descriptors";

    /// <summary>Heap growths and mappings, and the heap's state (size, free, used, holes).</summary>
    public const string Heap = "heap";

    /// <summary>The bump allocator's position and the recycle allocator's free list.</summary>
    public const string FrameAllocator = "frame_allocator";

    /// <summary>The serial output, line by line.</summary>
    public const string Serial = "serial";

    /// <summary>
    /// The processes' system calls, per context in order (traces/FORMAT.md, "Processes"); compared over the whole
    /// run and only when a trace has syscall records, so it is not among <see cref="All"/>'s boot observables.
    /// </summary>
    public const string Processes = "processes";

    /// <summary>
    /// Where a kernel hangs (the <c>hang</c> record: the roles of RIP's function and of the kernel stack's return
    /// addresses); compared at the <c>hang</c> checkpoint, only when a trace has one (traces/FORMAT.md, "hang").
    /// </summary>
    public const string Hang = "hang";

    /// <summary>Every observable, in the order results list them.</summary>
    public static readonly IReadOnlyList<string> All = [Frames, PageTables, Descriptors, Heap, FrameAllocator, Serial];

    /// <summary>The observables recorded per checkpoint (all but <see cref="Serial"/>, which is compared over the whole log).</summary>
    public static readonly IReadOnlyList<string> PerCheckpoint = [Frames, PageTables, Descriptors, Heap, FrameAllocator];

    /// <summary>The order state observables are compared in at one checkpoint (a tie-break for the first divergence).</summary>
    internal static int StateRank(string observable) => observable switch
    {
        FrameAllocator => 0,
        PageTables => 1,
        Descriptors => 2,
        Heap => 3,
        _ => 4,
    };
}
