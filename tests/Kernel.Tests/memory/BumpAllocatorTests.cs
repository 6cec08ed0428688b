#nullable enable
using System;
using Kernel.arch.x86_64.paging;
using Kernel.Hal;
using Kernel.memory;
using Kernel.memory.bump;
using static Kernel.Tests.memory.MemoryMaps;

namespace Kernel.Tests.memory;

/// <summary>memory/bump.rs, through Memory (init, allocate_frames) and directly.</summary>
[Collection(KernelGlobals.Name)]
public unsafe class BumpAllocatorTests
{
    private static ulong? Alloc(ulong count)
    {
        var f = Memory.AllocateFrames(count);
        return f.HasValue ? f.GetValueOrDefault().StartAddress().Get() : null;
    }

    private static BumpAllocator Bump()
    {
        using var g = spin.MutexExt.Lock(ref Memory.ALLOCATOR);
        return g.Value.value.inner;
    }

    [Fact]
    public void Init_starts_on_the_lowest_free_area_at_frame_0()
    {
        Init(0, 0x500000, Area(0, 654336), Area(654336, 1024, 2), Area(1048576, 0x7fedf000));
        var b = Bump();
        Assert.Equal(0UL, b.next_free_frame.number);
        Assert.Equal(0UL, b.current_area->base_addr);
        Assert.Equal(654336UL, b.current_area->length);
    }

    [Fact]
    public void Every_frame_below_the_kernel_end_counts_as_used_low_memory_included()
    {
        // memory::init(0, kernel_end): the low 640 KiB are inside [0, kernel_end]
        Init(0, 0x500000, Area(0, 654336), Area(654336, 1024, 2), Area(1048576, 0x7fedf000));
        Assert.Equal(0x501000UL, Alloc(1));
        Assert.Equal(0x502000UL, Alloc(1));
        Assert.Equal(0x503000UL, Alloc(1));
    }

    [Fact]
    public void Kernel_end_frame_itself_is_the_kernels()
    {
        // kernel_end 0x500000 is the first byte after the image, yet frame 0x500 is skipped
        Init(0, 0x500000, Area(0x400000, 0x400000));
        Assert.Equal(0x501000UL, Alloc(1));
    }

    [Fact]
    public void Bump_zero_length_area_at_base_0_wraps_and_holds_every_frame()
    {
        // base 0 + length 0 - 1 wraps to 2^64-1: the area's last frame is the highest there is,
        // so it always qualifies, and with base 0 it always wins. It hands out the reserved hole.
        var hole = Area(0x600000, 0x100000, 2);
        Init(0, 0x500000, Area(0, 0), Area(0, 654336), Area(0x100000, 0x500000), hole, Area(0x700000, 0x10000000));
        var b = Bump();
        Assert.Equal(0UL, b.current_area->base_addr);
        Assert.Equal(0UL, b.current_area->length);
        for (ulong i = 0; i < 0x200; i++)
        {
            Assert.Equal(0x501000UL + i * 0x1000, Alloc(1));
        }
        b = Bump();
        Assert.Equal(0UL, b.current_area->length); // still on the zero-length area
        Assert.Equal(0x701000UL, b.next_free_frame.StartAddress().Get());
    }

    [Fact]
    public void Without_the_zero_length_area_the_reserved_hole_is_skipped()
    {
        Init(0, 0x500000, Area(0, 654336), Area(0x100000, 0x500000), Area(0x600000, 0x100000, 2), Area(0x700000, 0x10000000));
        for (ulong i = 0; i < 0xFF; i++)
        {
            Assert.Equal(0x501000UL + i * 0x1000, Alloc(1));
        }
        Assert.Equal(0x700000UL, Alloc(1));
    }

    [Fact]
    public void Bump_lowest_base_wins_first_listed_on_tie()
    {
        // two areas with the same base: the first listed is chosen (min_by_key keeps the first)
        Init(0, 0x100000, Area(0x800000, 0x2000), Area(0x200000, 0x1000), Area(0x200000, 0x4000));
        var b = Bump();
        Assert.Equal(0x200000UL, b.current_area->base_addr);
        Assert.Equal(0x1000UL, b.current_area->length);
        Assert.Equal(0x200000UL, Alloc(1));
        // the 1-frame area is used up: the other one at the same base, then the higher one
        Assert.Equal(0x201000UL, Alloc(1));
        b = Bump();
        Assert.Equal(0x4000UL, b.current_area->length);
        Assert.Equal(0x202000UL, Alloc(1));
        Assert.Equal(0x203000UL, Alloc(1));
        Assert.Equal(0x800000UL, Alloc(1));
        Assert.Equal(0x801000UL, Alloc(1));
        Assert.Null(Alloc(1));
    }

    [Fact]
    public void Areas_other_than_free_are_never_used()
    {
        Init(0, 0x100000, Area(0x200000, 0x1000, 2), Area(0x300000, 0x1000, 3), Area(0x400000, 0x1000, 0), Area(0x500000, 0x1000));
        Assert.Equal(0x500000UL, Alloc(1));
        Assert.Null(Alloc(1));
    }

    [Fact]
    public void Bump_checks_only_first_and_last_frame_against_kernel()
    {
        // kernel frames 0x11..=0x12; a 4-frame request 0x10..=0x13 spans them and is handed out
        Init(0x11000, 0x12000, Area(0x10000, 0x10000));
        var bump = Bump();
        Assert.Equal(0x10UL, bump.next_free_frame.number);
        var f = bump.AllocateFrames(4);
        Assert.Equal(0x10000UL, f.GetValueOrDefault().StartAddress().Get());
        Assert.Equal(0x14UL, bump.next_free_frame.number);
    }

    [Fact]
    public void A_request_whose_first_or_last_frame_is_the_kernels_jumps_past_the_kernel()
    {
        Init(0x11000, 0x12000, Area(0x10000, 0x10000));
        Assert.Equal(0x10000UL, Alloc(1));
        Assert.Equal(0x13000UL, Alloc(2)); // 0x11..0x12 starts in the kernel
        Assert.Equal(0x15000UL, Alloc(1));
    }

    [Fact]
    public void Bump_multi_frame_request_not_fitting_tail_recurses()
    {
        // 2 frames left in the area, 3 asked: choose_next_area picks the same area again (its
        // last frame is still >= next_free_frame) and nothing changes, so allocate_frames calls
        // itself for ever. A test-only limit stops it after 10000 nested calls.
        Init(0, 0x100000, Area(0x100000, 0x4000));
        Assert.Equal(0x101000UL, Alloc(1));
        ResetRecursion(limit: 10000);
        try
        {
            var halted = Assert.Throws<KernelHalted>(() => OnBigStack(() => Memory.AllocateFrames(3)));
            Assert.Contains("PANIC: bump allocate_frames: test recursion limit reached", halted.Serial);
            Assert.Equal(10000UL, BumpAllocator.MaxRecursionDepth);
        }
        finally
        {
            ResetRecursion();
            Memory.ForgetForTests(); // the allocator's lock is still held by the abandoned call
        }
    }

    [Fact]
    public void A_single_frame_past_the_area_moves_to_the_next_area()
    {
        Init(0, 0x100000, Area(0x100000, 0x3000), Area(0x200000, 0x2000));
        Assert.Equal(0x101000UL, Alloc(1));
        Assert.Equal(0x102000UL, Alloc(1));
        Assert.Equal(0x200000UL, Alloc(1));
        Assert.Equal(0x201000UL, Alloc(1));
        Assert.Null(Alloc(1));
        Assert.Null(Alloc(1));
        Assert.True(Bump().current_area == null);
    }

    [Fact]
    public void A_zero_count_gives_None()
    {
        Init(0, 0x100000, Area(0x100000, 0x3000));
        Assert.Null(Alloc(0));
        Assert.Equal(0x101000UL, Alloc(1));
    }

    [Fact]
    public void Bump_frees_are_ignored()
    {
        Init(0, 0x100000, Area(0x100000, 0x3000));
        var f = Memory.AllocateFrames(1).GetValueOrDefault();
        Memory.DeallocateFrames(f, 1);
        Assert.Equal(0x102000UL, Alloc(1));
        Assert.Null(Alloc(1));
    }

    [Fact]
    public void Free_and_used_frames_count_every_frame_of_the_free_areas()
    {
        Init(0, 0x101000, Area(0, 0x3000), Area(0x100000, 0x8000), Area(0x300000, 0x1000, 2));
        // free areas: frames 0..=2 and 0x100..=0x107; kernel 0..=0x101
        Assert.Equal(6UL, Memory.FreeFrames());
        Assert.Equal(5UL, Memory.UsedFrames());
        Alloc(2);
        Assert.Equal(4UL, Memory.FreeFrames());
        Assert.Equal(7UL, Memory.UsedFrames());
    }

    [Fact]
    public void Using_the_allocator_before_init_panics_with_the_originals_location()
    {
        Memory.ForgetForTests();
        Machine.Reset();
        var e = Assert.Throws<KernelHalted>(() => Memory.AllocateFrames(1));
        Assert.StartsWith("PANIC: frame allocator not initialized\nFILE: src/memory/mod.rs\nLINE: 118\n", e.Serial);
        Memory.ForgetForTests();
        Machine.Reset();
        e = Assert.Throws<KernelHalted>(() => Memory.DeallocateFrames(Frame.ContainingAddress(new PhysicalAddress(0)), 1));
        Assert.Contains("LINE: 127\n", e.Serial);
        Memory.ForgetForTests();
        Machine.Reset();
        e = Assert.Throws<KernelHalted>(() => Memory.InitNoncore());
        Assert.Contains("LINE: 91\n", e.Serial);
        Memory.ForgetForTests();
        Machine.Reset();
        e = Assert.Throws<KernelHalted>(() => Memory.FreeFrames());
        Assert.Contains("LINE: 100\n", e.Serial);
        Memory.ForgetForTests();
        Machine.Reset();
        e = Assert.Throws<KernelHalted>(() => Memory.UsedFrames());
        Assert.Contains("LINE: 109\n", e.Serial);
        Memory.ForgetForTests();
    }

    [Fact]
    public void Frame_range_inclusive_includes_both_ends()
    {
        var it = Frame.RangeInclusive(new Frame(3), new Frame(5));
        var n = 0UL;
        while (it.Next(out var f)) { Assert.Equal(3 + n, f.number); n++; }
        Assert.Equal(3UL, n);
        it = Frame.RangeInclusive(new Frame(5), new Frame(4));
        Assert.False(it.Next(out _));
    }
}
