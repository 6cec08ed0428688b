#nullable enable
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using Kernel.allocator.linked_list;
using Kernel.Hal;
using Kernel.memory;
using spin;
using Kernel.memory.bump;

namespace Kernel.Tests.memory;

/// <summary>
/// Tests that touch the port's statics (the copied memory map, the frame allocator, the kernel
/// heap) run one at a time in this collection.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelGlobals
{
    public const string Name = "kernel-globals";
}

/// <summary>A kernel heap on the host: a NativeMemory buffer and a fake map_heap that records its calls.</summary>
public sealed unsafe class HostHeap : IDisposable
{
    /// <summary>Every map_heap(offset, size) since the last <see cref="Install"/>.</summary>
    public static readonly List<(ulong Offset, ulong Size)> MapCalls = new();

    /// <summary>Frames the fake map_heap takes per page, like the real one (0 = none taken).</summary>
    public static bool TakeFrames;

    public byte* Buffer { get; }
    public ulong Capacity { get; }

    private HostHeap(ulong capacity)
    {
        Capacity = capacity;
        Buffer = (byte*)NativeMemory.AlignedAlloc((nuint)capacity, 4096);
        NativeMemory.Clear(Buffer, (nuint)capacity);
    }

    /// <summary>Allocator.Init over a fresh buffer of <paramref name="reserve"/> bytes, the first <paramref name="size"/> in the heap.</summary>
    public static HostHeap Install(ulong size = 1024 * 1024, ulong reserve = 16 * 1024 * 1024, bool takeFrames = false)
    {
        var h = new HostHeap(reserve);
        MapCalls.Clear();
        TakeFrames = takeFrames;
        Allocator.MapHeapHook = &FakeMapHeap;
        Allocator.Init((ulong)h.Buffer, size);
        return h;
    }

    private static void FakeMapHeap(ulong offset, ulong size)
    {
        MapCalls.Add((offset, size));
        if (TakeFrames)
        {
            for (ulong page = 0; page < size / 4096; page++)
            {
                if (!Memory.AllocateFrames(1).HasValue)
                {
                    Panic.Fail("out of frames", "src/arch/x86_64/paging/mapper.rs", 117);
                }
            }
        }
    }

    /// <summary>The hole list as (offset from the buffer, size).</summary>
    public List<(ulong Offset, ulong Size)> Holes()
    {
        var list = new List<(ulong, ulong)>();
        using (var heap = LinkedList.HEAP.Lock())
        {
            for (var h = heap.Value.value.Holes().FirstHole(); h != null; h = h->next)
            {
                list.Add(((ulong)h - (ulong)Buffer, h->size));
            }
        }
        return list;
    }

    public ulong Size()
    {
        using var heap = LinkedList.HEAP.Lock();
        return heap.Value.value.Size();
    }

    public void Dispose()
    {
        Memory.ForgetForTests();
        using (var heap = LinkedList.HEAP.Lock())
        {
            heap.Value = default;
        }
        NativeMemory.AlignedFree(Buffer);
    }
}

public static unsafe class MemoryMaps
{
    public static MemoryArea Area(ulong b, ulong len, uint type = 1) => new() { base_addr = b, length = len, _type = type };

    /// <summary>Memory.InitFrom over the given areas (padded with null entries to 512), serial output discarded.</summary>
    public static void Init(ulong kernelStart, ulong kernelEnd, params MemoryArea[] areas)
    {
        Memory.ForgetForTests();
        var map = new MemoryArea[Math.Max(Memory.MEMORY_MAP_ENTRIES, areas.Length)];
        Array.Copy(areas, map, areas.Length);
        fixed (MemoryArea* p = map)
        {
            Memory.InitFrom(p, kernelStart, kernelEnd);
        }
        Machine.Reset();
    }

    /// <summary>The map QEMU q35 with 2 GiB gives today (reference/q35-2g-slot4m/serial.log).</summary>
    public static MemoryArea[] Q35_2G() => new[]
    {
        Area(0, 654336), Area(654336, 1024, 2), Area(983040, 65536, 2), Area(1048576, 2146299904),
        Area(2147348480, 135168, 2), Area(2952790016, 268435456, 2), Area(4294705152, 262144, 2),
        Area(1086626725888, 12884901888, 2),
    };

    /// <summary>Runs <paramref name="body"/> on a thread with a large stack; rethrows what it threw.</summary>
    public static void OnBigStack(Action body, int stackBytes = 256 * 1024 * 1024)
    {
        Exception? thrown = null;
        var t = new Thread(() =>
        {
            try { body(); }
            catch (Exception e) { thrown = e; }
        }, stackBytes);
        t.Start();
        t.Join();
        if (thrown != null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(thrown).Throw();
        }
    }

    /// <summary>Reset the bump allocator's recursion bookkeeping.</summary>
    public static void ResetRecursion(ulong limit = 0)
    {
        BumpAllocator.RecursionLimitForTests = limit;
        BumpAllocator.RecursionDepth = 0;
        BumpAllocator.MaxRecursionDepth = 0;
    }
}
