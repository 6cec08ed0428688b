using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Elf;
using Harness.Gdb;
using Harness.Observe.Map;
using Harness.Qemu;
using Harness.Trace;
using GdbEndpoint = Harness.Gdb.GdbEndpoint;
using QemuGdbEndpoint = Harness.Qemu.GdbEndpoint;

namespace Harness.Observe;

/// <summary>State reads at a stop: the registers (with what the handling will likely read, in the same round trip; and their signature, to recognise a repeated stop) and a checkpoint's state.</summary>
internal sealed partial class ObserverSession
{
    private static readonly string[] SignatureRegisters =
        ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "eflags"];


    private static ulong[] Signature(Registers regs) => SignatureRegisters.Select(r =>
    {
        try
        {
            return regs[r];
        }
        catch (Exception e) when (e is ObserverException or KeyNotFoundException or ArgumentException)
        {
            return 0UL; // a register this stub does not show (QEMU's monitor names EFLAGS "EFL")
        }
    }).ToArray();

    /// <summary>General-purpose registers at a stop, by lower-case name (rax … r15, rip).</summary>
    private sealed class Registers(Func<string, ulong> read)
    {
        public ulong this[string name] => read(name);
    }

    /// <summary>The current context's id, read with the registers of this stop (ContextIdAsync's answer until the next stop), or null.</summary>
    private ulong? _stopContextId;

    /// <summary>The stack word read with this stop's registers: its address and bytes (null bytes: unreadable), or null.</summary>
    private (ulong Address, byte[]? Bytes)? _stopStackWord;

    /// <summary>RSP at the last entry point whose handling read the return address at [RSP] (a heap loop calls the allocator from the same frame each time).</summary>
    private ulong? _lastEntryRsp;

    /// <summary>
    /// The registers at a stop of the run loop, and in the same round trip (a <c>g</c> and <c>m</c>s in one write) what
    /// this stop's handling will likely read: after <c>kmain</c>, when frame events carry the current context, the
    /// context id; and, when no allocator call is in flight (so the stop is likely an entry point, which reads its return
    /// address at [RSP]), the word at the RSP of the last such entry. What was read is kept for this stop and used only
    /// where its address is the one the handling asks for; the guest does not run during a stop, so the value is the one
    /// a read at its use would give.
    /// </summary>
    private async Task<Registers> ReadStopRegistersAsync(CancellationToken ct)
    {
        _stopContextId = null;
        _stopStackWord = null;
        if (_registersFromMonitor)
            return await ReadRegistersAsync(ct).ConfigureAwait(false);
        var reads = new List<(ulong Address, int Length)>(2);
        var contextAt = _reachedKmain && Processes is { FramesByContext: true } ? map.ContextIdAddress : null;
        if (contextAt is { } at) reads.Add((at, 8));
        var stackAt = _pending is null ? _lastEntryRsp : null;
        if (stackAt is { } rsp) reads.Add((rsp, 8));
        if (reads.Count == 0)
            return await ReadRegistersAsync(ct).ConfigureAwait(false);
        var (set, memory) = await _gdb!.ReadRegistersAndMemoryAsync(reads, ct).ConfigureAwait(false);
        if (contextAt is not null && memory[0] is { } id)
            _stopContextId = BinaryPrimitives.ReadUInt64LittleEndian(id);
        if (stackAt is { } s)
            _stopStackWord = (s, memory[^1]);
        return new Registers(name => set[name]);
    }

    /// <summary>The return address at [RSP] of an entry point's stop: read with the registers when RSP was foreseen, else now.</summary>
    private async Task<ulong> ReturnAddressAsync(ulong rsp, CancellationToken ct)
    {
        _lastEntryRsp = rsp;
        var bytes = _stopStackWord is { Address: var at, Bytes: { } word } && at == rsp
            ? word
            : await _gdb!.ReadMemoryAsync(rsp, 8, ct).ConfigureAwait(false);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    /// <summary>
    /// The registers at a stop: one <c>g</c> packet through the target description, or (when the client's
    /// description lists no registers) QEMU's monitor <c>info registers</c>.
    /// </summary>
    private async Task<Registers> ReadRegistersAsync(CancellationToken ct)
    {
        if (!_registersFromMonitor)
        {
            var set = await _gdb!.ReadRegistersAsync(ct).ConfigureAwait(false);
            return new Registers(name => set[name]);
        }
        var dump = await _gdb!.ReadMonitorRegistersAsync(ct).ConfigureAwait(false);
        return new Registers(name => dump.Values.TryGetValue(name.ToUpperInvariant(), out var v)
            ? v.Value
            : throw new ObserverException($"QEMU's info registers shows no {name.ToUpperInvariant()}"));
    }

    /// <summary>Records a checkpoint and its state, in the order of the reference: checkpoint, page tables, descriptors, frame allocator, heap.</summary>
    private async Task CheckpointAsync(string name, CancellationToken ct)
    {
        FlushSerial(null);
        var w = _writer!;
        var state = _state!;
        var (regs, dump) = await state.RegistersAsync(ct).ConfigureAwait(false);
        w.WriteCheckpoint(new CheckpointRecord(0, name, regs));
        _checkpoints.Add(name);
        var cr3 = dump.Cr3.Value;
        var tables = await state.PageTablesAsync(cr3, ct).ConfigureAwait(false);
        w.WritePageTables(new PageTablesRecord(0, name, cr3 & 0x000F_FFFF_FFFF_F000, tables) { Pat = _pat });
        var (gdt, idt, tss, error) = await state.DescriptorsAsync(dump, ct).ConfigureAwait(false);
        w.WriteDescriptors(new DescriptorsRecord(0, name, gdt, idt, tss, error));
        if (await state.FrameAllocatorAsync(ct).ConfigureAwait(false) is { } fa)
            w.WriteFrameAllocator(new FrameAllocatorRecord(0, name, fa.Next, fa.Area, fa.Recycled));
        if (await state.HeapAsync(ct).ConfigureAwait(false) is { } h)
        {
            if (!h.Initialised)
            {
                w.WriteHeap(new HeapRecord(0, name, false, null, null, null, null, []));
            }
            else
            {
                var free = h.Holes.Aggregate(0UL, (s, x) => s + x.Size);
                w.WriteHeap(new HeapRecord(0, name, true, h.Bottom, h.Size, free, h.Size - free, h.Holes));
            }
        }
        Report();
    }
}
