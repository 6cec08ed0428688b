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

/// <summary>Event streaming: what each stop means (frame allocations and frees, heap, PAT), the header, the observation points, the serial log, progress.</summary>
internal sealed partial class ObserverSession
{
    /// <summary>Handles one breakpoint stop; true when it was the panic handler.</summary>
    private async Task<bool> HandleStopAsync(ulong rip, Registers regs, CancellationToken ct)
    {
        await HandleSyscallStopAsync(rip, regs, ct).ConfigureAwait(false);
        var rsp = regs["rsp"];
        // A return address of the outermost allocator call in progress (the same address deeper in a recursion has a lower RSP).
        if (_pending is { } p && rip == p.ReturnAddress && rsp == p.ReturnRsp)
        {
            _pending = null;
            LeaveAllocatorCall(rip, p.TemporaryBreakpoint);
            if (p.Alloc is { } a)
            {
                var some = (regs[a.Spec.ResultTagRegister] & 0xFF) != 0;
                ulong? frame = some ? regs[a.Spec.ResultFrameRegister] * 4096 : null;
                WriteEvent(new FrameAllocEvent { Seq = 0, Phase = _phase, Count = p.Count, Frame = frame, Caller = p.Caller, Via = a.Spec.Via,
                        Context = await EventContextAsync(ct).ConfigureAwait(false) },
                    $"frame_alloc count {p.Count} -> {(frame is { } f ? $"0x{f:x}" : "None")} from {p.Caller}");
            }
        }
        if (_patAt.Contains(rip) && (regs["rcx"] & 0xFFFF_FFFF) == 0x277)
        {
            // wrmsr IA32_PAT: the value written is EDX:EAX.
            _pat = (regs["rdx"] & 0xFFFF_FFFF) << 32 | (regs["rax"] & 0xFFFF_FFFF);
        }
        if (_checkpointAt.TryGetValue(rip, out var cps))
        {
            foreach (var cp in cps.Where(c => !_checkpoints.Contains(c.Name)))
            {
                await CheckpointAsync(cp.Name, ct).ConfigureAwait(false);
                _phase = ObservationMap.PhaseAfter(cp.Name);
                if (cp.Name == "kmain") _reachedKmain = true;
                Report();
            }
        }
        if (_panicAt.Contains(rip) && !_panicSeen)
        {
            _panicSeen = true;
            await CheckpointAsync("panic", ct).ConfigureAwait(false);
            if (_reachedKmain && Processes?.AddressSpace.Contains("panic") == true)
                await AddressSpaceAsync(await ContextIdAsync(ct).ConfigureAwait(false), "panic", ct).ConfigureAwait(false);
            return true;
        }
        if (_allocAt.TryGetValue(rip, out var alloc) && _pending is null)
        {
            var ret = await ReturnAddressAsync(rsp, ct).ConfigureAwait(false);
            var temporary = !_inserted.Contains(ret);
            _pending = new PendingCall(ret, rsp + 8, temporary, Caller(ret), regs[alloc.Spec.CountRegister], alloc);
            EnterAllocatorCall(ret);
        }
        if (_freeAt.TryGetValue(rip, out var free) && _pending is null)
        {
            var ret = await ReturnAddressAsync(rsp, ct).ConfigureAwait(false);
            var caller = Caller(ret);
            var frame = regs[free.Spec.FrameRegister] * 4096;
            var count = regs[free.Spec.CountRegister];
            var unseen = elf.Resolve(ret) is { } from && free.Spec.UnseenCallers.Contains(from.Symbol.Name);
            if (!unseen)
                WriteEvent(new FrameFreeEvent { Seq = 0, Phase = _phase, Frame = frame, Count = count, Caller = caller,
                        Context = await EventContextAsync(ct).ConfigureAwait(false) },
                    $"frame_free 0x{frame:x} count {count} from {caller}");
            // Followed to its return like an allocation: inner entry points of this free must not count again, and the
            // allocator's entry points (which share pages with the free's own code, the recycle list's merge) are out
            // while it runs, so QEMU runs that code in blocks instead of one instruction at a time.
            _pending = new PendingCall(ret, rsp + 8, !_inserted.Contains(ret), caller, count, null);
            EnterAllocatorCall(ret);
        }
        if (_extendAt.TryGetValue(rip, out var extend))
        {
            var ret = await ReturnAddressAsync(rsp, ct).ConfigureAwait(false);
            var by = regs[extend.Spec.ByRegister];
            WriteEvent(new HeapExtendEvent { Seq = 0, Phase = _phase, By = by, Caller = Caller(ret) }, $"heap_extend by {by} from {Caller(ret)}");
        }
        if (_mapAt.TryGetValue(rip, out var mapHeap))
        {
            var ret = await ReturnAddressAsync(rsp, ct).ConfigureAwait(false);
            var offset = regs[mapHeap.Spec.OffsetRegister];
            var size = regs[mapHeap.Spec.SizeRegister];
            WriteEvent(new HeapMapEvent { Seq = 0, Phase = _phase, Offset = offset, Size = size, Caller = Caller(ret) },
                $"heap_map 0x{offset:x} size 0x{size:x} from {Caller(ret)}");
        }
        return false;
    }

    private void WriteEvent(TraceEvent e, string description)
    {
        var seq = _writer!.WriteEvent(e);
        _events++;
        _lastEvent = $"#{seq} {description} (phase {_phase})";
        Report();
    }

    private string Caller(ulong returnAddress) =>
        elf.Resolve(returnAddress) is { } r
            ? $"{ResolvedObservationMap.Display(r.Symbol)} + {r.Offset.ToString(CultureInfo.InvariantCulture)}"
            : $"0x{returnAddress:x}";

    private void WriteHeader(ulong argsPtr, KernelArgs args)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(request.KernelPath)));
        var sections = new Dictionary<string, ulong>();
        foreach (var name in new[] { "__text_start", "__text_end", "__rodata_start", "__rodata_end", "__data_start", "__data_end",
                     "__bss_start", "__bss_end", "__tdata_start", "__tdata_end", "__tbss_start", "__tbss_end", "__end" })
        {
            if (elf.Symbols.FirstOrDefault(s => s.Name == name) is { } s) sections[name] = s.Value;
        }
        string? qemuVersion = null;
        try { qemuVersion = QemuRunner.Version(request.Qemu.Executable).Text; }
        catch (Exception e) when (e is QemuMissingException or InvalidOperationException) { }
        var kernelPath = request.KernelDisplayPath ?? request.KernelPath;
        _writer!.WriteHeader(new TraceHeader
        {
            Format = TraceFormat.Current,
            Scenario = request.Scenario,
            Kernel = new KernelInfo
            {
                Which = request.Map.Kernel,
                Path = kernelPath,
                Sha256 = sha,
                Sections = new KernelSections(sections),
                Statics = map.Statics.ToDictionary(s => s.Name, s => new KernelStatic(s.Address, s.Size, s.Symbol)),
                Handlers = map.Handlers,
            },
            KernelSlot = request.KernelSlot,
            ArgsPtr = argsPtr,
            Args = args,
            QemuVersion = qemuVersion,
            QemuArgs = request.QemuArgs ?? ["-machine", request.Qemu.Machine, "-m", request.Qemu.MemoryMiB.ToString(CultureInfo.InvariantCulture),
                "-smp", request.Qemu.Cpus.ToString(CultureInfo.InvariantCulture), "-vga", request.Qemu.Vga],
            HarnessVersion = HarnessVersion,
            ObservationMap = new FileIdentity(request.MapDisplayPath ?? request.Map.Path, request.Map.Sha256),
        });
    }

    private void WriteObservationPoints()
    {
        var cps = new JsonArray(map.Checkpoints.Select(c => (JsonNode?)new JsonObject
        {
            ["name"] = c.Name, ["address"] = Hex.Format(c.Address), ["at"] = c.Description,
        }).ToArray());
        JsonArray Entries<T>(IEnumerable<ResolvedEntry<T>> list) =>
            new(list.Select(e => (JsonNode?)new JsonObject { ["symbol"] = e.Symbol, ["address"] = Hex.Format(e.Address) }).ToArray());
        _writer!.WriteObservationPoints(new JsonObject
        {
            ["checkpoints"] = cps,
            ["allocate_frames"] = Entries(map.FrameAlloc),
            ["deallocate_frames"] = Entries(map.FrameFree),
            ["heap_extend"] = Entries(map.HeapExtend),
            ["map_heap"] = Entries(map.HeapMap),
            ["panic"] = Entries(map.Panic),
            ["pat_wrmsr"] = new JsonArray(map.PatWrites.Select(a => (JsonNode?)Hex.Format(a)).ToArray()),
            ["frame_allocator"] = map.FrameAllocatorBase is { } fa ? Hex.Format(fa) : null,
            ["heap"] = map.HeapBase is { } hb ? Hex.Format(hb) : null,
            ["missing"] = new JsonArray(map.NotPresent.Select(m => (JsonNode?)m).ToArray()),
        });
    }

    /// <summary>
    /// Streams the serial lines read so far. At the end (<paramref name="exact"/> = QEMU's byte-exact transcript),
    /// writes whatever the lines did not carry (a last line without newline), or notes a mismatch.
    /// </summary>
    private void FlushSerial(ReadOnlyMemory<byte>? exact)
    {
        var w = _writer!;
        if (w.IsClosed || w.LastSeq == 0) return;
        var chunk = new List<byte>();
        if (exact is null)
        {
            if (_serialLines.IsEmpty) return; // the common case: no line since the last stop
            while (_serialLines.TryDequeue(out var line))
                chunk.AddRange(Encoding.UTF8.GetBytes(line + "\n"));
            _serialStreamed.AddRange(chunk);
            w.WriteSerial(chunk.ToArray());
            return;
        }
        _serialLines.Clear();
        var all = exact.Value.Span;
        var streamed = _serialStreamed.ToArray();
        if (all.StartsWith(streamed))
        {
            w.WriteSerial(all[streamed.Length..]);
            _serialStreamed.AddRange(all[streamed.Length..].ToArray());
        }
        else
        {
            w.WriteObservationPoints(new JsonObject
            {
                ["serial_mismatch"] = $"the serial lines streamed during the run ({streamed.Length} bytes) are not a prefix of QEMU's transcript ({all.Length} bytes)",
            });
        }
    }

    private void Report() =>
        request.Progress?.Invoke(new ObserveProgress(_events, _stops, _checkpoints.Count > 0 ? _checkpoints[^1] : null, _phase, _clock.Elapsed));
}
