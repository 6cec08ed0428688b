#nullable enable
using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using alloc.allocator;
using CsCheck;
using Kernel.Hal;
using linked_list_allocator;
using linked_list_allocator.hole;

namespace Kernel.Tests.crates;

/// <summary>linked_list_allocator 0.5.0: a Heap value over a host buffer (no statics involved).</summary>
public unsafe class LinkedListAllocatorTests
{
    /// <summary>A 4096-aligned host buffer with a Heap over its first <paramref name="size"/> bytes.</summary>
    private sealed class Buf : IDisposable
    {
        public readonly byte* P;
        public readonly ulong Reserve;
        public Heap Heap;

        public Buf(ulong size, ulong reserve = 1 << 20, ulong offset = 0)
        {
            Reserve = reserve;
            P = (byte*)NativeMemory.AlignedAlloc((nuint)reserve, 4096);
            Heap = Heap.New((ulong)P + offset, size);
        }

        public ulong Base => (ulong)P;

        public long? Alloc(ulong size, ulong align)
        {
            var r = Heap.AllocateFirstFit(Layout.FromSizeAlignUnchecked(size, align));
            return r.is_ok ? (long)((ulong)r.ok - Base) : null;
        }

        public void Free(long offset, ulong size, ulong align) =>
            Heap.Deallocate(P + offset, Layout.FromSizeAlignUnchecked(size, align));

        public List<(long Offset, ulong Size)> Holes()
        {
            var l = new List<(long, ulong)>();
            for (var h = Heap.Holes().FirstHole(); h != null; h = h->next)
            {
                l.Add(((long)((ulong)h - Base), h->size));
            }
            return l;
        }

        public void Dispose() => NativeMemory.AlignedFree(P);
    }

    [Fact]
    public void An_empty_heap_is_exhausted()
    {
        var h = Heap.Empty();
        var r = h.AllocateFirstFit(Layout.FromSizeAlignUnchecked(8, 8));
        Assert.False(r.is_ok);
        Assert.True(r.err.exhausted);
        Assert.Equal(16UL, r.err.request.Size()); // the adjusted layout
    }

    [Fact]
    public void A_new_heap_is_one_hole_and_allocations_come_from_its_start()
    {
        using var b = new Buf(4096);
        Assert.Equal(new[] { (0L, 4096UL) }, b.Holes());
        Assert.Equal(0L, b.Alloc(100, 8));
        Assert.Equal(new[] { (104L, 4096UL - 104) }, b.Holes()); // 100 rounded up to 104
        Assert.Equal(104L, b.Alloc(1, 1)); // below min size: 16
        Assert.Equal(new[] { (120L, 4096UL - 120) }, b.Holes());
    }

    [Fact]
    public void Size_is_rounded_to_min_size_and_to_8_on_free_too()
    {
        using var b = new Buf(4096);
        var a = b.Alloc(3, 1)!.Value;
        var c = b.Alloc(17, 1)!.Value;
        Assert.Equal(16L, c);
        b.Free(a, 3, 1);
        Assert.Equal(new[] { (0L, 16UL), (40L, 4096UL - 40) }, b.Holes());
    }

    [Fact]
    public void Misaligned_hole_start_gets_front_padding_of_at_least_min_size()
    {
        using var b = new Buf(4096);
        b.Alloc(16, 8); // hole now at 16
        // align 32: 16 is not aligned, so the block starts at align_up(16 + 16, 32) = 32: padding 16
        Assert.Equal(32L, b.Alloc(16, 32));
        Assert.Equal(new[] { (16L, 16UL), (48L, 4096UL - 48) }, b.Holes());
        // align 64 from hole 48: align_up(48 + 16, 64) = 64, padding 16
        Assert.Equal(64L, b.Alloc(16, 64));
        // from hole 80, align 64: align_up(96, 64) = 128, padding 48 (not the 16-byte gap to... 128)
        Assert.Equal(128L, b.Alloc(16, 64));
        Assert.Equal(new[] { (16L, 16UL), (48L, 16UL), (80L, 48UL), (144L, 4096UL - 144) }, b.Holes());
    }

    [Fact]
    public void Aligned_hole_start_needs_no_front_padding_even_when_a_closer_fit_exists()
    {
        using var b = new Buf(4096);
        Assert.Equal(0L, b.Alloc(16, 4096));
    }

    [Fact]
    public void A_hole_whose_remainder_would_be_below_min_size_is_skipped()
    {
        using var b = new Buf(4096);
        var a = b.Alloc(24, 8)!.Value; // [0,24)
        b.Alloc(16, 8);                 // [24,40)
        b.Free(a, 24, 8);               // hole (0, 24)
        // 16 bytes fit the 24-byte hole, but 8 would remain (< 16): first fit moves on
        Assert.Equal(40L, b.Alloc(16, 8));
        Assert.Equal(new[] { (0L, 24UL), (56L, 4096UL - 56) }, b.Holes());
        // an exact fit is fine
        Assert.Equal(0L, b.Alloc(24, 8));
    }

    [Fact]
    public void A_hole_too_small_after_front_padding_is_skipped()
    {
        using var b = new Buf(4096);
        var a = b.Alloc(64, 8)!.Value; // [0,64)
        b.Alloc(16, 8);
        b.Free(a, 64, 8);
        b.Alloc(16, 8); // hole (16, 48)
        // align 64 in hole [16,64): aligned start align_up(32, 64) = 64 > end: skip to the tail
        Assert.Equal(128L, b.Alloc(16, 64));
    }

    [Fact]
    public void Freeing_merges_with_the_hole_before_after_or_both()
    {
        using var b = new Buf(4096);
        var x = new long[6];
        for (var i = 0; i < 6; i++) x[i] = b.Alloc(32, 8)!.Value; // 0,32,...,160; tail hole at 192
        b.Free(x[1], 32, 8);
        Assert.Equal(new[] { (32L, 32UL), (192L, 4096UL - 192) }, b.Holes());
        b.Free(x[2], 32, 8); // right behind hole 32
        Assert.Equal(new[] { (32L, 64UL), (192L, 4096UL - 192) }, b.Holes());
        b.Free(x[0], 32, 8); // right before hole 32, nothing before it
        Assert.Equal(new[] { (0L, 96UL), (192L, 4096UL - 192) }, b.Holes());
        b.Free(x[4], 32, 8); // between, touching nothing
        Assert.Equal(new[] { (0L, 96UL), (128L, 32UL), (192L, 4096UL - 192) }, b.Holes());
        b.Free(x[5], 32, 8); // fills the gap between 128 and 192: three become one
        Assert.Equal(new[] { (0L, 96UL), (128L, 4096UL - 128) }, b.Holes());
        b.Free(x[3], 32, 8);
        Assert.Equal(new[] { (0L, 4096UL) }, b.Holes());
    }

    [Fact]
    public void Double_free_panics()
    {
        using var b = new Buf(4096);
        var a = b.Alloc(32, 8)!.Value;
        b.Alloc(32, 8);
        b.Free(a, 32, 8);
        Machine.Reset();
        var e = Assert.Throws<KernelHalted>(() => b.Free(a, 32, 8));
        Assert.StartsWith("PANIC: invalid deallocation (probably a double free)\n", e.Serial);
    }

    [Fact]
    public void Exhaustion_returns_Exhausted_with_the_adjusted_request()
    {
        using var b = new Buf(256);
        Assert.Equal(0L, b.Alloc(200, 8));
        var r = b.Heap.AllocateFirstFit(Layout.FromSizeAlignUnchecked(57, 8));
        Assert.False(r.is_ok);
        Assert.True(r.err.exhausted);
        Assert.Equal(64UL, r.err.request.Size());
        Assert.Equal(200L, b.Alloc(50, 8)); // 56: the exact fit of the last hole
        Assert.Equal(8UL, r.err.request.Align());
    }

    [Fact]
    public void Extend_merges_with_a_last_hole_that_reaches_the_top()
    {
        using var b = new Buf(4096);
        b.Alloc(100, 8);
        b.Heap.Extend(4096);
        Assert.Equal(8192UL, b.Heap.Size());
        Assert.Equal(b.Base + 8192, b.Heap.Top());
        Assert.Equal(new[] { (104L, 8192UL - 104) }, b.Holes());
    }

    [Fact]
    public void Extend_of_a_full_heap_makes_a_new_hole_at_the_old_top()
    {
        using var b = new Buf(4096);
        Assert.Equal(0L, b.Alloc(4096, 4096));
        Assert.Empty(b.Holes());
        b.Heap.Extend(4096);
        Assert.Equal(new[] { (4096L, 4096UL) }, b.Holes());
    }

    [Fact]
    public void Usable_size_is_the_trait_default_the_unadjusted_size()
    {
        var h = Heap.Empty();
        var u = h.UsableSize(Layout.FromSizeAlignUnchecked(3, 1));
        Assert.Equal(3UL, u.lower);
        Assert.Equal(3UL, u.upper);
    }

    [Fact]
    public void Align_up_and_down()
    {
        Assert.Equal(0x1000UL, LinkedListAllocator.AlignUp(0x1, 0x1000));
        Assert.Equal(0x1000UL, LinkedListAllocator.AlignUp(0x1000, 0x1000));
        Assert.Equal(0x1000UL, LinkedListAllocator.AlignDown(0x1FFF, 0x1000));
        Assert.Equal(5UL, LinkedListAllocator.AlignDown(5, 0));
        Assert.Equal(4UL, LinkedListAllocator.AlignUp(5, 0)); // align 0: addr + 0 - 1, unaligned
        Machine.Reset();
        var e = Assert.Throws<KernelHalted>(() => LinkedListAllocator.AlignDown(5, 3));
        Assert.StartsWith("PANIC: `align` must be a power of 2\n", e.Serial);
    }

    // ---- model: a sorted set of free intervals, coalesced when they touch ----

    private sealed class HoleModel
    {
        public readonly List<(long A, long S)> Holes = new();

        public HoleModel(long size) { Holes.Add((0, size)); }

        private static long Up(long a, long align) => (a + align - 1) & ~(align - 1);

        public long? Alloc(long size, long align)
        {
            size = Up(Math.Max(size, 16), 8);
            for (var i = 0; i < Holes.Count; i++)
            {
                var (a, s) = Holes[i];
                var start = a % align == 0 ? a : Up(a + 16, align);
                if (start + size > a + s) continue;
                var rest = a + s - start - size;
                if (rest != 0 && rest < 16) continue;
                Holes.RemoveAt(i);
                if (start != a) Free(a, start - a);
                if (rest != 0) Free(start + size, rest);
                return start;
            }
            return null;
        }

        public void Free(long a, long size)
        {
            size = Up(Math.Max(size, 16), 8);
            Insert(a, size);
        }

        public void Insert(long a, long size)
        {
            var i = 0;
            while (i < Holes.Count && Holes[i].A < a) i++;
            Holes.Insert(i, (a, size));
            if (i + 1 < Holes.Count && Holes[i].A + Holes[i].S == Holes[i + 1].A)
            {
                Holes[i] = (Holes[i].A, Holes[i].S + Holes[i + 1].S);
                Holes.RemoveAt(i + 1);
            }
            if (i > 0 && Holes[i - 1].A + Holes[i - 1].S == Holes[i].A)
            {
                Holes[i - 1] = (Holes[i - 1].A, Holes[i - 1].S + Holes[i].S);
                Holes.RemoveAt(i);
            }
        }
    }

    private static readonly ulong[] Aligns = { 1, 2, 4, 8, 16, 32, 64, 4096 };

    [Fact]
    public void Allocation_and_free_sequences_follow_the_hole_list_model()
    {
        Gen.Select(Gen.Int[0, 3], Gen.Int[1, 600], Gen.Int[0, 7], Gen.Int[0, 1 << 20])
            .Array[1, 120]
            .Sample(ops =>
            {
                const ulong size = 16 * 1024;
                using var b = new Buf(size, reserve: 64 * 1024);
                var model = new HoleModel((long)size);
                var live = new List<(long Off, ulong Size, ulong Align)>();
                ulong heapSize = size;
                foreach (var (kind, sz, ai, pick) in ops)
                {
                    if (kind <= 1 || live.Count == 0)
                    {
                        var align = Aligns[ai];
                        var got = b.Alloc((ulong)sz, align);
                        var want = model.Alloc(sz, (long)align);
                        Assert.Equal(want, got);
                        if (got.HasValue) live.Add((got.Value, (ulong)sz, align));
                    }
                    else if (kind == 2)
                    {
                        var (off, s, al) = live[pick % live.Count];
                        live.RemoveAt(pick % live.Count);
                        b.Free(off, s, al);
                        model.Free(off, (long)s);
                    }
                    else if (heapSize + 4096 <= b.Reserve)
                    {
                        b.Heap.Extend(4096);
                        model.Insert((long)heapSize, 4096);
                        heapSize += 4096;
                    }
                    Assert.Equal(model.Holes.Select(h => (h.A, (ulong)h.S)).ToList(), b.Holes());
                }
            }, iter: 2000);
    }
}
