using System.Buffers.Binary;
using Harness.Gdb;
using Harness.Gdb.Monitor;
using Harness.Observe.Map;
using Harness.Trace;

namespace Harness.Observe;

/// <summary>
/// Reads the state recorded at a checkpoint through the gdb stub: registers (monitor), the page-table tree
/// (physical memory), GDT/IDT/TSS bytes, the frame allocator and the heap (virtual memory, per the map).
/// </summary>
internal sealed class StateReader(GdbClient gdb, ResolvedObservationMap map)
{
    private const ulong AddressMask = 0x000F_FFFF_FFFF_F000;
    private const int MaxHoles = 100_000;
    private const ulong MaxRecycled = 65_536;

    /// <summary>Registers as QEMU's monitor shows them.</summary>
    public async Task<(CpuRegisters Regs, QemuRegisterDump Dump)> RegistersAsync(CancellationToken ct)
    {
        var d = await gdb.ReadMonitorRegistersAsync(ct).ConfigureAwait(false);
        var segments = new Dictionary<string, SegmentRegister>();
        foreach (var name in new[] { "es", "cs", "ss", "ds", "fs", "gs" })
        {
            var s = d.Segment(name);
            segments[name] = new SegmentRegister(s.Selector, s.Base);
        }
        var regs = new CpuRegisters
        {
            Cr0 = d.Cr0, Cr3 = d.Cr3, Cr4 = d.Cr4, Efer = d.Efer,
            Gdtr = new TableRegister(d.Gdt.Base, d.Gdt.Limit),
            Idtr = new TableRegister(d.Idt.Base, d.Idt.Limit),
            Tr = new TaskRegister(d.Tr.Selector, d.Tr.Base, d.Tr.Limit, d.Tr.Attributes),
            Segments = segments,
        };
        return (regs, d);
    }

    /// <summary>
    /// Every table reachable from CR3, depth first in index order, read in physical mode: non-zero entries
    /// recorded; present entries followed except PML4[511] (recursive) and 2 MiB / 1 GiB leaves.
    /// </summary>
    public async Task<List<PageTable>> PageTablesAsync(ulong cr3, CancellationToken ct)
    {
        var tables = new List<PageTable>();
        await gdb.SetPhysicalMemoryModeAsync(true, ct).ConfigureAwait(false);
        try
        {
            await WalkAsync(cr3 & AddressMask, 4, 0, tables, ct).ConfigureAwait(false);
        }
        finally
        {
            await gdb.SetPhysicalMemoryModeAsync(false, ct).ConfigureAwait(false);
        }
        return tables;
    }

    private async Task WalkAsync(ulong frame, int level, ulong va, List<PageTable> tables, CancellationToken ct)
    {
        var bytes = await gdb.ReadMemoryAsync(frame, 4096, ct).ConfigureAwait(false);
        var entries = new SortedDictionary<int, ulong>();
        for (var i = 0; i < 512; i++)
        {
            var e = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i * 8));
            if (e != 0) entries[i] = e;
        }
        tables.Add(new PageTable(frame, level, va, entries));
        if (level == 1) return;
        var shift = 12 + 9 * (level - 1);
        foreach (var (i, e) in entries)
        {
            if ((e & 1) == 0) continue;
            if (level == 4 && i == 511) continue;
            if (level is 3 or 2 && (e & 0x80) != 0) continue;
            var childVa = va | ((ulong)i << shift);
            if (level == 4 && i >= 256) childVa |= 0xFFFF_0000_0000_0000;
            await WalkAsync(e & AddressMask, level - 1, childVa, tables, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// GDT, IDT and TSS bytes (limit + 1 each; the TSS only when TR holds a selector), read through the current
    /// page tables; the first table that cannot be read ends the reading, and <c>error</c> says why (as the reference does).
    /// </summary>
    public async Task<(byte[]? Gdt, byte[]? Idt, byte[]? Tss, string? Error)> DescriptorsAsync(QemuRegisterDump d, CancellationToken ct)
    {
        byte[]? gdt = null, idt = null, tss = null;
        try
        {
            gdt = await ReadVirtualAsync(d.Gdt.Base, (int)d.Gdt.Limit.Value + 1, ct).ConfigureAwait(false);
            idt = await ReadVirtualAsync(d.Idt.Base, (int)d.Idt.Limit.Value + 1, ct).ConfigureAwait(false);
            if (d.Tr.Selector.Value != 0)
                tss = await ReadVirtualAsync(d.Tr.Base, (int)Math.Min(d.Tr.Limit.Value + 1, 0x10000), ct).ConfigureAwait(false);
            return (gdt, idt, tss, null);
        }
        catch (UnreadableMemoryException e)
        {
            return (gdt, idt, tss, e.Message);
        }
    }

    /// <summary>The frame allocator's state per the map, or null when the map has none.</summary>
    public async Task<(ulong Next, MemoryArea? Area, List<FrameRange> Recycled)?> FrameAllocatorAsync(CancellationToken ct)
    {
        if (map.FrameAllocatorBase is not { } b || map.Map.FrameAllocator is not { } spec) return null;
        var size = (int)new[] { spec.SomeFlag ?? 0, spec.NextFreeFrame, spec.CurrentArea, spec.RecycledPtr, spec.RecycledLen }.Max() + 8;
        var block = await ReadVirtualAsync(b, size, ct).ConfigureAwait(false);
        if (spec.SomeFlag is { } some && block[(int)some] == 0)
            return (0, null, []);
        var next = U64(block, spec.NextFreeFrame) * 4096;
        MemoryArea? area = null;
        var areaPtr = U64(block, spec.CurrentArea);
        if (areaPtr != 0)
        {
            var a = await ReadVirtualAsync(areaPtr, 16, ct).ConfigureAwait(false);
            area = new MemoryArea(U64(a, 0), U64(a, 8));
        }
        var recycled = new List<FrameRange>();
        var len = U64(block, spec.RecycledLen);
        var ptr = U64(block, spec.RecycledPtr);
        if (len > MaxRecycled)
            throw new ObserverException($"the recycle list at 0x{b + spec.RecycledLen:x} claims {len} entries: the map's offsets are wrong for this kernel");
        if (len > 0)
        {
            var data = await ReadVirtualAsync(ptr, (int)len * 16, ct).ConfigureAwait(false);
            for (var i = 0; i < (int)len; i++)
                recycled.Add(new FrameRange(U64(data, (ulong)i * 16), U64(data, (ulong)i * 16 + 8)));
        }
        return (next, area, recycled);
    }

    /// <summary>The heap's state per the map (null when the map has none): initialised flag, bottom, size, hole list.</summary>
    public async Task<(bool Initialised, ulong Bottom, ulong Size, List<HeapHole> Holes)?> HeapAsync(CancellationToken ct)
    {
        if (map.HeapBase is not { } b || map.Map.Heap is not { } spec) return null;
        var size = (int)new[] { spec.SomeFlag ?? 0, spec.Bottom, spec.Size, spec.FirstHole + Math.Max(spec.HoleSize, spec.HoleNext) }.Max() + 8;
        var block = await ReadVirtualAsync(b, size, ct).ConfigureAwait(false);
        var initialised = spec.SomeFlag is not { } some || block[(int)some] != 0;
        var bottom = U64(block, spec.Bottom);
        var heapSize = U64(block, spec.Size);
        if (!initialised || (spec.SomeFlag is null && bottom == 0 && heapSize == 0))
            return (false, 0, 0, []);
        var holes = new List<HeapHole>();
        var next = U64(block, spec.FirstHole + spec.HoleNext);
        var holeBytes = (int)Math.Max(spec.HoleSize, spec.HoleNext) + 8;
        while (next != 0)
        {
            if (holes.Count >= MaxHoles)
                throw new ObserverException($"the heap's hole list has more than {MaxHoles} holes (a cycle?): the map's offsets are wrong for this kernel");
            var h = await ReadVirtualAsync(next, holeBytes, ct).ConfigureAwait(false);
            holes.Add(new HeapHole(next, U64(h, spec.HoleSize)));
            next = U64(h, spec.HoleNext);
        }
        return (true, bottom, heapSize, holes);
    }

    /// <summary>Reads virtual memory; an unreadable address becomes <see cref="UnreadableMemoryException"/> (gdb's wording).</summary>
    public async Task<byte[]> ReadVirtualAsync(ulong address, int length, CancellationToken ct)
    {
        try
        {
            return await gdb.ReadMemoryAsync(address, length, ct).ConfigureAwait(false);
        }
        catch (GdbErrorReplyException)
        {
            throw new UnreadableMemoryException($"Cannot access memory at address 0x{address:x}");
        }
    }

    private static ulong U64(byte[] b, ulong offset) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan((int)offset, 8));
}

/// <summary>A read the stub refused (the address is not mapped).</summary>
internal sealed class UnreadableMemoryException(string message) : Exception(message);

/// <summary>The observer could not go on: the message says why (with the last event and serial tail when known).</summary>
public sealed class ObserverException(string message, Exception? inner = null) : Exception(message, inner);
