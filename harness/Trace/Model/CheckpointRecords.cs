namespace Harness.Trace;

/// <summary>A <c>checkpoint</c> record: the boot reached a named point; the CPU state there.</summary>
/// <param name="Seq">The record's sequence number.</param>
/// <param name="Name">The checkpoint (<c>entry</c>, <c>memory_done</c>, …, <c>kmain</c>, <c>panic</c>).</param>
/// <param name="Regs">The CPU registers at that point.</param>
public sealed record CheckpointRecord(long Seq, string Name, CpuRegisters Regs);

/// <summary>A <c>page_tables</c> record: every table reachable from CR3 at a checkpoint.</summary>
/// <param name="Seq">The record's sequence number.</param>
/// <param name="Checkpoint">The checkpoint it belongs to.</param>
/// <param name="Cr3">CR3 as the walk used it.</param>
/// <param name="Tables">The tables, in the order recorded.</param>
public sealed record PageTablesRecord(long Seq, string Checkpoint, ulong Cr3, IReadOnlyList<PageTable> Tables)
{
    /// <summary>
    /// The IA32_PAT MSR (0x277) in force at the checkpoint, when the observer knows it (QEMU's gdb stub shows no
    /// MSRs: an observer reads it off the <c>wrmsr</c> in <c>paging::init</c>); null when not recorded. New in redox-trace/1.
    /// </summary>
    public ulong? Pat { get; init; }
}

/// <summary>One page table: its frame, level (4 = PML4 … 1 = PT), first virtual address it maps, non-zero entries.</summary>
/// <param name="Frame">Physical address of the table.</param>
/// <param name="Level">4 (PML4), 3 (PDPT), 2 (PD) or 1 (PT).</param>
/// <param name="Va">The first virtual address the table maps.</param>
/// <param name="Entries">Non-zero raw entries by index (0–511), sorted by index.</param>
public sealed record PageTable(ulong Frame, int Level, ulong Va, IReadOnlyDictionary<int, ulong> Entries);

/// <summary>
/// A <c>descriptors</c> record: the GDT, IDT and TSS bytes at a checkpoint, as long as each limit says.
/// A table the observer could not read is null and <see cref="Error"/> says why.
/// </summary>
public sealed record DescriptorsRecord(long Seq, string Checkpoint, byte[]? Gdt, byte[]? Idt, byte[]? Tss, string? Error);

/// <summary>A <c>frame_allocator</c> record: the bump allocator's position and the recycle allocator's free list.</summary>
/// <param name="Seq">The record's sequence number.</param>
/// <param name="Checkpoint">The checkpoint it belongs to.</param>
/// <param name="NextFreeFrame">The bump allocator's next free frame.</param>
/// <param name="CurrentArea">The memory area the bump allocator is in, or null before it chose one.</param>
/// <param name="Recycled">The recycle allocator's free ranges, in its order.</param>
public sealed record FrameAllocatorRecord(long Seq, string Checkpoint, ulong NextFreeFrame, MemoryArea? CurrentArea, IReadOnlyList<FrameRange> Recycled);

/// <summary>A memory area of the E820 map as the bump allocator holds it.</summary>
public sealed record MemoryArea(ulong Base, ulong Length);

/// <summary>A range of frames: start address and frame count.</summary>
public sealed record FrameRange(ulong Address, ulong Count);

/// <summary>A <c>heap</c> record: the kernel heap's state (linked_list_allocator 0.5) at a checkpoint.</summary>
/// <param name="Seq">The record's sequence number.</param>
/// <param name="Checkpoint">The checkpoint it belongs to.</param>
/// <param name="Initialised">False before <c>allocator::init</c>; then the other fields are null.</param>
/// <param name="Bottom">The heap's first address.</param>
/// <param name="Size">The heap's size in bytes.</param>
/// <param name="Free">Free bytes (the sum of the holes).</param>
/// <param name="Used">Used bytes.</param>
/// <param name="Holes">The hole list in order.</param>
public sealed record HeapRecord(long Seq, string Checkpoint, bool Initialised, ulong? Bottom, ulong? Size, ulong? Free, ulong? Used, IReadOnlyList<HeapHole> Holes);

/// <summary>One hole of the heap's free list.</summary>
public sealed record HeapHole(ulong Address, ulong Size);
