namespace Harness.Gdb;

/// <summary>Timeouts and protocol choices of a <see cref="GdbClient"/>.</summary>
public sealed record GdbClientOptions
{
    /// <summary>How long <see cref="GdbClient.ConnectAsync"/> keeps retrying a refused or absent endpoint (QEMU may still be starting).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a command waits for its reply.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long <see cref="GdbClient.ContinueAsync(TimeSpan?, CancellationToken)"/> waits for the target to stop when no timeout is given.</summary>
    public TimeSpan ContinueTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Ask for <c>QStartNoAckMode</c> when the stub offers it (QEMU 7.2 does not).</summary>
    public bool UseNoAckMode { get; init; } = true;

    /// <summary>
    /// For a stub that never waits for an ack (QEMU's system emulation: it keeps its last packet only to send it again
    /// on a nak): acknowledge its packets with the next packet sent (<c>+$g#67</c>: one write, and no wake-up of the stub
    /// for an ack alone), and let <see cref="GdbClient.ReadRegistersAndMemoryAsync(ulong, int, CancellationToken)"/> send its two packets in one write
    /// in ack mode too. Off by default: a stub that waits for each ack (gdbserver, QEMU's user mode) would wait forever.
    /// </summary>
    public bool LazyAcks { get; init; }

    /// <summary>Run first on the connection's reader thread, which also runs every command's continuation (e.g. to pin it to a CPU).</summary>
    public Action? ReaderThreadStart { get; init; }

    /// <summary>
    /// Asked before each blocking read of the stub's socket: how long to poll it first (zero or null: block at once). A
    /// blocked reader is put to sleep and woken by the kernel when bytes arrive, which on a virtual machine is a good part
    /// of a local round trip; polling spends a CPU instead, so it is for a reader that has one to itself.
    /// </summary>
    public Func<TimeSpan>? ReadPoll { get; init; }

    /// <summary>Write memory with binary <c>X</c> packets when the stub accepts them (else hex <c>M</c>).</summary>
    public bool UseBinaryWrites { get; init; } = true;

    /// <summary>The defaults.</summary>
    public static GdbClientOptions Default { get; } = new();
}
