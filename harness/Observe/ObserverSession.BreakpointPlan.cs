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

/// <summary>The breakpoint plan: where the observer stops (checkpoints, panic, allocator and heap entry points, the allocator's return sites) and the breakpoints it has inserted.</summary>
internal sealed partial class ObserverSession
{
    private readonly HashSet<ulong> _inserted = [];
    private readonly Dictionary<ulong, List<ResolvedCheckpoint>> _checkpointAt = [];
    private readonly HashSet<ulong> _panicAt = [];
    private readonly Dictionary<ulong, ResolvedEntry<FrameAllocSpec>> _allocAt = [];

    // One stop per allocation (FrameAllocSpec.CountAtCallSites): the allocation entry point that is
    // not armed, each return site's count when the call site loads an immediate, the call
    // instructions whose count is read when they are reached, and those counts until their return.
    private ResolvedEntry<FrameAllocSpec>? _allocByReturn;
    private readonly Dictionary<ulong, ulong> _staticCount = [];
    private readonly Dictionary<ulong, ulong> _callSiteReturn = [];
    private readonly Dictionary<(ulong Return, ulong Rsp), ulong> _dynamicCount = [];
    private readonly Dictionary<ulong, ResolvedEntry<FrameFreeSpec>> _freeAt = [];
    private readonly Dictionary<ulong, ResolvedEntry<HeapExtendSpec>> _extendAt = [];
    private readonly Dictionary<ulong, ResolvedEntry<HeapMapSpec>> _mapAt = [];

    private readonly HashSet<ulong> _patAt = [];

    /// <summary>Places the software breakpoints, now that the kernel is in memory (step 3 of a run).</summary>
    private async Task ArmBreakpointsAsync(CancellationToken ct)
    {
        foreach (var cp in map.Checkpoints) Add(_checkpointAt, cp.Address, cp);
        foreach (var p in map.Panic) _panicAt.Add(p.Address);
        foreach (var a in map.FrameAlloc) _allocAt.TryAdd(a.Address, a);
        foreach (var f in map.FrameFree) _freeAt.TryAdd(f.Address, f);
        foreach (var x in map.HeapExtend) _extendAt.TryAdd(x.Address, x);
        foreach (var m in map.HeapMap) _mapAt.TryAdd(m.Address, m);
        _patAt.UnionWith(map.PatWrites);
        if (map.PowerOff is { } powerOff) await InsertAsync(powerOff, ct).ConfigureAwait(false);
        var calls = DirectCalls();
        if (map.FrameAlloc.Count == 1 && map.FrameAlloc[0].Spec.CountAtCallSites && calls.Count > 0 && _freeAt.Count <= 1)
        {
            // One stop per allocation: the entry point is not armed; its counts come from the call sites
            // (with one allocation entry point and at most one free one, every direct call found is to it).
            _allocByReturn = map.FrameAlloc[0];
            _allocAt.Clear();
            foreach (var call in calls)
            {
                if (StaticCount(call, _allocByReturn.Spec.CountRegister) is { } c) _staticCount[call.Call.NextIP] = c;
                else _callSiteReturn[call.Call.IP] = call.Call.NextIP;
            }
        }
        foreach (var address in _checkpointAt.Keys.Concat(_panicAt).Concat(_allocAt.Keys).Concat(_freeAt.Keys).Concat(_extendAt.Keys).Concat(_mapAt.Keys).Concat(_patAt).Concat(_callSiteReturn.Keys))
            await InsertAsync(address, ct).ConfigureAwait(false);
        // The return sites of direct calls to the allocator's entry points stay armed for the whole run, so that
        // catching a result does not insert and remove a breakpoint per call (each change flushes QEMU's code cache).
        foreach (var address in calls.Select(c => c.Call.NextIP))
            await InsertAsync(address, ct).ConfigureAwait(false);
        await ArmSyscallsAsync(ct).ConfigureAwait(false);
    }

    /// <summary>One direct call to an allocation (or free) entry point: the function's code and the call's index in it.</summary>
    private readonly record struct DirectCall(IReadOnlyList<Harness.Elf.Disassembly.DisassembledInstruction> Code, int Index)
    {
        public Iced.Intel.Instruction Call => Code[Index].Instruction;
    }

    /// <summary>
    /// Every direct call to an allocation entry point (and to a free entry point when there are several),
    /// outside the entry points themselves (calls between them are always nested), found by disassembling
    /// every function of the ELF once. Empty when there are more than 4096 (then return addresses get
    /// temporary breakpoints).
    /// </summary>
    private List<DirectCall> DirectCalls()
    {
        var targets = new HashSet<ulong>(_allocAt.Keys);
        if (_freeAt.Count > 1) targets.UnionWith(_freeAt.Keys);
        var calls = new List<DirectCall>();
        foreach (var function in elf.Symbols.Where(s => s.Type == SymbolType.Func && s.Size > 0 && !targets.Contains(s.Value))
                     .GroupBy(s => s.Value).Select(g => g.First()))
        {
            IReadOnlyList<Harness.Elf.Disassembly.DisassembledInstruction> code;
            try
            {
                code = elf.DisassembleSymbol(function.Name);
            }
            catch (ElfException)
            {
                continue;
            }
            for (var k = 0; k < code.Count; k++)
            {
                var i = code[k].Instruction;
                if (i.Mnemonic == Iced.Intel.Mnemonic.Call && i.IsCallNear && targets.Contains(i.NearBranchTarget))
                    calls.Add(new DirectCall(code, k));
            }
            if (calls.Count > 4096) return [];
        }
        return calls;
    }

    /// <summary>
    /// The count a call passes in <paramref name="countRegister"/> when the instruction just before the call
    /// loads an immediate into it and no branch lands on the call itself (which would skip that load); else null.
    /// </summary>
    private static ulong? StaticCount(DirectCall call, string countRegister)
    {
        if (call.Index == 0)
            return null;
        var callIp = call.Call.IP;
        if (call.Code.Any(c => c.Instruction.FlowControl is Iced.Intel.FlowControl.ConditionalBranch or Iced.Intel.FlowControl.UnconditionalBranch
                               && c.Instruction.NearBranchTarget == callIp))
            return null;
        var before = call.Code[call.Index - 1].Instruction;
        return before.Mnemonic == Iced.Intel.Mnemonic.Mov
               && before.Op0Kind == Iced.Intel.OpKind.Register
               && string.Equals(Iced.Intel.RegisterExtensions.GetFullRegister(before.Op0Register).ToString(), countRegister, StringComparison.OrdinalIgnoreCase)
               && before.Op1Kind is Iced.Intel.OpKind.Immediate32 or Iced.Intel.OpKind.Immediate32to64 or Iced.Intel.OpKind.Immediate64
            ? before.GetImmediate(1)
            : null;
    }

    private async Task InsertAsync(ulong address, CancellationToken ct)
    {
        if (_inserted.Add(address))
            await _gdb!.InsertBreakpointAsync(BreakpointKind.Software, address, ct).ConfigureAwait(false);
    }

    private async Task RemoveAsync(ulong address, CancellationToken ct)
    {
        if (_inserted.Remove(address))
            await _gdb!.RemoveBreakpointAsync(BreakpointKind.Software, address, ct).ConfigureAwait(false);
    }

    private static void Add<TK, TV>(Dictionary<TK, List<TV>> d, TK key, TV value) where TK : notnull
    {
        if (!d.TryGetValue(key, out var list)) d[key] = list = [];
        list.Add(value);
    }
}
