using System.Text;
using Harness.Gdb.Monitor;
using Harness.Gdb.Protocol;

namespace Harness.Gdb;

// QEMU-specific commands: the monitor (qRcmd) and the physical memory mode.
public sealed partial class GdbClient
{
    /// <summary>
    /// Runs a QEMU monitor command through <c>qRcmd</c> (e.g. <c>info registers</c>,
    /// <c>info mtree</c>) and returns its output: the <c>O</c> packets concatenated, with
    /// line ends normalised to <c>\n</c>.
    /// </summary>
    /// <exception cref="GdbUnsupportedException">The stub has no monitor.</exception>
    public Task<string> MonitorAsync(string command, CancellationToken ct = default)
    {
        var operation = $"monitor {command}";
        return RunAsync(operation, ct, async token =>
        {
            var packet = "qRcmd," + RspCodec.ToHex(RspCodec.Text.GetBytes(command));
            var reply = await ExchangeAsync(RspCodec.Text.GetBytes(packet), operation, token, skipConsoleOutput: false).ConfigureAwait(false);
            var output = new StringBuilder();
            for (; ; reply = await ReceiveMonitorReplyAsync(operation, token).ConfigureAwait(false))
            {
                if (RspCodec.IsConsoleOutput(reply))
                {
                    output.Append(RspCodec.Text.GetString(RspCodec.FromHex(reply.AsSpan(1))));
                    continue;
                }
                if (reply.AsSpan().SequenceEqual("OK"u8))
                {
                    break;
                }
                ThrowOnErrorOrEmpty(packet, reply);
                if (!RspCodec.IsHex(reply))
                {
                    throw new GdbProtocolException($"unexpected reply to '{operation}': '{RspConnection.Describe(reply)}'");
                }
                output.Append(RspCodec.Text.GetString(RspCodec.FromHex(reply)));
                break;
            }
            return output.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
        });
    }

    /// <summary>Runs <c>info registers</c> through the monitor and parses it.</summary>
    public async Task<QemuRegisterDump> ReadMonitorRegistersAsync(CancellationToken ct = default) =>
        QemuRegisterDump.Parse(await MonitorAsync("info registers", ct).ConfigureAwait(false));

    /// <summary>
    /// Switches memory accesses between virtual addresses (through the current page tables,
    /// the default) and physical addresses, with QEMU's <c>Qqemu.PhyMemMode:1</c>/<c>:0</c>.
    /// </summary>
    public Task SetPhysicalMemoryModeAsync(bool physical, CancellationToken ct = default)
    {
        var operation = $"physical memory mode {(physical ? "on" : "off")}";
        return RunAsync(operation, ct, async token =>
        {
            await ExpectOkAsync($"Qqemu.PhyMemMode:{(physical ? 1 : 0)}", operation, token).ConfigureAwait(false);
            PhysicalMemoryMode = physical;
            return true;
        });
    }

    /// <summary>Asks QEMU which memory mode is in force (<c>qqemu.PhyMemMode</c>).</summary>
    public Task<bool> GetPhysicalMemoryModeAsync(CancellationToken ct = default) =>
        RunAsync("query physical memory mode", ct, async token =>
        {
            var reply = await RequestAsync("qqemu.PhyMemMode", "query physical memory mode", token).ConfigureAwait(false);
            return reply switch
            {
                "1" => true,
                "0" => false,
                "" => throw new GdbUnsupportedException("qqemu.PhyMemMode"),
                _ => throw new GdbProtocolException($"unexpected reply to 'qqemu.PhyMemMode': '{reply}'"),
            };
        });

    /// <summary>Receives one packet of a monitor reply, within the command timeout, mapping loss and timeout.</summary>
    private async Task<byte[]> ReceiveMonitorReplyAsync(string operation, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Options.CommandTimeout);
        try
        {
            return await _connection.ReceivePacketAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new GdbTimeoutException(operation, Options.CommandTimeout,
                $"the gdb stub at {Endpoint} did not finish '{operation}' within {Options.CommandTimeout.TotalSeconds:0.###} s");
        }
        catch (System.Threading.Channels.ChannelClosedException e)
        {
            throw Lost(operation, e);
        }
    }
}
