#nullable enable
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Kernel.memory;
using spin;

namespace Kernel.Tests.memory;

/// <summary>
/// The strongest check of the frame allocator: every frame_alloc the original made in a recorded
/// boot (traces/reference/), replayed in order through Memory.AllocateFrames from the same map and
/// kernel range, must give the same frame (or None); and the allocator's state at each checkpoint
/// (next free frame, current area, recycled list) must be the recorded one.
/// The heap is created at heap_done (the recycle list's Vec needs it) and noncore is set at
/// memory_noncore_done, as kstart does. Frees the observer could not see as calls (page-table
/// frames released inside graphical_debug::fini) show up only in the recycled list of the next
/// checkpoint; they are replayed there one frame at a time, as unmap_inner frees them.
/// A userspace scenario (user-*, tests/userspace) is replayed through its kmain checkpoint: after it,
/// processes free frames the observer does not see as calls (their memory's drop), and no checkpoint
/// follows to show them in the recycled list.
/// </summary>
[Collection(KernelGlobals.Name)]
public unsafe class TraceReplayTests
{
    public static IEnumerable<object[]> AllScenarios() => ReferenceTrace.Scenarios().Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(AllScenarios))]
    public void Replaying_the_recorded_frame_allocations_gives_the_recorded_frames(string scenario)
    {
        var trace = ReferenceTrace.Load(scenario);
        var result = Replay(trace);
        Assert.True(result.Allocs > 0 || scenario.Length == 0);
    }

    [Fact]
    public void Q35_2g_slot4m_all_1053_allocations_match()
    {
        var result = Replay(ReferenceTrace.Load("q35-2g-slot4m"));
        Assert.Equal(1053, result.Allocs);
        Assert.Equal(14, result.Checkpoints);
    }

    [Theory]
    [InlineData("zero-length-wrap", 1053)]
    [InlineData("hole-above-kernel", 1053)]
    [InlineData("e820-512th-entry", 1053)]
    [InlineData("seed-2018", 1053)]
    [InlineData("out-of-frames-heap", 768)]
    [InlineData("no-free-above-kernel", 1)]
    public void Explicit_map_scenarios_match(string scenario, int allocs)
    {
        var result = Replay(ReferenceTrace.Load(scenario));
        Assert.Equal(allocs, result.Allocs);
    }

    [Fact]
    public void Out_of_frames_heap_ends_with_None_where_the_original_did()
    {
        var trace = ReferenceTrace.Load("out-of-frames-heap");
        var last = trace.Observations.Last(o => o.GetProperty("type").GetString() == "frame_alloc");
        Assert.Equal(JsonValueKind.Null, last.GetProperty("frame").ValueKind);
        Replay(trace);
    }

    [Fact]
    public void No_free_above_kernel_gives_None_at_the_first_request()
    {
        var trace = ReferenceTrace.Load("no-free-above-kernel");
        var first = trace.Observations.First(o => o.GetProperty("type").GetString() == "frame_alloc");
        Assert.Equal(JsonValueKind.Null, first.GetProperty("frame").ValueKind);
        Replay(trace);
    }

    public sealed record ReplayResult(int Allocs, int Frees, int Checkpoints);

    public static ReplayResult Replay(ReferenceTrace trace)
    {
        HostHeap? heap = null;
        int allocs = 0, frees = 0, checkpoints = 0;
        try
        {
            MemoryMaps.Init(0, trace.KernelEnd, trace.Map);
            bool userspace = trace.Scenario.StartsWith("user-", StringComparison.Ordinal), atKmain = false;
            foreach (var o in trace.Observations)
            {
                var type = o.GetProperty("type").GetString();
                if (atKmain && (type == "frame_alloc" || type == "frame_free" || type == "checkpoint"))
                {
                    break;      // a userspace scenario: replayed through the state at kmain (see above)
                }
                var seq = o.GetProperty("seq").GetInt64();
                switch (type)
                {
                    case "checkpoint":
                        var name = o.GetProperty("name").GetString();
                        atKmain = userspace && name == "kmain";
                        if (name == "heap_done")
                        {
                            heap = HostHeap.Install();
                        }
                        else if (name == "memory_noncore_done")
                        {
                            Memory.InitNoncore();
                        }
                        break;
                    case "frame_alloc":
                    {
                        var count = o.GetProperty("count").GetUInt64();
                        var got = Memory.AllocateFrames(count);
                        var want = o.GetProperty("frame");
                        if (want.ValueKind == JsonValueKind.Null)
                        {
                            Assert.True(!got.HasValue, $"{trace.Scenario} seq {seq}: expected None, got 0x{got.GetValueOrDefault().StartAddress().Get():X}");
                        }
                        else
                        {
                            Assert.True(got.HasValue, $"{trace.Scenario} seq {seq}: expected {want.GetString()}, got None");
                            Assert.True(ReferenceTrace.Hex(want.GetString()!) == got.GetValueOrDefault().StartAddress().Get(),
                                $"{trace.Scenario} seq {seq} (alloc #{allocs + 1}): expected {want.GetString()}, got 0x{got.GetValueOrDefault().StartAddress().Get():x}");
                        }
                        allocs++;
                        break;
                    }
                    case "frame_free":
                    {
                        var frame = Frame.ContainingAddress(new Kernel.arch.x86_64.paging.PhysicalAddress(ReferenceTrace.Num(o.GetProperty("frame"))));
                        Memory.DeallocateFrames(frame, o.GetProperty("count").GetUInt64());
                        frees++;
                        break;
                    }
                    case "frame_allocator":
                        checkpoints++;
                        CompareState(trace, o, seq);
                        break;
                }
            }
        }
        finally
        {
            if (heap != null)
            {
                heap.Dispose();
            }
            else
            {
                Memory.ForgetForTests();
            }
        }
        return new ReplayResult(allocs, frees, checkpoints);
    }

    private static void CompareState(ReferenceTrace trace, JsonElement o, long seq)
    {
        var recycledWant = o.GetProperty("recycled").EnumerateArray()
            .Select(r => (Addr: ReferenceTrace.Num(r[0]), Count: r[1].GetUInt64())).ToList();

        var have = Recycled();
        if (!have.SequenceEqual(recycledWant))
        {
            // frees not seen as calls: give back every recorded frame the list lacks, one by one
            foreach (var (addr, count) in recycledWant)
            {
                for (ulong f = 0; f < count; f++)
                {
                    ulong a = addr + f * 4096;
                    if (!have.Any(h => a >= h.Addr && a < h.Addr + h.Count * 4096))
                    {
                        Memory.DeallocateFrames(Frame.ContainingAddress(new Kernel.arch.x86_64.paging.PhysicalAddress(a)), 1);
                    }
                }
            }
            have = Recycled();
        }
        Assert.True(have.SequenceEqual(recycledWant),
            $"{trace.Scenario} seq {seq}: recycled [{string.Join(", ", have)}] != [{string.Join(", ", recycledWant)}]");

        using var guard = Memory.ALLOCATOR.Lock();
        ref var bump = ref guard.Value.value.inner;
        var checkpoint = o.GetProperty("checkpoint").GetString();
        if (checkpoint == "entry")
        {
            return; // before memory::init
        }
        Assert.True(ReferenceTrace.Num(o.GetProperty("next_free_frame")) == bump.next_free_frame.StartAddress().Get(),
            $"{trace.Scenario} {checkpoint}: next_free_frame {o.GetProperty("next_free_frame")} != 0x{bump.next_free_frame.StartAddress().Get():x}");
        var area = o.GetProperty("current_area");
        if (area.ValueKind == JsonValueKind.Null)
        {
            Assert.True(bump.current_area == null, $"{trace.Scenario} {checkpoint}: current_area should be None");
        }
        else
        {
            Assert.True(bump.current_area != null, $"{trace.Scenario} {checkpoint}: current_area is None");
            Assert.Equal(ReferenceTrace.Num(area.GetProperty("base")), bump.current_area->base_addr);
            Assert.Equal(ReferenceTrace.Num(area.GetProperty("length")), bump.current_area->length);
        }
    }

    private static List<(ulong Addr, ulong Count)> Recycled()
    {
        using var guard = Memory.ALLOCATOR.Lock();
        ref var free = ref guard.Value.value.free;
        var list = new List<(ulong, ulong)>();
        for (ulong i = 0; i < free.Len(); i++)
        {
            list.Add((free[i]._0, free[i]._1));
        }
        return list;
    }
}
