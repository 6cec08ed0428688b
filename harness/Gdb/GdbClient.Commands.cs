using System.Threading.Channels;
using Harness.Gdb.Protocol;

namespace Harness.Gdb;

// The request/reply machinery every command goes through: one command at a time,
// a timeout per exchange, and errors mapped to the client's exceptions and state.
public sealed partial class GdbClient
{
    /// <summary>Runs <paramref name="body"/> holding the command lock, with the target stopped.</summary>
    private async Task<T> RunAsync<T>(string operation, CancellationToken ct, Func<CancellationToken, Task<T>> body)
    {
        ThrowIfUnusable(operation);
        await AcquireCommandLockAsync(operation, ct).ConfigureAwait(false);
        try
        {
            EnsureStopped(operation);
            return await body(ct).ConfigureAwait(false);
        }
        catch (GdbTimeoutException e)
        {
            _unusableReason = $"'{e.InFlight}' timed out after {e.Timeout.TotalSeconds:0.###} s";
            throw;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            _unusableReason = $"'{operation}' was cancelled";
            throw;
        }
        finally
        {
            _commandLock.Release();
        }
    }

    /// <summary>Sends a text command and returns the text of its reply.</summary>
    private async Task<string> RequestAsync(string command, string operation, CancellationToken ct) =>
        RspCodec.Text.GetString(await ExchangeAsync(RspCodec.Text.GetBytes(command), operation, ct).ConfigureAwait(false));

    /// <summary>Sends a command that must be answered with <c>OK</c>.</summary>
    private async Task ExpectOkAsync(string command, string operation, CancellationToken ct)
    {
        ThrowUnlessOk(command, await ExchangeAsync(RspCodec.Text.GetBytes(command), operation, ct).ConfigureAwait(false));
    }

    /// <summary>Raises the matching exception unless <paramref name="reply"/> (to <paramref name="command"/>) is <c>OK</c>.</summary>
    private static void ThrowUnlessOk(string command, byte[] reply)
    {
        ThrowOnErrorOrEmpty(command, reply);
        if (!IsOk(reply))
        {
            throw new GdbProtocolException($"expected OK to '{command}', got '{RspConnection.Describe(reply)}'");
        }
    }

    private static bool IsOk(byte[] reply) => reply.AsSpan().SequenceEqual("OK"u8);

    /// <summary>
    /// Sends commands that must each be answered with <c>OK</c>: in one write when packets may go out together (no-ack
    /// mode, lazy acks), else one after the other. Every reply is read before an error is raised, so the connection
    /// stays in step.
    /// </summary>
    private async Task ExpectOkAllAsync(IReadOnlyList<string> commands, string operation, CancellationToken ct)
    {
        if (!_connection.CanSendPairs || commands.Count <= 1)
        {
            foreach (var c in commands)
            {
                await ExpectOkAsync(c, operation, ct).ConfigureAwait(false);
            }
            return;
        }
        var replies = await ExchangeManyAsync(commands.Select(c => RspCodec.Text.GetBytes(c)).ToList(), operation, ct).ConfigureAwait(false);
        for (var i = 0; i < replies.Count; i++)
        {
            ThrowUnlessOk(commands[i], replies[i]);
        }
    }

    /// <summary>
    /// Sends one packet and waits for its reply (console <c>O</c> packets skipped), within
    /// <see cref="GdbClientOptions.CommandTimeout"/>.
    /// </summary>
    private async Task<byte[]> ExchangeAsync(byte[] payload, string operation, CancellationToken ct, bool skipConsoleOutput = true)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Options.CommandTimeout);
        try
        {
            await _connection.SendPacketAsync(payload, timeout.Token).ConfigureAwait(false);
            while (true)
            {
                var reply = await _connection.ReceivePacketAsync(timeout.Token).ConfigureAwait(false);
                if (!skipConsoleOutput || !RspCodec.IsConsoleOutput(reply))
                {
                    return reply;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var packet = RspConnection.Describe(payload);
            throw new GdbTimeoutException($"{operation}: {packet}", Options.CommandTimeout,
                $"the gdb stub at {Endpoint} did not answer '{packet}' ({operation}) within {Options.CommandTimeout.TotalSeconds:0.###} s");
        }
        catch (ChannelClosedException e)
        {
            throw Lost($"{operation}: {RspConnection.Describe(payload)}", e);
        }
    }

    /// <summary>Sends packets at once (no-ack mode or lazy acks) and returns their replies, in order, within one <see cref="GdbClientOptions.CommandTimeout"/>.</summary>
    private async Task<IReadOnlyList<byte[]>> ExchangeManyAsync(IReadOnlyList<byte[]> payloads, string operation, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Options.CommandTimeout);
        try
        {
            await _connection.SendPacketsAsync(payloads, timeout.Token).ConfigureAwait(false);
            var replies = new List<byte[]>(payloads.Count);
            for (var i = 0; i < payloads.Count; i++)
            {
                replies.Add(await ReceiveReplyAsync(timeout.Token).ConfigureAwait(false));
            }
            return replies;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var packets = string.Join(", ", payloads.Select(p => RspConnection.Describe(p)));
            throw new GdbTimeoutException($"{operation}: {packets}", Options.CommandTimeout,
                $"the gdb stub at {Endpoint} did not answer '{packets}' ({operation}) within {Options.CommandTimeout.TotalSeconds:0.###} s");
        }
        catch (ChannelClosedException e)
        {
            throw Lost($"{operation}: {string.Join(", ", payloads.Select(p => RspConnection.Describe(p)))}", e);
        }
    }

    /// <summary>The next reply that is not console output (<c>O</c>).</summary>
    private async Task<byte[]> ReceiveReplyAsync(CancellationToken ct)
    {
        while (true)
        {
            var reply = await _connection.ReceivePacketAsync(ct).ConfigureAwait(false);
            if (!RspCodec.IsConsoleOutput(reply))
            {
                return reply;
            }
        }
    }

    /// <summary>Raises the matching exception for an <c>Exx</c> or empty reply.</summary>
    private static void ThrowOnErrorOrEmpty(string command, byte[] reply)
    {
        if (reply.Length == 0)
        {
            throw new GdbUnsupportedException(Shorten(command));
        }
        if (RspCodec.IsErrorReply(reply))
        {
            throw new GdbErrorReplyException(Shorten(command), RspCodec.HexValue(reply[1]) << 4 | RspCodec.HexValue(reply[2]));
        }
    }

    private static string Shorten(string command) => command.Length > 64 ? command[..64] + "..." : command;

    private async Task AcquireCommandLockAsync(string operation, CancellationToken ct)
    {
        // One command at a time: the lock is free but for a caller's concurrent command, and taking a free one needs
        // no timer.
        ct.ThrowIfCancellationRequested();
        if (_commandLock.Wait(0))
        {
            return;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Options.CommandTimeout);
        try
        {
            await _commandLock.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new GdbTimeoutException(operation, Options.CommandTimeout,
                $"'{operation}' waited {Options.CommandTimeout.TotalSeconds:0.###} s for another command to finish");
        }
    }

    private void ThrowIfUnusable(string operation)
    {
        switch (_state)
        {
            case GdbTargetState.Exited:
                throw new GdbConnectionLostException(operation,
                    $"cannot run '{operation}': the target at {Endpoint} has exited or was killed (last stop reply: {LastStop?.Raw ?? "none"})");
            case GdbTargetState.Disconnected:
                throw new GdbConnectionLostException(operation,
                    $"cannot run '{operation}': the connection to {Endpoint} is closed ({_connection.ClosedBecause?.Message ?? "disposed"})");
        }
        if (_unusableReason is { } reason)
        {
            throw new GdbException(
                $"cannot run '{operation}': the connection to {Endpoint} is out of step because {reason} (its reply may still come); reconnect");
        }
    }

    private void EnsureStopped(string operation)
    {
        ThrowIfUnusable(operation);
        if (_state == GdbTargetState.Running)
        {
            throw new InvalidOperationException(
                $"cannot run '{operation}' while the target is running; call InterruptAsync or WaitForStopAsync first");
        }
    }

    private GdbConnectionLostException Lost(string inFlight, ChannelClosedException e)
    {
        var reason = e.InnerException ?? _connection.ClosedBecause ?? e;
        if (_state != GdbTargetState.Exited)
        {
            _state = GdbTargetState.Disconnected;
        }
        return new GdbConnectionLostException(inFlight,
            $"the connection to the gdb stub at {Endpoint} was lost while '{inFlight}' was in flight: {reason.Message}", reason);
    }
}
