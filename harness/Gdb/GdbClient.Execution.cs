using System.Threading.Channels;
using Harness.Gdb.Protocol;

namespace Harness.Gdb;

// Breakpoints and execution control: continue, step, interrupt, waiting for a stop.
public sealed partial class GdbClient
{
    /// <summary>Inserts a software (<c>Z0</c>) or hardware (<c>Z1</c>) breakpoint.</summary>
    /// <exception cref="GdbErrorReplyException">The stub refused (e.g. no free hardware slot).</exception>
    /// <exception cref="GdbUnsupportedException">The stub lacks this breakpoint kind.</exception>
    public Task InsertBreakpointAsync(BreakpointKind kind, ulong address, CancellationToken ct = default) =>
        BreakpointAsync('Z', kind, address, ct);

    /// <summary>Removes a breakpoint inserted with <see cref="InsertBreakpointAsync"/>.</summary>
    public Task RemoveBreakpointAsync(BreakpointKind kind, ulong address, CancellationToken ct = default) =>
        BreakpointAsync('z', kind, address, ct);

    /// <summary>
    /// Resumes the target and returns when it stops (breakpoint, interrupt) or exits
    /// (<c>W</c>/<c>X</c>: for QEMU, the VM shut down). Console <c>O</c> packets are ignored.
    /// </summary>
    /// <param name="timeout">How long to wait for the stop; null for <see cref="GdbClientOptions.ContinueTimeout"/>, <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <param name="ct">Cancels the wait (the target keeps running).</param>
    /// <exception cref="GdbTimeoutException">No stop within the timeout: the target is still running; call <see cref="InterruptAsync"/>.</exception>
    /// <exception cref="GdbConnectionLostException">The connection ended while the target ran (QEMU died).</exception>
    public Task<StopReply> ContinueAsync(TimeSpan? timeout = null, CancellationToken ct = default) =>
        ResumeAsync("c", "continue", timeout ?? Options.ContinueTimeout, [], ct);

    /// <summary>
    /// Inserts and removes breakpoints (as <see cref="ChangeBreakpointsAsync"/>), then continues as
    /// <see cref="ContinueAsync(TimeSpan?, CancellationToken)"/>: in no-ack mode, or with
    /// <see cref="GdbClientOptions.LazyAcks"/>, the changes and the <c>c</c> go out in one write (no round trip of
    /// their own); else one after the other. A change the stub refuses is raised once the target has stopped again.
    /// </summary>
    /// <exception cref="GdbErrorReplyException">The stub refused a change (the target ran, and is stopped again).</exception>
    public Task<StopReply> ContinueAsync(IReadOnlyList<(bool Insert, BreakpointKind Kind, ulong Address)> changesFirst, TimeSpan? timeout = null,
        CancellationToken ct = default) =>
        ResumeAsync("c", "continue", timeout ?? Options.ContinueTimeout, changesFirst.Select(BreakpointPacket).ToList(), ct);

    /// <summary>Executes one instruction and returns the stop reply.</summary>
    public Task<StopReply> StepAsync(CancellationToken ct = default) =>
        ResumeAsync("s", "step", Options.CommandTimeout, [], ct);

    /// <summary>Inserts and removes breakpoints, then executes one instruction (see the <c>ContinueAsync</c> that takes changes).</summary>
    public Task<StopReply> StepAsync(IReadOnlyList<(bool Insert, BreakpointKind Kind, ulong Address)> changesFirst, CancellationToken ct = default) =>
        ResumeAsync("s", "step", Options.CommandTimeout, changesFirst.Select(BreakpointPacket).ToList(), ct);

    private static string BreakpointPacket((bool Insert, BreakpointKind Kind, ulong Address) c) =>
        $"{(c.Insert ? 'Z' : 'z')}{(int)c.Kind},{c.Address:x},1";

    /// <summary>
    /// Stops a running target (sends the 0x03 byte) and returns its stop reply. If a
    /// <see cref="ContinueAsync(TimeSpan?, CancellationToken)"/> is waiting, that call returns the same reply. If the
    /// target is already stopped, returns <see cref="LastStop"/> without sending anything.
    /// </summary>
    public async Task<StopReply> InterruptAsync(CancellationToken ct = default)
    {
        ThrowIfUnusable("interrupt");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Options.CommandTimeout);
        try
        {
            while (true)
            {
                if (_activeStopWait is { } active)
                {
                    await _connection.WriteRawAsync([RspCodec.InterruptByte], deadline.Token).ConfigureAwait(false);
                    return await active.WaitAsync(deadline.Token).ConfigureAwait(false);
                }
                if (await _commandLock.WaitAsync(TimeSpan.FromMilliseconds(20), deadline.Token).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new GdbTimeoutException("interrupt", Options.CommandTimeout,
                $"the target at {Endpoint} did not stop within {Options.CommandTimeout.TotalSeconds:0.###} s of an interrupt");
        }
        catch (ChannelClosedException e)
        {
            throw Lost("interrupt", e);
        }
        try
        {
            ThrowIfUnusable("interrupt");
            if (_state != GdbTargetState.Running)
            {
                return LastStop ?? throw new GdbProtocolException("no stop reply is known");
            }
            await SendInterruptByteAsync(ct).ConfigureAwait(false);
            return await WaitForStopCoreAsync("interrupt", Options.CommandTimeout, ct).ConfigureAwait(false);
        }
        finally
        {
            _commandLock.Release();
        }
    }

    /// <summary>Waits for a running target to stop (e.g. after <see cref="ContinueAsync(TimeSpan?, CancellationToken)"/> timed out); returns <see cref="LastStop"/> if it is stopped.</summary>
    public async Task<StopReply> WaitForStopAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        ThrowIfUnusable("wait for stop");
        await AcquireCommandLockAsync("wait for stop", ct).ConfigureAwait(false);
        try
        {
            ThrowIfUnusable("wait for stop");
            return _state == GdbTargetState.Running
                ? await WaitForStopCoreAsync("wait for stop", timeout, ct).ConfigureAwait(false)
                : LastStop ?? throw new GdbProtocolException("no stop reply is known");
        }
        finally
        {
            _commandLock.Release();
        }
    }

    /// <summary>
    /// Inserts and removes breakpoints (<c>Z</c>/<c>z</c> packets), in order: in no-ack mode, or with
    /// <see cref="GdbClientOptions.LazyAcks"/>, all in one write before any reply is awaited (one round trip); else one
    /// after the other. Every reply is read before an error is raised, so the connection stays in step.
    /// </summary>
    /// <exception cref="GdbErrorReplyException">The stub refused one (the others were carried out).</exception>
    public Task ChangeBreakpointsAsync(IReadOnlyList<(bool Insert, BreakpointKind Kind, ulong Address)> changes, CancellationToken ct = default)
    {
        var packets = changes.Select(BreakpointPacket).ToList();
        return RunAsync("change breakpoints", ct, async token =>
        {
            await ExpectOkAllAsync(packets, "change breakpoints", token).ConfigureAwait(false);
            return true;
        });
    }

    private Task BreakpointAsync(char verb, BreakpointKind kind, ulong address, CancellationToken ct)
    {
        var command = $"{verb}{(int)kind},{address:x},1";
        var operation = $"{(verb == 'Z' ? "insert" : "remove")} {kind.ToString().ToLowerInvariant()} breakpoint at 0x{address:x}";
        return RunAsync(operation, ct, async token =>
        {
            await ExpectOkAsync(command, operation, token).ConfigureAwait(false);
            return true;
        });
    }

    private async Task<StopReply> ResumeAsync(string packet, string operation, TimeSpan timeout, IReadOnlyList<string> first, CancellationToken ct)
    {
        ThrowIfUnusable(operation);
        await AcquireCommandLockAsync(operation, ct).ConfigureAwait(false);
        try
        {
            EnsureStopped(operation);
            // The changes ride in the resume's write when packets may go out together; else each is answered first.
            var together = _connection.CanSendPairs ? first : [];
            if (together.Count == 0)
            {
                await ExpectOkAllAsync(first, operation, ct).ConfigureAwait(false);
            }
            var refused = await SendResumeAsync(packet, together, operation, ct).ConfigureAwait(false);
            var wait = WaitForStopCoreAsync(operation, timeout, ct);
            _activeStopWait = wait;
            var stop = await wait.ConfigureAwait(false);
            if (refused is { } r)
            {
                ThrowUnlessOk(r.Packet, r.Reply);
            }
            return stop;
        }
        finally
        {
            _activeStopWait = null;
            _commandLock.Release();
        }
    }

    /// <summary>
    /// Sends <paramref name="packet"/> (<c>c</c>, <c>s</c>) in one write after <paramref name="together"/> (breakpoint
    /// changes), marks the target running, and reads the changes' replies (the stub answers each, in order, before it
    /// runs the guest): the first that is not <c>OK</c>, with its packet, or null.
    /// </summary>
    private async Task<(string Packet, byte[] Reply)?> SendResumeAsync(string packet, IReadOnlyList<string> together, string operation, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Options.CommandTimeout);
        try
        {
            if (together.Count == 0)
            {
                await _connection.SendPacketAsync(RspCodec.Text.GetBytes(packet), timeout.Token).ConfigureAwait(false);
            }
            else
            {
                await _connection.SendPacketsAsync([.. together.Select(p => RspCodec.Text.GetBytes(p)), RspCodec.Text.GetBytes(packet)], timeout.Token).ConfigureAwait(false);
            }
            _state = GdbTargetState.Running;
            (string, byte[])? refused = null;
            foreach (var p in together)
            {
                var reply = await ReceiveReplyAsync(timeout.Token).ConfigureAwait(false);
                if (refused is null && !IsOk(reply))
                {
                    refused = (p, reply);
                }
            }
            return refused;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            _unusableReason = together.Count == 0 ? $"'{operation}' got no ack" : $"'{operation}' got no answer to the breakpoint changes sent with it";
            throw new GdbTimeoutException(operation, Options.CommandTimeout, together.Count == 0
                ? $"the gdb stub at {Endpoint} did not acknowledge '{packet}' ({operation})"
                : $"the gdb stub at {Endpoint} did not answer the breakpoint changes sent with '{packet}' ({operation})");
        }
        catch (ChannelClosedException e)
        {
            throw Lost(operation, e);
        }
    }

    private async Task SendInterruptByteAsync(CancellationToken ct)
    {
        try
        {
            await _connection.WriteRawAsync([RspCodec.InterruptByte], ct).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            throw Lost("interrupt", e);
        }
    }

    /// <summary>Reads packets until a stop reply; a timeout or cancellation leaves the target running.</summary>
    private async Task<StopReply> WaitForStopCoreAsync(string operation, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            deadline.CancelAfter(timeout);
        }
        try
        {
            while (true)
            {
                var payload = await _connection.ReceivePacketAsync(deadline.Token).ConfigureAwait(false);
                if (RspCodec.IsConsoleOutput(payload))
                {
                    continue;
                }
                var text = RspCodec.Text.GetString(payload);
                if (!StopReply.LooksLikeStopReply(text))
                {
                    throw new GdbProtocolException($"expected a stop reply after '{operation}', got '{RspConnection.Describe(payload)}'");
                }
                var stop = StopReply.Parse(text);
                RecordStop(stop);
                return stop;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new GdbTimeoutException(operation, timeout,
                $"the target at {Endpoint} did not stop within {timeout.TotalSeconds:0.###} s of '{operation}'; "
                + "it is still running: call InterruptAsync or WaitForStopAsync");
        }
        catch (ChannelClosedException e)
        {
            throw Lost(operation, e);
        }
    }
}
