using System.Buffers.Binary;
using Harness.Gdb;
using Harness.Trace;

namespace Harness.Observe;

/// <summary>
/// A scenario's expected hang (<c>[expect] end = "hang"</c>, <see cref="ObserveRequest.ExpectHangAfter"/>): while the
/// kernel runs, a continue that brings no breakpoint stop and no serial line for the quiet window ends the boot. The
/// guest is interrupted (gdb's 0x03), the <c>hang</c> checkpoint is recorded with every state a checkpoint has (and the
/// current context's user address space after <c>kmain</c>), then a <c>hang</c> record: RIP symbolised, the kernel stack's
/// return addresses (as <c>syscall.stack</c>) and the roles the map's <c>[roles]</c> give them.
/// </summary>
internal sealed partial class ObserverSession
{
    /// <summary>Bytes of the kernel stack from RSP scanned for return addresses at a hang.</summary>
    private const int HangStackBytes = 2048;

    /// <summary>True once the kernel runs under the observer's breakpoints (the quiet window counts from then on).</summary>
    private bool _hangWatch;

    /// <summary>The hang that ended the boot, once recorded.</summary>
    private HangRecord? _hang;

    /// <summary>
    /// Continues the guest as <see cref="ResumeAsync"/> does, but ends the run as <see cref="EndHow.Hang"/> (after recording
    /// it) when the guest runs <paramref name="quiet"/> without a stop or a serial line. Null for a stop.
    /// </summary>
    private async Task<string?> ContinueWatchingForHangAsync(TimeSpan deadline, TimeSpan quiet, CancellationToken ct)
    {
        var gdb = _gdb!;
        var quietSince = _clock.Elapsed;
        var serialSeen = _serialLines.Count + _serialStreamed.Count;
        var running = false;
        while (true)
        {
            var remaining = deadline - _clock.Elapsed;
            if (remaining <= TimeSpan.Zero) return EndHow.Timeout;
            var window = quiet - (_clock.Elapsed - quietSince);
            if (window < TimeSpan.FromMilliseconds(1)) window = TimeSpan.FromMilliseconds(1);
            try
            {
                var wait = window < remaining ? window : remaining;
                var stop = running
                    ? await gdb.WaitForStopAsync(wait, ct).ConfigureAwait(false)
                    : await gdb.ContinueAsync(wait, ct).ConfigureAwait(false);
                return stop.HasExited ? "exited" : null;
            }
            catch (GdbConnectionLostException)
            {
                return EndHow.ConnectionLost;
            }
            catch (GdbTimeoutException)
            {
                running = true;
            }
            var serial = _serialLines.Count + _serialStreamed.Count;
            if (serial != serialSeen)
            {
                // The kernel wrote to COM1 meanwhile: it is not idle; the window starts again.
                serialSeen = serial;
                quietSince = _clock.Elapsed;
                continue;
            }
            if (_clock.Elapsed - quietSince < quiet || _clock.Elapsed >= deadline)
                continue;
            try
            {
                var stop = await gdb.InterruptAsync(ct).ConfigureAwait(false);
                if (stop.HasExited) return "exited";
            }
            catch (GdbConnectionLostException)
            {
                return EndHow.ConnectionLost;
            }
            // A breakpoint reached just as the window closed: a stop like any other, not a hang.
            if (_inserted.Contains((await ReadRegistersAsync(ct).ConfigureAwait(false))["rip"]))
                return null;
            await RecordHangAsync(ct).ConfigureAwait(false);
            return EndHow.Hang;
        }
    }

    /// <summary>Records the <c>hang</c> checkpoint and the <c>hang</c> record at the interrupted guest.</summary>
    private async Task RecordHangAsync(CancellationToken ct)
    {
        var regs = await ReadRegistersAsync(ct).ConfigureAwait(false);
        var rip = regs["rip"];
        var rsp = regs["rsp"];
        await CheckpointAsync(HangRecord.CheckpointName, ct).ConfigureAwait(false);
        if (_reachedKmain && Processes is { AddressSpace.Count: > 0 })
            await AddressSpaceAsync(await ContextIdAsync(ct).ConfigureAwait(false), HangRecord.CheckpointName, ct).ConfigureAwait(false);
        var data = await ReadStackAsync(rsp, HangStackBytes, ct).ConfigureAwait(false);
        var stack = new List<string>();
        var stackRoles = new List<string?>();
        for (var i = 0; i + 8 <= data.Length; i += 8)
        {
            var word = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(i));
            if (!IsReturnAddress(word)) continue;
            stack.Add(Locate(word));
            stackRoles.Add(RoleOf(word));
        }
        var role = RoleOf(rip);
        _hang = new HangRecord(0, HangRecord.CheckpointName, rip, Locate(rip), role, stack, HangRecord.MergeRoles(role, stackRoles));
        _writer!.WriteHang(_hang);
    }

    /// <summary>
    /// <paramref name="address"/> as <c>symbol + offset</c> (as <see cref="Caller"/>), falling back, as nm does, on the
    /// nearest symbol before it in the same section when no sized function holds it (the port's assembly helpers, e.g.
    /// <c>hal_pause</c>, have symbols without a type or size); the address when there is none.
    /// </summary>
    private string Locate(ulong address)
    {
        if (elf.Resolve(address) is not null) return Caller(address);
        var section = elf.SectionAt(address);
        if (section is null) return $"0x{address:x}";
        var nearest = elf.Symbols
            .Where(s => s.Name.Length > 0 && s.SectionIndex == section.Index && s.Value <= address)
            .MaxBy(s => s.Value);
        return nearest is null ? $"0x{address:x}" : $"{Harness.Observe.Map.ResolvedObservationMap.Display(nearest)} + {address - nearest.Value}";
    }

    /// <summary>The map's role of the function holding <paramref name="address"/>, or null.</summary>
    private string? RoleOf(ulong address)
    {
        foreach (var (role, start, size) in map.Roles)
            if (address >= start && address - start < size)
                return role;
        return null;
    }

    /// <summary>
    /// Why a run that ended as <paramref name="how"/> is not what the scenario expected, or null: a scenario that expects
    /// a hang fails on any other end, and a hang is complete only when expected.
    /// </summary>
    private string? HangExpectationError(string how) =>
        request.ExpectHangAfter is { } quiet && how != EndHow.Hang
            ? $"the scenario expects the kernel to hang ([expect] end = \"hang\": {quiet.TotalSeconds:0.#} s without a breakpoint stop or serial output), but the boot ended otherwise ({how})"
            : null;
}
