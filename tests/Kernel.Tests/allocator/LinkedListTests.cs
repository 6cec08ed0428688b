#nullable enable
using System;
using alloc.allocator;
using Kernel.allocator.linked_list;
using Kernel.consts;
using Kernel.Hal;
using Kernel.memory;
using Kernel.Tests.memory;
using spin;
using static Kernel.Tests.memory.MemoryMaps;

namespace Kernel.Tests.allocator;

/// <summary>src/allocator/linked_list.rs: the kernel's global allocator and its growth loop.</summary>
[Collection(KernelGlobals.Name)]
public unsafe class LinkedListTests
{
    private const ulong MiB = 1024 * 1024;

    [Fact]
    public void Init_makes_the_heap_one_hole_of_the_given_size()
    {
        using var heap = HostHeap.Install();
        Assert.Equal(new[] { (0UL, MiB) }, heap.Holes());
        Assert.Equal(MiB, heap.Size());
    }

    [Fact]
    public void The_offscreen_buffer_grows_the_heap_twice_and_fills_it_exactly()
    {
        // graphical_debug's 1024x768x4 buffer, 4096-aligned, on the fresh 1 MiB heap: two growths
        // at KERNEL_HEAP_OFFSET + 1 MiB and + 2 MiB, then the heap is 3 MiB with no hole left
        using var heap = HostHeap.Install();
        var r = Allocator.Alloc(Layout.FromSizeAlignUnchecked(1024 * 768 * 4, 4096));
        Assert.True(r.is_ok);
        Assert.True(r.ok == heap.Buffer);
        Assert.Equal(new[] { (Consts.KERNEL_HEAP_OFFSET + MiB, MiB), (Consts.KERNEL_HEAP_OFFSET + 2 * MiB, MiB) }, HostHeap.MapCalls);
        Assert.Equal(3 * MiB, heap.Size());
        Assert.Empty(heap.Holes());
        // the next allocation grows it a third time
        var s = Allocator.Alloc(Layout.FromSizeAlignUnchecked(24, 8));
        Assert.True(s.is_ok);
        Assert.Equal(3, HostHeap.MapCalls.Count);
        Assert.Equal(Consts.KERNEL_HEAP_OFFSET + 3 * MiB, HostHeap.MapCalls[2].Offset);
        Assert.Equal(new[] { (3 * MiB + 24, MiB - 24) }, heap.Holes());
        // freeing the buffer gives the first 3 MiB back as one hole
        Allocator.Dealloc(r.ok, Layout.FromSizeAlignUnchecked(1024 * 768 * 4, 4096));
        Assert.Equal(new[] { (0UL, 3 * MiB), (3 * MiB + 24, MiB - 24) }, heap.Holes());
    }

    [Fact]
    public void Each_growth_maps_frames_through_the_frame_allocator()
    {
        Init(0, 0x500000, Area(0x100000, 0x7fedf000));
        using var heap = HostHeap.Install(takeFrames: true);
        Allocator.Alloc(Layout.FromSizeAlignUnchecked(2 * MiB, 4096)); // one growth: 2 MiB fit exactly
        Assert.Single(HostHeap.MapCalls);
        var next = Memory.AllocateFrames(1).GetValueOrDefault().StartAddress().Get();
        Assert.Equal(0x501000UL + 256 * 0x1000, next);
    }

    private static int hookAllocations;

    private static void AllocatingMapHeap(ulong offset, ulong size)
    {
        // someone else allocates between size() and extend(): possible because no lock is held
        hookAllocations++;
        var r = Allocator.Alloc(Layout.FromSizeAlignUnchecked(16, 8));
        Assert.True(r.is_ok);
    }

    [Fact]
    public void Heap_lock_is_dropped_between_size_map_heap_and_extend()
    {
        using var heap = HostHeap.Install(size: 4096);
        hookAllocations = 0;
        Allocator.MapHeapHook = &AllocatingMapHeap;
        var r = Allocator.Alloc(Layout.FromSizeAlignUnchecked(8192, 8));
        Assert.True(r.is_ok);
        Assert.Equal(1, hookAllocations);
        // the 16 bytes taken inside map_heap sit at the start; the request came after them
        Assert.Equal(16UL, (ulong)r.ok - (ulong)heap.Buffer);
    }

    [Fact]
    public void Using_the_heap_before_init_panics_with_the_originals_location()
    {
        using (var g = LinkedList.HEAP.Lock()) { g.Value = default; }
        Machine.Reset();
        var e = Assert.Throws<KernelHalted>(() => Allocator.Alloc(Layout.FromSizeAlignUnchecked(8, 8)));
        Assert.StartsWith("PANIC: __rust_allocate: heap not initialized\nFILE: src/allocator/linked_list.rs\nLINE: 23\n", e.Serial);
        LinkedList.HEAP = default;
        Machine.Reset();
        e = Assert.Throws<KernelHalted>(() => Allocator.Dealloc(null, Layout.FromSizeAlignUnchecked(8, 8)));
        Assert.StartsWith("PANIC: __rust_deallocate: heap not initialized\nFILE: src/allocator/linked_list.rs\nLINE: 53\n", e.Serial);
        LinkedList.HEAP = default;
        Machine.Reset();
        e = Assert.Throws<KernelHalted>(() => Allocator.UsableSize(Layout.FromSizeAlignUnchecked(8, 8)));
        Assert.Contains("LINE: 65\n", e.Serial);
        LinkedList.HEAP = default;
    }

    [Fact]
    public void Oom_prints_the_error_with_rusts_debug_format()
    {
        Machine.Reset();
        var e = Assert.Throws<KernelHalted>(() => Allocator.Oom(AllocErr.Exhausted(Layout.FromSizeAlignUnchecked(16, 8))));
        Assert.StartsWith("PANIC: Out of memory: Exhausted { request: Layout { size: 16, align: 8 } }\nFILE: src/allocator/linked_list.rs\nLINE: 58\n", e.Serial);
    }
}
