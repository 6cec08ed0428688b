using System.Globalization;

namespace Harness.Gdb.Monitor;

/// <summary>
/// A hex number as QEMU's monitor printed it: its value and its digits, so that it can be
/// written back with the same width (<c>0x80010033</c>, <c>0x0000000000070000</c>), as the
/// reference observations record them.
/// </summary>
/// <param name="Value">The number.</param>
/// <param name="Digits">The hex digits as printed, without prefix.</param>
public readonly record struct MonitorHex(ulong Value, string Digits)
{
    /// <summary>Parses hex digits (no prefix).</summary>
    /// <exception cref="FormatException">Not hex, or wider than 64 bits.</exception>
    public static MonitorHex Parse(string digits) =>
        ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? new MonitorHex(value, digits.ToLowerInvariant())
            : throw new FormatException($"'{digits}' is not a 64-bit hex number");

    /// <summary><c>0x</c> and the digits as printed (e.g. <c>0x00008b00</c>).</summary>
    public override string ToString() => "0x" + Digits;

    /// <summary>The value.</summary>
    public static implicit operator ulong(MonitorHex hex) => hex.Value;
}
