using System.Threading.Channels;
using Harness.Gdb.Protocol;

namespace Harness.Gdb;

// Ending a session: detach (the target resumes) or kill (QEMU exits).
public sealed partial class GdbClient
{
    /// <summary>Detaches (<c>D</c>): QEMU removes the breakpoints and resumes the VM. The connection is then closed.</summary>
    public async Task DetachAsync(CancellationToken ct = default)
    {
        await RunAsync("detach", ct, async token =>
        {
            await ExpectOkAsync("D", "detach", token).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Kills the target (<c>k</c>): QEMU exits. Returns once the stub has closed the
    /// connection (or after the command timeout); the connection is then closed.
    /// </summary>
    public async Task KillAsync(CancellationToken ct = default)
    {
        ThrowIfUnusable("kill");
        await AcquireCommandLockAsync("kill", ct).ConfigureAwait(false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Options.CommandTimeout);
            try
            {
                await _connection.SendPacketAsync("k"u8.ToArray(), timeout.Token).ConfigureAwait(false);
                // No reply is due; the stub may still send W/X before it closes the socket.
                while (true)
                {
                    var payload = await _connection.ReceivePacketAsync(timeout.Token).ConfigureAwait(false);
                    var text = RspCodec.Text.GetString(payload);
                    if (StopReply.LooksLikeStopReply(text))
                    {
                        RecordStop(StopReply.Parse(text));
                    }
                }
            }
            catch (ChannelClosedException)
            {
                // The stub went away: the kill worked.
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // The stub kept the connection open; close it from this side.
            }
            _state = GdbTargetState.Exited;
        }
        finally
        {
            _commandLock.Release();
        }
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
