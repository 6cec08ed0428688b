using System.Diagnostics;
using System.Text;

namespace Harness.Qemu;

/// <summary>
/// Reads COM1 (QEMU's stdout) as it arrives: keeps every byte, splits lines,
/// hands each line to the caller, keeps a tail, and notices a kernel panic.
/// </summary>
internal sealed class SerialWatcher(QemuOptions options, Stopwatch clock, Action<string>? onLine)
{
    private readonly MemoryStream all = new();
    private readonly List<byte> pending = [];
    private readonly Queue<string> tail = new();
    private readonly List<string> afterPanic = [];
    private readonly TaskCompletionSource panicComplete = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object gate = new();

    public TimeSpan? FirstByte { get; private set; }

    /// <summary>When the last COM1 bytes came (clock time), or null before the first.</summary>
    public TimeSpan? LastByte { get; private set; }

    /// <summary>The longest silence between two reads of COM1 bytes (for a Redox boot: device_noncore's RTC wait).</summary>
    public TimeSpan LongestGap { get; private set; }

    /// <summary>A line starting with QemuOptions.QuietAfter came (always true without one): silence counts from here.</summary>
    public bool QuietArmed { get; private set; } = options.QuietAfter is null;
    public string? PanicLine { get; private set; }
    public string? LastLine { get; private set; }

    /// <summary>Completes when a panic's grace period is over (or its last line came).</summary>
    public Task PanicComplete => panicComplete.Task;

    public ReadOnlyMemory<byte> Bytes
    {
        get { lock (gate) return all.ToArray(); }
    }

    public IReadOnlyList<string> AfterPanic
    {
        get { lock (gate) return [.. afterPanic]; }
    }

    public IReadOnlyList<string> Tail()
    {
        lock (gate) return [.. tail];
    }

    public async Task ReadAsync(Stream stdout)
    {
        var buffer = new byte[4096];
        while (true)
        {
            int count;
            try
            {
                count = await stdout.ReadAsync(buffer).ConfigureAwait(false);
            }
            catch (IOException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            if (count == 0)
                break;
            var now = clock.Elapsed;
            FirstByte ??= now;
            if (LastByte is { } last && now - last > LongestGap)
                LongestGap = now - last;
            LastByte = now;
            lock (gate)
                all.Write(buffer, 0, count);
            for (var i = 0; i < count; i++)
            {
                if (buffer[i] == (byte)'\n')
                {
                    EmitLine();
                }
                else
                {
                    pending.Add(buffer[i]);
                }
            }
        }
        if (pending.Count > 0)
            EmitLine();
    }

    private void EmitLine()
    {
        var bytes = pending.Count > 0 && pending[^1] == (byte)'\r' ? pending.GetRange(0, pending.Count - 1) : pending;
        var line = Encoding.UTF8.GetString([.. bytes]);
        pending.Clear();
        lock (gate)
        {
            LastLine = line;
            if (!QuietArmed && line.StartsWith(options.QuietAfter!, StringComparison.Ordinal))
                QuietArmed = true;
            tail.Enqueue(line);
            while (tail.Count > Math.Max(1, options.TailLines))
                tail.Dequeue();
            if (PanicLine is null)
            {
                if (line.StartsWith(QemuRunner.PanicPrefix, StringComparison.Ordinal))
                {
                    PanicLine = line;
                    _ = Task.Delay(options.PanicGrace).ContinueWith(
                        _ => panicComplete.TrySetResult(), TaskScheduler.Default);
                }
            }
            else
            {
                afterPanic.Add(line);
                if (line.Trim() == QemuRunner.PanicEndLine)
                    panicComplete.TrySetResult();
            }
        }
        onLine?.Invoke(line);
    }
}
