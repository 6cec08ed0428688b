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

/// <summary>The breakpoint plan: where the observer stops (checkpoints, panic, allocator and heap entry points, the return of an allocator call in flight) and the breakpoints it has inserted.</summary>
internal sealed partial class ObserverSession
{
    private readonly HashSet<ulong> _inserted = [];
    private readonly Dictionary<ulong, List<ResolvedCheckpoint>> _checkpointAt = [];
    private readonly HashSet<ulong> _panicAt = [];
    private readonly Dictionary<ulong, ResolvedEntry<FrameAllocSpec>> _allocAt = [];

    private readonly Dictionary<ulong, ResolvedEntry<FrameFreeSpec>> _freeAt = [];
    private readonly Dictionary<ulong, ResolvedEntry<HeapExtendSpec>> _extendAt = [];
    private readonly Dictionary<ulong, ResolvedEntry<HeapMapSpec>> _mapAt = [];

    private readonly HashSet<ulong> _patAt = [];

    /// <summary>The allocator's entry points (allocation and free) that are nothing else: taken out while a call is in flight.</summary>
    private readonly List<ulong> _allocatorEntries = [];

    /// <summary>
    /// Places the software breakpoints, now that the kernel is in memory (step 3 of a run). QEMU translates a page that
    /// holds a breakpoint one instruction per block (each looked up, with every breakpoint compared, as it runs), and
    /// its gdb stub throws away all translated code at every stop anyway: so as few breakpoints as possible are armed at
    /// any time, and inserting or removing one while the guest is stopped costs only its packet. The allocator's return
    /// sites are not armed for the whole run: each call's return gets a breakpoint while that call is in flight.
    /// </summary>
    private async Task ArmBreakpointsAsync(CancellationToken ct)
    {
        foreach (var cp in map.Checkpoints) Add(_checkpointAt, cp.Address, cp);
        foreach (var p in map.Panic) _panicAt.Add(p.Address);
        foreach (var a in map.FrameAlloc) _allocAt.TryAdd(a.Address, a);
        foreach (var f in map.FrameFree) _freeAt.TryAdd(f.Address, f);
        foreach (var x in map.HeapExtend) _extendAt.TryAdd(x.Address, x);
        foreach (var m in map.HeapMap) _mapAt.TryAdd(m.Address, m);
        _patAt.UnionWith(map.PatWrites);
        var other = new HashSet<ulong>(_checkpointAt.Keys.Concat(_panicAt).Concat(_extendAt.Keys).Concat(_mapAt.Keys).Concat(_patAt));
        if (map.PowerOff is { } powerOff)
        {
            await InsertAsync(powerOff, ct).ConfigureAwait(false);
            other.Add(powerOff);
        }
        if (map.Syscall is { } sc) other.Add(sc.Address);
        if (map.SignalHandler is { } sig) other.Add(sig);
        _allocatorEntries.AddRange(_allocAt.Keys.Concat(_freeAt.Keys).Distinct().Where(a => !other.Contains(a)));
        foreach (var address in _checkpointAt.Keys.Concat(_panicAt).Concat(_allocAt.Keys).Concat(_freeAt.Keys).Concat(_extendAt.Keys).Concat(_mapAt.Keys).Concat(_patAt))
            await InsertAsync(address, ct).ConfigureAwait(false);
        await ArmSyscallsAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// An outermost allocator call is in flight (caught at an entry point): its return address gets a breakpoint, and the
    /// allocator's entry points are taken out until it returns (a hit there would be a nested call, ignored); the changes go
    /// out with the next resume.
    /// </summary>
    private void EnterAllocatorCall(ulong returnAddress)
    {
        var changes = new List<(bool, BreakpointKind, ulong)>();
        foreach (var entry in _allocatorEntries)
            if (entry != returnAddress && _inserted.Remove(entry)) changes.Add((false, BreakpointKind.Software, entry));
        if (_inserted.Add(returnAddress)) changes.Add((true, BreakpointKind.Software, returnAddress));
        _deferred.AddRange(changes);
    }

    /// <summary>The call in flight returned: its temporary return breakpoint goes, the allocator's entry points come back (with the next resume).</summary>
    private void LeaveAllocatorCall(ulong returnAddress, bool temporary)
    {
        var changes = new List<(bool, BreakpointKind, ulong)>();
        if (temporary && _inserted.Remove(returnAddress)) changes.Add((false, BreakpointKind.Software, returnAddress));
        foreach (var entry in _allocatorEntries)
            if (_inserted.Add(entry)) changes.Add((true, BreakpointKind.Software, entry));
        _deferred.AddRange(changes);
    }

    /// <summary>
    /// Breakpoint changes planned while the guest is stopped (<see cref="_inserted"/> already shows them): they go out with
    /// the next resume, in its write (no round trip of their own), or before any other breakpoint command.
    /// </summary>
    private readonly List<(bool Insert, BreakpointKind Kind, ulong Address)> _deferred = [];

    /// <summary>The planned changes, taken for a resume that carries them.</summary>
    private List<(bool Insert, BreakpointKind Kind, ulong Address)> TakeDeferredChanges()
    {
        var changes = _deferred.ToList();
        _deferred.Clear();
        return changes;
    }

    /// <summary>Sends the planned changes now (before another breakpoint command, or a resume that cannot carry them).</summary>
    private async Task FlushDeferredChangesAsync(CancellationToken ct)
    {
        if (_deferred.Count > 0)
            await _gdb!.ChangeBreakpointsAsync(TakeDeferredChanges(), ct).ConfigureAwait(false);
    }

    private async Task InsertAsync(ulong address, CancellationToken ct)
    {
        await FlushDeferredChangesAsync(ct).ConfigureAwait(false);
        if (_inserted.Add(address))
            await _gdb!.InsertBreakpointAsync(BreakpointKind.Software, address, ct).ConfigureAwait(false);
    }

    private async Task RemoveAsync(ulong address, CancellationToken ct)
    {
        await FlushDeferredChangesAsync(ct).ConfigureAwait(false);
        if (_inserted.Remove(address))
            await _gdb!.RemoveBreakpointAsync(BreakpointKind.Software, address, ct).ConfigureAwait(false);
    }

    private static void Add<TK, TV>(Dictionary<TK, List<TV>> d, TK key, TV value) where TK : notnull
    {
        if (!d.TryGetValue(key, out var list)) d[key] = list = [];
        list.Add(value);
    }
}
