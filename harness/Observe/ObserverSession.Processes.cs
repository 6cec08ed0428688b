using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Harness.Observe.Map;
using Harness.Trace;

namespace Harness.Observe;

/// <summary>
/// Processes, observed from outside: every system call, caught at the kernel's syscall dispatcher (the map's
/// <c>[syscall]</c>) with its number, five arguments and the current context's id, and completed at the
/// dispatcher's return address with its result. A context switch inside a call (a blocking read, waitpid,
/// yield) lets other contexts make calls meanwhile: a call in progress is known by its return address and the
/// RSP it returns with, which differ per kernel stack, so calls of different contexts never mix.
/// With the map's <c>[processes]</c>: the contexts' lifecycle (clone, exec, exit, waitpid; signals at the kernel's
/// signal handler), the kernel stack's return addresses at each call, the current context of frame events after
/// <c>kmain</c>, and the current context's user address space at exec, exit, panic and the calls the map names —
/// all from the calls' registers and the memory they name, read through the stub.
/// </summary>
internal sealed partial class ObserverSession
{
    private const ulong AddressMask = 0x000F_FFFF_FFFF_F000;
    private const int MaxExecArgs = 64;
    private const int MaxUserString = 4096;

    /// <summary>A syscall caught at the dispatcher's entry, waiting for its return.</summary>
    private sealed record PendingSyscall(ulong? Context, ulong Number, ulong[] Args, string Caller, IReadOnlyList<string>? Stack)
    {
        /// <summary>exec: the path and arguments read at the call.</summary>
        public (string Path, IReadOnlyList<string> Args)? Exec { get; init; }
    }

    private readonly Dictionary<(ulong Return, ulong Rsp), PendingSyscall> _syscalls = [];
    private readonly Dictionary<ulong, bool> _isReturnAddress = [];
    private long _syscallCount;
    private long _processRecords;

    private ProcessesSpec? Processes => request.Map.Processes;

    /// <summary>Arms the dispatcher's entry and the signal handler (step 3 of a run), when the map watches syscalls.</summary>
    private async Task ArmSyscallsAsync(CancellationToken ct)
    {
        if (map.Syscall is { } sc)
            await InsertAsync(sc.Address, ct).ConfigureAwait(false);
        if (map.SignalHandler is { } sig)
            await InsertAsync(sig, ct).ConfigureAwait(false);
    }

    /// <summary>Handles a stop at the dispatcher's entry, at the return address of a call in progress, or at the signal handler.</summary>
    private async Task HandleSyscallStopAsync(ulong rip, Registers regs, CancellationToken ct)
    {
        if (map.Syscall is not { } sc) return;
        var rsp = regs["rsp"];
        if (_syscalls.Remove((rip, rsp), out var done))
            await ReturnedAsync(done, regs[sc.Spec.ResultRegister], ct).ConfigureAwait(false);
        if (rip == map.SignalHandler && Processes is { SignalRegister: { } sigReg })
            WriteProcess(new ProcessRecord { Seq = 0, Event = "signal", Context = await ContextIdAsync(ct).ConfigureAwait(false), Signal = regs[sigReg] });
        if (rip != sc.Address) return;

        // One read of the kernel stack gives the return address (its first word) and, when asked for, the call stack.
        var stackBytes = Processes?.StackBytes ?? 0;
        var top = await ReadStackAsync(rsp, Math.Max(8, stackBytes), ct).ConfigureAwait(false);
        var ret = BinaryPrimitives.ReadUInt64LittleEndian(top);
        var context = await ContextIdAsync(ct).ConfigureAwait(false);
        // A call of this kernel stack still pending never returned to its caller: a successful execve (the new
        // image starts in user space without returning). It is written now, with no result; this call is the new
        // image's first, so its address space is the one exec built.
        if (_syscalls.Remove((ret, rsp + 8), out var unreturned))
        {
            WriteSyscall(unreturned, null);
            if (unreturned.Exec is { } ex)
            {
                WriteProcess(new ProcessRecord { Seq = 0, Event = "exec", Context = unreturned.Context, Path = ex.Path, Args = ex.Args });
                if (Processes?.AddressSpace.Contains("exec") == true)
                    await AddressSpaceAsync(context, "exec", ct).ConfigureAwait(false);
            }
        }
        var number = regs[sc.Spec.NumberRegister];
        var args = sc.Spec.ArgRegisters.Select(r => regs[r]).ToArray();
        var name = SyscallNames.Name(number);
        var stack = stackBytes > 0 ? Stack(top) : null;
        var pending = new PendingSyscall(context, number, args, Caller(ret), stack);
        if (Processes is { Lifecycle: true } lc)
        {
            if (name == "execve")
                pending = pending with { Exec = await ExecArgumentsAsync(args, ct).ConfigureAwait(false) };
            if (name == "exit")
            {
                // exit((b & 0xFF) << 8): the status the kernel keeps and waitpid reports. The call never returns.
                WriteProcess(new ProcessRecord { Seq = 0, Event = "exit", Context = context, Status = (args[0] & 0xFF) << 8 });
                if (lc.AddressSpace.Contains("exit"))
                    await AddressSpaceAsync(context, "exit", ct).ConfigureAwait(false);
            }
        }
        if (Processes is { } ps && ps.AddressSpaceCalls.Contains(name))
            await AddressSpaceAsync(context, "call:" + name, ct).ConfigureAwait(false);
        _syscalls[(ret, rsp + 8)] = pending;
        // The dispatcher's return site stays armed (one call site; every syscall returns there).
        await InsertAsync(ret, ct).ConfigureAwait(false);
    }

    /// <summary>A call returned with <paramref name="result"/>: its syscall record, and its lifecycle record when it has one.</summary>
    private async Task ReturnedAsync(PendingSyscall call, ulong result, CancellationToken ct)
    {
        WriteSyscall(call, result);
        if (Processes is not { Lifecycle: true }) return;
        var error = result >= unchecked((ulong)-4095L);
        switch (SyscallNames.Name(call.Number))
        {
            case "clone":
                WriteProcess(new ProcessRecord { Seq = 0, Event = "clone", Context = call.Context, Child = error ? null : result, Flags = call.Args[0] });
                break;
            case "execve" when call.Exec is { } ex:
                WriteProcess(new ProcessRecord { Seq = 0, Event = "exec", Context = call.Context, Path = ex.Path, Args = ex.Args, Result = result });
                break;
            case "waitpid":
                ulong? status = null;
                if (!error && call.Args[1] != 0)
                    status = await ReadUserU64Async(call.Args[1], ct).ConfigureAwait(false);
                WriteProcess(new ProcessRecord { Seq = 0, Event = "waitpid", Context = call.Context, Pid = call.Args[0], Result = result, Status = status });
                break;
        }
    }

    /// <summary>The current context's id (the map's <c>context</c> static), or null when the map names none.</summary>
    private async Task<ulong?> ContextIdAsync(CancellationToken ct) =>
        _stopContextId is { } known ? known // read with this stop's registers (KernelObserver.ReadStopRegistersAsync)
        : map.ContextIdAddress is { } at
            ? BinaryPrimitives.ReadUInt64LittleEndian(await _gdb!.ReadMemoryAsync(at, 8, ct).ConfigureAwait(false))
            : null;

    /// <summary>The context of a frame event: after <c>kmain</c>, when the map asks for it; else null.</summary>
    private async Task<ulong?> EventContextAsync(CancellationToken ct) =>
        _reachedKmain && Processes is { FramesByContext: true } ? await ContextIdAsync(ct).ConfigureAwait(false) : null;

    /// <summary>exec(path, path_len, args, args_len): the path and the arguments (each a [ptr, len] pair) from user memory.</summary>
    private async Task<(string, IReadOnlyList<string>)?> ExecArgumentsAsync(ulong[] args, CancellationToken ct)
    {
        try
        {
            var path = await ReadUserStringAsync(args[0], args[1], ct).ConfigureAwait(false);
            var list = new List<string>();
            var count = (int)Math.Min(args[3], MaxExecArgs);
            if (count > 0)
            {
                var pairs = await _gdb!.ReadMemoryAsync(args[2], count * 16, ct).ConfigureAwait(false);
                for (var i = 0; i < count; i++)
                    list.Add(await ReadUserStringAsync(BinaryPrimitives.ReadUInt64LittleEndian(pairs.AsSpan(i * 16)),
                        BinaryPrimitives.ReadUInt64LittleEndian(pairs.AsSpan(i * 16 + 8)), ct).ConfigureAwait(false));
            }
            return (path, list);
        }
        catch (Harness.Gdb.GdbErrorReplyException)
        {
            return null; // an argument the kernel will refuse (EFAULT): the syscall record has the result
        }
    }

    private async Task<string> ReadUserStringAsync(ulong address, ulong length, CancellationToken ct)
    {
        if (length == 0) return "";
        var bytes = await _gdb!.ReadMemoryAsync(address, (int)Math.Min(length, MaxUserString), ct).ConfigureAwait(false);
        return Encoding.Latin1.GetString(bytes);
    }

    private async Task<ulong?> ReadUserU64Async(ulong address, CancellationToken ct)
    {
        try
        {
            return BinaryPrimitives.ReadUInt64LittleEndian(await _gdb!.ReadMemoryAsync(address, 8, ct).ConfigureAwait(false));
        }
        catch (Harness.Gdb.GdbErrorReplyException)
        {
            return null;
        }
    }

    /// <summary>Reads <paramref name="bytes"/> of the kernel stack from RSP, or what is left of its page when the stack ends before.</summary>
    private async Task<byte[]> ReadStackAsync(ulong rsp, int bytes, CancellationToken ct)
    {
        try
        {
            return await _gdb!.ReadMemoryAsync(rsp, bytes, ct).ConfigureAwait(false);
        }
        catch (Harness.Gdb.GdbErrorReplyException) when (bytes > 8)
        {
            var left = (int)(0x1000 - (rsp & 0xFFF));
            return await _gdb!.ReadMemoryAsync(rsp, Math.Max(8, Math.Min(left, bytes)), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The kernel-side call stack at the dispatcher's entry: the 8-byte words of the kernel stack from RSP that are
    /// return addresses in this ELF (the instruction before them is a call, decoded with Iced), innermost first.
    /// </summary>
    private List<string> Stack(byte[] data)
    {
        var stack = new List<string>();
        for (var i = 0; i + 8 <= data.Length; i += 8)
        {
            var word = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(i));
            if (IsReturnAddress(word)) stack.Add(Caller(word));
        }
        return stack;
    }

    private bool IsReturnAddress(ulong address)
    {
        if (_isReturnAddress.TryGetValue(address, out var known)) return known;
        var result = false;
        if (elf.SectionAt(address) is { } section && section.Flags.HasFlag(Harness.Elf.ElfSectionFlags.Execute) && address >= section.Address + 7)
        {
            var code = elf.ReadVirtual(address - 7, 7);
            // A call ends here: call rel32 (5 bytes) or call r/m64 (2–7 bytes).
            for (var length = 2; length <= 7 && !result; length++)
            {
                var decoder = Iced.Intel.Decoder.Create(64, new Iced.Intel.ByteArrayCodeReader(code, 7 - length, length));
                decoder.IP = address - (ulong)length;
                var i = decoder.Decode();
                result = !i.IsInvalid && i.Length == length && i.Mnemonic == Iced.Intel.Mnemonic.Call;
            }
        }
        _isReturnAddress[address] = result;
        return result;
    }

    /// <summary>
    /// Records the current context's user address space: CR3 from the monitor, the lower half of its page tables
    /// (PML4 entries 0–255) walked in physical memory, and for every present user leaf (U at every level) the SHA-256
    /// of its frame.
    /// </summary>
    private async Task AddressSpaceAsync(ulong? context, string at, CancellationToken ct)
    {
        var (_, dump) = await _state!.RegistersAsync(ct).ConfigureAwait(false);
        var cr3 = dump.Cr3.Value & AddressMask;
        List<UserPage> pages;
        await _gdb!.SetPhysicalMemoryModeAsync(true, ct).ConfigureAwait(false);
        try
        {
            pages = await UserWalkAsync(cr3, ct).ConfigureAwait(false);
        }
        finally
        {
            await _gdb.SetPhysicalMemoryModeAsync(false, ct).ConfigureAwait(false);
        }
        var w = _writer!;
        w.WriteAddressSpace(new AddressSpaceRecord { Seq = 0, Context = context, At = at, Cr3 = cr3, Pages = pages });
        _processRecords++;
        await ContextsAsync(context, at, (cr3, pages), ct).ConfigureAwait(false);
    }

    /// <summary>Tables or frames read in one write to the stub by the walk (64 pages: 192 <c>m</c> packets, ~0.5 MB of replies).</summary>
    private const int WalkBatch = 64;

    /// <summary>
    /// The user pages under the PML4 at <paramref name="pml4"/> (physical memory mode), by virtual address: a walk one
    /// level at a time, each level's tables read together, then each level's 4 KiB leaves, in batches of
    /// <see cref="WalkBatch"/> (a round trip each, where a table or a frame at a time cost one per 2 KiB).
    /// </summary>
    private async Task<List<UserPage>> UserWalkAsync(ulong pml4, CancellationToken ct)
    {
        var pages = new List<UserPage>();
        var tables = new List<(ulong Table, ulong Va)> { (pml4, 0) };
        for (var level = 4; level >= 1 && tables.Count > 0; level--)
        {
            var shift = 12 + 9 * (level - 1);
            var next = new List<(ulong Table, ulong Va)>();
            var leaves = new List<(ulong Va, ulong Entry)>();
            foreach (var batch in tables.Chunk(WalkBatch))
            {
                var contents = await _gdb!.ReadMemoryManyAsync(batch.Select(t => (t.Table, 4096)).ToList(), ct).ConfigureAwait(false);
                for (var t = 0; t < batch.Length; t++)
                {
                    for (var i = 0; i < (level == 4 ? 256 : 512); i++)
                    {
                        var e = BinaryPrimitives.ReadUInt64LittleEndian(contents[t].AsSpan(i * 8));
                        // Present and user-accessible (U, bit 2, at every level): the lower half also holds kernel
                        // mappings (the kernel's own table maps the BIOS area 0xE0000–0xFFFFF for ACPI, whose contents
                        // change from boot to boot).
                        if ((e & 1) == 0 || (e & 4) == 0) continue;
                        var childVa = batch[t].Va | ((ulong)i << shift);
                        if (level == 1)
                            leaves.Add((childVa, e)); // a 4 KiB leaf: its frame's contents
                        else if (level is 3 or 2 && (e & 0x80) != 0)
                            pages.Add(new UserPage(childVa, e, "large")); // a large leaf is listed without them
                        else
                            next.Add((e & AddressMask, childVa));
                    }
                }
            }
            foreach (var batch in leaves.Chunk(WalkBatch))
            {
                var frames = await _gdb!.ReadMemoryManyAsync(batch.Select(l => (l.Entry & AddressMask, 4096)).ToList(), ct).ConfigureAwait(false);
                for (var f = 0; f < batch.Length; f++)
                    pages.Add(new UserPage(batch[f].Va, batch[f].Entry, Convert.ToHexStringLower(SHA256.HashData(frames[f]))[..16]));
            }
            tables = next;
        }
        // By virtual address, as a depth-first walk in index order lists them.
        pages.Sort((a, b) => a.Va.CompareTo(b.Va));
        return pages;
    }

    /// <summary>At the end of a run: the calls that never returned (exit, or a run that ended first), result null.</summary>
    private void FlushPendingSyscalls()
    {
        foreach (var p in _syscalls.Values)
        {
            WriteSyscall(p, null);
            if (p.Exec is { } ex)
                WriteProcess(new ProcessRecord { Seq = 0, Event = "exec", Context = p.Context, Path = ex.Path, Args = ex.Args });
        }
        _syscalls.Clear();
    }

    private void WriteProcess(ProcessRecord p)
    {
        var w = _writer!;
        if (w.IsClosed || w.LastSeq == 0) return;
        var seq = w.WriteProcess(p);
        _processRecords++;
        _lastEvent = $"#{seq} process {p.Event} of context {p.Context?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}";
    }

    private void WriteSyscall(PendingSyscall p, ulong? result)
    {
        var w = _writer!;
        if (w.IsClosed || w.LastSeq == 0) return;
        var record = new SyscallRecord
        {
            Seq = 0, Context = p.Context, Number = p.Number, Name = SyscallNames.Name(p.Number), Args = p.Args, Result = result,
            Caller = p.Caller, Stack = p.Stack,
        };
        var seq = w.WriteSyscall(record);
        _syscallCount++;
        _lastEvent = $"#{seq} syscall {record.Name} of context {p.Context?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} = " +
                     (result is { } r ? $"0x{r:x}" : "(no return)");
        Report();
    }
}
