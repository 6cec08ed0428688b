#nullable enable
using System;
using System.Collections.Generic;
using Kernel.arch.x86_64.paging;
using Kernel.Hal;
using Kernel.memory;
using Kernel.memory.recycle;
using spin;
using static Kernel.Tests.memory.MemoryMaps;

namespace Kernel.Tests.memory;

/// <summary>memory/recycle.rs over the bump allocator, with the recycle list on a host kernel heap.</summary>
[Collection(KernelGlobals.Name)]
public unsafe class RecycleAllocatorTests : IDisposable
{
    private readonly HostHeap heap;

    public RecycleAllocatorTests()
    {
        // 0x100000..0x200000 free, kernel below 0x101000: bump hands out 0x102000 upward
        Init(0, 0x101000, Area(0x100000, 0x100000));
        heap = HostHeap.Install();
    }

    public void Dispose() => heap.Dispose();

    private static ulong? Alloc(ulong count)
    {
        var f = Memory.AllocateFrames(count);
        return f.HasValue ? f.GetValueOrDefault().StartAddress().Get() : null;
    }

    private static void Free(ulong address, ulong count) =>
        Memory.DeallocateFrames(Frame.ContainingAddress(new PhysicalAddress(address)), count);

    private static List<(ulong, ulong)> List()
    {
        using var g = Memory.ALLOCATOR.Lock();
        var l = new List<(ulong, ulong)>();
        for (ulong i = 0; i < g.Value.value.free.Len(); i++)
        {
            l.Add((g.Value.value.free[i]._0, g.Value.value.free[i]._1));
        }
        return l;
    }

    /// <summary>Puts ranges on the list as they are, bypassing merge (for states a test needs).</summary>
    private static void Seed(params (ulong Addr, ulong Count)[] ranges)
    {
        using var g = Memory.ALLOCATOR.Lock();
        foreach (var (a, c) in ranges)
        {
            g.Value.value.free.Push(new FreeRange(a, c));
        }
    }

    [Fact]
    public void Frees_before_noncore_are_lost()
    {
        var a = Alloc(1)!.Value;
        Assert.Equal(0x102000UL, a);
        Free(a, 1);
        Assert.Empty(List());
        Assert.Equal(0x103000UL, Alloc(1)); // never handed out again
        Assert.Empty(heap.Holes().FindAll(h => h.Size != 1024 * 1024)); // the heap was not touched
        Memory.InitNoncore();
        Free(a, 1);
        Assert.Equal(new[] { (a, 1UL) }, List());
        Assert.Equal(a, Alloc(1));
    }

    [Fact]
    public void The_first_kept_free_allocates_room_for_4_ranges_on_the_heap()
    {
        Memory.InitNoncore();
        Assert.Equal(new[] { (0UL, 1024UL * 1024) }, heap.Holes());
        Free(0x150000, 1);
        Assert.Equal(new[] { (64UL, 1024UL * 1024 - 64) }, heap.Holes());
        Free(0x160000, 1); Free(0x170000, 1); Free(0x180000, 1);
        Assert.Equal(new[] { (64UL, 1024UL * 1024 - 64) }, heap.Holes());
        // the fifth: realloc to 8 ranges = alloc 128 bytes while the 64 are held, copy, free the 64
        Free(0x190000, 1);
        Assert.Equal(new[] { (0UL, 64UL), (192UL, 1024UL * 1024 - 192) }, heap.Holes());
    }

    [Fact]
    public void Recycle_takes_frames_from_range_end()
    {
        Memory.InitNoncore();
        Free(0x150000, 4);
        Assert.Equal(0x153000UL, Alloc(1));
        Assert.Equal(0x151000UL, Alloc(2));
        Assert.Equal(new[] { (0x150000UL, 1UL) }, List());
        Assert.Equal(0x150000UL, Alloc(1));
        Assert.Empty(List()); // an emptied range is removed
    }

    [Fact]
    public void Recycle_picks_the_smallest_fitting_range()
    {
        Memory.InitNoncore();
        Free(0x150000, 4);
        Free(0x160000, 2);
        Free(0x170000, 3);
        Assert.Equal(0x160000UL, Alloc(2)); // the 2-frame range, used up and removed
        Assert.Equal(new[] { (0x150000UL, 4UL), (0x170000UL, 3UL) }, List());
        Assert.Equal(0x172000UL, Alloc(1)); // then the 3-frame one
    }

    [Fact]
    public void Recycle_prefers_later_range_on_tie()
    {
        Memory.InitNoncore();
        Free(0x150000, 2);
        Free(0x160000, 2);
        Free(0x170000, 5);
        Assert.Equal(0x161000UL, Alloc(1)); // the later of the two 2-frame ranges
        Assert.Equal(new[] { (0x150000UL, 2UL), (0x160000UL, 1UL), (0x170000UL, 5UL) }, List());
    }

    [Fact]
    public void A_request_no_range_fits_goes_to_the_bump_allocator()
    {
        Memory.InitNoncore();
        Free(0x150000, 2);
        Assert.Equal(0x102000UL, Alloc(3));
        Assert.Equal(new[] { (0x150000UL, 2UL) }, List());
    }

    [Fact]
    public void Recycle_zero_count_returns_the_end_of_the_smallest_range_and_keeps_it()
    {
        // count 0 fits every range: the smallest (later on tie) gives its end address, nothing removed
        Memory.InitNoncore();
        Free(0x150000, 2);
        Free(0x160000, 1);
        Assert.Equal(0x161000UL, Alloc(0));
        Assert.Equal(new[] { (0x150000UL, 2UL), (0x160000UL, 1UL) }, List());
    }

    [Fact]
    public void Merge_joins_a_range_ending_where_the_free_begins_and_one_beginning_where_it_ends()
    {
        Memory.InitNoncore();
        Free(0x150000, 1);
        Free(0x151000, 1); // behind
        Assert.Equal(new[] { (0x150000UL, 2UL) }, List());
        Free(0x14E000, 2); // before
        Assert.Equal(new[] { (0x14E000UL, 4UL) }, List());
    }

    [Fact]
    public void Merge_closing_a_gap_leaves_one_range_in_the_later_ones_place()
    {
        Memory.InitNoncore();
        Free(0x150000, 1);
        Free(0x152000, 1);
        Free(0x160000, 1);
        Free(0x151000, 1); // joins [0] first, then [0] joins [1], [0] removed
        Assert.Equal(new[] { (0x150000UL, 3UL), (0x160000UL, 1UL) }, List());
    }

    [Fact]
    public void Recycle_merge_removes_shifted_index()
    {
        // A list holding touching ranges J=(0x7000,1), I=(0x6000,1), K=(0x8000,1); free 0x5000.
        // merge: I grows to 0x5000+2; nested: J grows to 0x5000+3; nested: K grows to 0x5000+4;
        // the innermost finds nothing. Unwinding, J's level removes index 0 (J), which shifts the
        // list, then I's level removes index 1 — now K, the range holding the merged whole.
        // Only I's stale (0x5000, 2) remains: frames 0x7000 and 0x8000 are lost.
        Memory.InitNoncore();
        Seed((0x7000, 1), (0x6000, 1), (0x8000, 1));
        Free(0x5000, 1);
        Assert.Equal(new[] { (0x5000UL, 2UL) }, List());
    }

    [Fact]
    public void Free_and_used_frames_include_the_recycled_ranges()
    {
        var free0 = Memory.FreeFrames();
        var used0 = Memory.UsedFrames();
        Alloc(3);
        Memory.InitNoncore();
        Free(0x102000, 2);
        Assert.Equal(free0 - 3 + 2, Memory.FreeFrames());
        Assert.Equal(used0 + 3 - 2, Memory.UsedFrames());
    }
    private static bool lockHeldInMapHeap;

    private static void ObservingMapHeap(ulong offset, ulong size)
    {
        // the real map_heap would call allocate_frames here, spinning on this very lock
        lockHeldInMapHeap = Memory.ALLOCATOR.locked != 0;
    }

    [Fact]
    public void Recycle_free_that_grows_the_heap_holds_the_frame_allocator_lock()
    {
        // deallocate_frames runs under ALLOCATOR's lock; when the recycle list's Vec must grow and
        // the heap is full, the heap grows: map_heap would need frames from the locked allocator.
        var full = Kernel.allocator.linked_list.Allocator.Alloc(alloc.allocator.Layout.FromSizeAlignUnchecked(1024 * 1024, 4096));
        Assert.True(full.is_ok);
        Memory.InitNoncore();
        lockHeldInMapHeap = false;
        Kernel.allocator.linked_list.Allocator.MapHeapHook = &ObservingMapHeap;
        Free(0x150000, 1);
        Assert.True(lockHeldInMapHeap);
        Assert.Equal(new[] { (0x150000UL, 1UL) }, List());
    }
}
