using System.Buffers.Binary;
using Harness.Observe.Map;
using Harness.Trace;

namespace Harness.Observe;

/// <summary>
/// Processes, observed from outside: every system call, caught at the kernel's syscall dispatcher (the map's
/// <c>[syscall]</c>) with its number, five arguments and the current context's id, and completed at the
/// dispatcher's return address with its result. A context switch inside a call (a blocking read, waitpid,
/// yield) lets other contexts make calls meanwhile: a call in progress is known by its return address and the
/// RSP it returns with, which differ per kernel stack, so calls of different contexts never mix.
/// </summary>
internal sealed partial class ObserverSession
{
    /// <summary>A syscall caught at the dispatcher's entry, waiting for its return.</summary>
    private sealed record PendingSyscall(ulong? Context, ulong Number, ulong[] Args, string Caller);

    private readonly Dictionary<(ulong Return, ulong Rsp), PendingSyscall> _syscalls = [];
    private long _syscallCount;

    /// <summary>Arms the dispatcher's entry (step 3 of a run), when the map watches syscalls.</summary>
    private async Task ArmSyscallsAsync(CancellationToken ct)
    {
        if (map.Syscall is { } sc)
            await InsertAsync(sc.Address, ct).ConfigureAwait(false);
    }

    /// <summary>Handles a stop at the dispatcher's entry or at the return address of a call in progress.</summary>
    private async Task HandleSyscallStopAsync(ulong rip, Registers regs, CancellationToken ct)
    {
        if (map.Syscall is not { } sc) return;
        var rsp = regs["rsp"];
        if (_syscalls.Remove((rip, rsp), out var done))
            WriteSyscall(done, regs[sc.Spec.ResultRegister]);
        if (rip == sc.Address)
        {
            var ret = BinaryPrimitives.ReadUInt64LittleEndian(await _gdb!.ReadMemoryAsync(rsp, 8, ct).ConfigureAwait(false));
            ulong? context = null;
            if (map.ContextIdAddress is { } at)
                context = BinaryPrimitives.ReadUInt64LittleEndian(await _gdb!.ReadMemoryAsync(at, 8, ct).ConfigureAwait(false));
            // A call of this kernel stack still pending never returned to its caller: a successful execve (the new
            // image starts in user space without returning). It is written now, with no result.
            if (_syscalls.Remove((ret, rsp + 8), out var unreturned))
                WriteSyscall(unreturned, null);
            _syscalls[(ret, rsp + 8)] = new PendingSyscall(context, regs[sc.Spec.NumberRegister],
                sc.Spec.ArgRegisters.Select(r => regs[r]).ToArray(), Caller(ret));
            // The dispatcher's return site stays armed (one call site; every syscall returns there).
            await InsertAsync(ret, ct).ConfigureAwait(false);
        }
    }

    /// <summary>At the end of a run: the calls that never returned (exit, or a run that ended first), result null.</summary>
    private void FlushPendingSyscalls()
    {
        foreach (var p in _syscalls.Values) WriteSyscall(p, null);
        _syscalls.Clear();
    }

    private void WriteSyscall(PendingSyscall p, ulong? result)
    {
        var w = _writer!;
        if (w.IsClosed || w.LastSeq == 0) return;
        var record = new SyscallRecord
        {
            Seq = 0, Context = p.Context, Number = p.Number, Name = SyscallNames.Name(p.Number), Args = p.Args, Result = result,
            Caller = p.Caller,
        };
        var seq = w.WriteSyscall(record);
        _syscallCount++;
        _lastEvent = $"#{seq} syscall {record.Name} of context {p.Context?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} = " +
                     (result is { } r ? $"0x{r:x}" : "(no return)");
        Report();
    }
}
