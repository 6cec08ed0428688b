using System.Globalization;

namespace Harness.Gdb;

/// <summary>Why the target stopped, as a stop reply says.</summary>
public enum StopKind
{
    /// <summary><c>S</c> or <c>T</c>: stopped with a signal (5 = SIGTRAP for breakpoints and steps, 2 = SIGINT for an interrupt).</summary>
    Signal,

    /// <summary><c>W</c>: the process (for QEMU: the whole VM) exited with a status.</summary>
    Exited,

    /// <summary><c>X</c>: the process was terminated by a signal.</summary>
    Terminated,
}

/// <summary>A parsed stop reply (<c>S05</c>, <c>T05thread:01;</c>, <c>W00</c>, <c>X09</c>).</summary>
/// <param name="Kind">Which kind of reply.</param>
/// <param name="Signal">The signal for <see cref="StopKind.Signal"/> and <see cref="StopKind.Terminated"/>, else 0.</param>
/// <param name="ExitCode">The exit status for <see cref="StopKind.Exited"/>, else null.</param>
/// <param name="Thread">The <c>thread</c> value of a <c>T</c> reply (e.g. <c>01</c> or <c>p01.01</c>), else null.</param>
/// <param name="Properties">All <c>name:value</c> pairs of a <c>T</c> reply (e.g. <c>swbreak</c>, <c>hwbreak</c>, <c>watch</c>).</param>
/// <param name="Raw">The reply as received.</param>
public sealed record StopReply(
    StopKind Kind,
    int Signal,
    int? ExitCode,
    string? Thread,
    IReadOnlyDictionary<string, string> Properties,
    string Raw)
{
    /// <summary>SIGTRAP: breakpoint, watchpoint, or single step.</summary>
    public const int SigTrap = 5;

    /// <summary>SIGINT: stopped by an interrupt.</summary>
    public const int SigInt = 2;

    /// <summary>True for <c>W</c> and <c>X</c>: the target is gone.</summary>
    public bool HasExited => Kind is StopKind.Exited or StopKind.Terminated;

    /// <summary>True when a stop reply starts this payload (<c>S</c>, <c>T</c>, <c>W</c>, <c>X</c> followed by two hex digits).</summary>
    public static bool LooksLikeStopReply(string payload) =>
        payload.Length >= 3 && payload[0] is 'S' or 'T' or 'W' or 'X'
        && Uri.IsHexDigit(payload[1]) && Uri.IsHexDigit(payload[2]);

    /// <summary>Parses a stop reply.</summary>
    /// <exception cref="GdbProtocolException">Not a stop reply.</exception>
    public static StopReply Parse(string payload)
    {
        if (!LooksLikeStopReply(payload))
        {
            throw new GdbProtocolException($"'{payload}' is not a stop reply");
        }
        var code = int.Parse(payload.AsSpan(1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        var properties = ParseProperties(payload[3..]);
        return payload[0] switch
        {
            'W' => new StopReply(StopKind.Exited, 0, code, null, properties, payload),
            'X' => new StopReply(StopKind.Terminated, code, null, null, properties, payload),
            _ => new StopReply(StopKind.Signal, code, null, properties.GetValueOrDefault("thread"), properties, payload),
        };
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        StopKind.Exited => $"exited with status {ExitCode}",
        StopKind.Terminated => $"terminated by signal {Signal}",
        _ => Thread is null ? $"stopped, signal {Signal}" : $"stopped, signal {Signal}, thread {Thread}",
    };

    private static Dictionary<string, string> ParseProperties(string rest)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in rest.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = part.IndexOf(':');
            if (colon < 0)
            {
                properties[part] = "";
            }
            else
            {
                properties[part[..colon]] = part[(colon + 1)..];
            }
        }
        return properties;
    }
}
