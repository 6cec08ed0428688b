#nullable enable
using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Kernel.arch.x86_64.paging;
using Kernel.memory;
using spin;
using static Kernel.Tests.memory.MemoryMaps;

namespace Kernel.Tests.memory;

/// <summary>
/// Property tests: random maps and random allocate/free sequences, the port against an executable
/// model written from the original's semantics as plain list code (frame numbers, no pointers,
/// loops instead of recursion).
/// </summary>
[Collection(KernelGlobals.Name)]
public unsafe class FrameAllocatorModelTests
{
    /// <summary>The model: bump over a list of (base, length) free areas, recycle over a list of (address, count).</summary>
    private sealed class Model
    {
        private readonly List<(ulong Base, ulong Length)> areas;
        private readonly ulong kStart, kEnd;
        private ulong next;
        private int current = -1;
        public readonly List<(ulong Addr, ulong Count)> Free = new();
        public bool Noncore;

        public Model(List<(ulong, ulong)> freeAreas, ulong kernelStart, ulong kernelEnd)
        {
            areas = freeAreas;
            kStart = kernelStart / 4096;
            kEnd = kernelEnd / 4096;
            Choose();
        }

        private ulong Last(int i) => unchecked(areas[i].Base + areas[i].Length - 1) / 4096;

        private void Choose()
        {
            current = -1;
            for (var i = 0; i < areas.Count; i++)
            {
                if (Last(i) >= next && (current < 0 || areas[i].Base < areas[current].Base))
                {
                    current = i;
                }
            }
            if (current >= 0 && next < areas[current].Base / 4096)
            {
                next = areas[current].Base / 4096;
            }
        }

        private bool InKernel(ulong f) => f >= kStart && f <= kEnd;

        /// <summary>The frame address, null for None; throws for a request the original never finishes.</summary>
        public ulong? Bump(ulong count)
        {
            if (count == 0) return null;
            while (current >= 0)
            {
                var end = next + count - 1;
                if (end > Last(current))
                {
                    var (before, beforeNext) = (current, next);
                    Choose();
                    if (current == before && next == beforeNext) throw new DivergesException();
                }
                else if (InKernel(next) || InKernel(end))
                {
                    next = kEnd + 1;
                }
                else
                {
                    next += count;
                    return (next - count) * 4096;
                }
            }
            return null;
        }

        public ulong? Allocate(ulong count)
        {
            var best = -1;
            for (var i = 0; i < Free.Count; i++)
            {
                if (Free[i].Count >= count && (best < 0 || Free[i].Count <= Free[best].Count)) best = i;
            }
            if (best < 0) return Bump(count);
            var (a, c) = Free[best];
            c -= count;
            if (c == 0) Free.RemoveAt(best); else Free[best] = (a, c);
            return a + c * 4096;
        }

        public void Deallocate(ulong addr, ulong count)
        {
            if (!Noncore) return;
            // join the first touching range; if the grown range touches another, that one takes it
            for (var i = 0; i < Free.Count; i++)
            {
                var (a, c) = Free[i];
                (ulong, ulong)? grown = addr + count * 4096 == a ? (addr, c + count) : a + c * 4096 == addr ? (a, c + count) : null;
                if (grown is not { } g) continue;
                Free[i] = g;
                for (var j = 0; j < Free.Count; j++)
                {
                    if (j == i) continue;
                    var (b, d) = Free[j];
                    if (g.Item1 + g.Item2 * 4096 == b) { Free[j] = (g.Item1, d + g.Item2); Free.RemoveAt(i); return; }
                    if (b + d * 4096 == g.Item1) { Free[j] = (b, d + g.Item2); Free.RemoveAt(i); return; }
                }
                return;
            }
            Free.Add((addr, count));
        }
    }

    private sealed class DivergesException : Exception { }

    private static readonly Gen<(ulong Base, ulong Length, uint Type)> GenArea =
        Gen.Select(Gen.Int[0, 64], Gen.Int[0, 24], Gen.Int[0, 5], Gen.Int[0, 4095])
            .Select(t => ((ulong)t.Item1 * 4096 + (t.Item3 == 0 ? (ulong)t.Item4 : 0),
                          (ulong)t.Item2 * 4096 + (t.Item3 == 1 ? (ulong)t.Item4 : 0),
                          t.Item3 <= 3 ? 1u : 2u));

    [Fact]
    public void Bump_and_recycle_follow_the_model()
    {
        // a chain of retries is as long as the areas passed over; a runaway one fails the test
        ResetRecursion(limit: 2000);
        try
        {
        Gen.Select(GenArea.Array[1, 6], Gen.Int[0, 40], Gen.Select(Gen.Int[0, 9], Gen.Int[0, 4], Gen.Int[0, 1000]).Array[1, 80])
            .Sample(input =>
            {
                var (areaList, kernelPages, ops) = input;
                ulong kernelEnd = (ulong)kernelPages * 4096;
                var map = areaList.Select(a => Area(a.Base, a.Length, a.Type)).ToArray();
                Init(0, kernelEnd, map);
                var model = new Model(areaList.Where(a => a.Type == 1).Select(a => (a.Base, a.Length)).ToList(), 0, kernelEnd);
                using var heap = HostHeap.Install(size: 64 * 1024, reserve: 64 * 1024);
                var live = new List<(ulong Addr, ulong Count)>();
                foreach (var (kind, count, pick) in ops)
                {
                    if (kind == 0 && !model.Noncore)
                    {
                        Memory.InitNoncore();
                        model.Noncore = true;
                    }
                    else if (kind <= 3 && live.Count > 0)
                    {
                        var (a, c) = live[pick % live.Count];
                        live.RemoveAt(pick % live.Count);
                        Memory.DeallocateFrames(Frame.ContainingAddress(new PhysicalAddress(a)), c);
                        model.Deallocate(a, c);
                    }
                    else
                    {
                        ulong? want;
                        var modelBefore = model.Free.ToList();
                        try
                        {
                            want = model.Allocate((ulong)count);
                        }
                        catch (DivergesException)
                        {
                            return; // the original would never return: the quirk has its own test
                        }
                        var f = Memory.AllocateFrames((ulong)count);
                        ulong? got = f.HasValue ? f.GetValueOrDefault().StartAddress().Get() : null;
                        Assert.Equal(want, got);
                        if (got.HasValue && count > 0) live.Add((got.Value, (ulong)count));
                    }
                    using var g = Memory.ALLOCATOR.Lock();
                    var list = new List<(ulong, ulong)>();
                    for (ulong i = 0; i < g.Value.value.free.Len(); i++) list.Add((g.Value.value.free[i]._0, g.Value.value.free[i]._1));
                    Assert.Equal(model.Free, list);
                }
            }, iter: 3000, threads: 1);
        }
        finally
        {
            ResetRecursion();
        }
    }

    [Fact]
    public void Pointers_into_the_copied_map_survive_a_compacting_gc()
    {
        Init(0, 0x100000, Area(0x200000, 0x1000));
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
        using var g = Memory.ALLOCATOR.Lock();
        Assert.True(g.Value.value.inner.current_area == Memory.Entry(0));
    }
}
