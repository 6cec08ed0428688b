#nullable enable
using System;
using System.Collections.Generic;
using alloc.allocator;
using alloc.vec;
using Kernel.Hal;
using Kernel.Tests.memory;
using AllocHeap = alloc.heap.Heap;

namespace Kernel.Tests.crates;

/// <summary>crates/alloc: Vec growth and the global allocator entry points, on a host kernel heap.</summary>
[Collection(KernelGlobals.Name)]
public unsafe class VecTests : IDisposable
{
    private readonly HostHeap heap = HostHeap.Install();

    public void Dispose() => heap.Dispose();

    private struct Pair { public ulong A, B; }

    [Fact]
    public void New_allocates_nothing_and_holds_a_dangling_aligned_pointer()
    {
        var v = Vec<Pair>.New();
        Assert.Equal(0UL, v.Capacity());
        Assert.Equal(8UL, (ulong)v.AsPtr());
        Assert.Equal(new[] { (0UL, 1024UL * 1024) }, heap.Holes());
        v.Dispose(); // nothing to free
        Assert.Equal(new[] { (0UL, 1024UL * 1024) }, heap.Holes());
    }

    [Fact]
    public void Push_grows_4_8_16_32_by_alloc_then_realloc_that_moves()
    {
        var v = Vec<Pair>.New();
        var caps = new List<ulong>();
        var ptrs = new List<ulong>();
        for (ulong i = 0; i < 33; i++)
        {
            v.Push(new Pair { A = i, B = ~i });
            if (caps.Count == 0 || caps[^1] != v.Capacity())
            {
                caps.Add(v.Capacity());
                ptrs.Add((ulong)v.AsPtr() - (ulong)heap.Buffer);
            }
        }
        Assert.Equal(new ulong[] { 4, 8, 16, 32, 64 }, caps);
        // each growth allocates the new block while the old one is held, then frees the old one
        Assert.Equal(new ulong[] { 0, 64, 192, 448, 960 }, ptrs);
        Assert.Equal(new[] { (0UL, 960UL), (960UL + 1024, 1024UL * 1024 - 960 - 1024) }, heap.Holes());
        for (ulong i = 0; i < 33; i++)
        {
            Assert.Equal(i, v[i].A);
            Assert.Equal(~i, v[i].B);
        }
        v.Dispose();
        Assert.Equal(new[] { (0UL, 1024UL * 1024) }, heap.Holes());
    }

    [Fact]
    public void Remove_shifts_down_and_keeps_the_capacity()
    {
        var v = Vec<ulong>.New();
        for (ulong i = 0; i < 5; i++) v.Push(i);
        Assert.Equal(2UL, v.Remove(2));
        Assert.Equal(4UL, v.Len());
        Assert.Equal(8UL, v.Capacity());
        Assert.Equal(new ulong[] { 0, 1, 3, 4 }, new[] { v[0], v[1], v[2], v[3] });
        v.Insert(0, 9);
        Assert.Equal(new ulong[] { 9, 0, 1, 3, 4 }, new[] { v[0], v[1], v[2], v[3], v[4] });
        Assert.Equal(4UL, v.Pop());
        v.Dispose();
    }

    [Fact]
    public void Small_elements_still_start_at_4_and_the_heap_rounds_to_16()
    {
        var v = Vec<byte>.New();
        v.Push(1);
        Assert.Equal(4UL, v.Capacity());
        Assert.Equal(new[] { (16UL, 1024UL * 1024 - 16) }, heap.Holes()); // 4 bytes → min size 16
        v.Dispose();
    }

    [Fact]
    public void Out_of_bounds_index_panics()
    {
        var v = Vec<ulong>.New();
        v.Push(1);
        Machine.Reset();
        var e = Assert.Throws<KernelHalted>(() => { _ = v[1]; });
        Assert.StartsWith("PANIC: index out of bounds: the len is 1 but the index is 1\n", e.Serial);
        v.Dispose();
    }

    [Fact]
    public void Realloc_to_the_same_size_keeps_the_block_but_shrinking_moves_it()
    {
        var l64 = Layout.FromSizeAlignUnchecked(64, 8);
        var p = AllocHeap.Alloc(l64).ok;
        var same = AllocHeap.Realloc(p, l64, l64);
        Assert.True(same.ok == p); // grow_in_place: 64 <= usable 64
        // shrink_in_place asks usable_size's lower bound (64) <= 32: no, so alloc + copy + free
        var smaller = AllocHeap.Realloc(p, l64, Layout.FromSizeAlignUnchecked(32, 8));
        Assert.Equal(64UL, (ulong)smaller.ok - (ulong)heap.Buffer);
        Assert.Equal(new[] { (0UL, 64UL), (96UL, 1024UL * 1024 - 96) }, heap.Holes());
    }

    [Fact]
    public void Layout_of_an_array_and_alignment()
    {
        Assert.Equal(8UL, Layout.AlignOf<ulong>());
        Assert.Equal(1UL, Layout.AlignOf<byte>());
        Assert.Equal(4UL, Layout.AlignOf<uint>());
        Assert.Equal(8UL, Layout.AlignOf<Pair>());
        var a = Layout.Array<Pair>(4).GetValueOrDefault();
        Assert.Equal(64UL, a.Size());
        Assert.Equal(8UL, a.Align());
        Assert.False(Layout.FromSizeAlign(1, 3).HasValue);
        Assert.False(Layout.FromSizeAlign(~0UL, 8).HasValue);
    }
}
