using System.Globalization;

namespace Harness.Trace;

/// <summary>Hexadecimal text as the traces write it: <c>0x</c> followed by lower-case digits.</summary>
public static class Hex
{
    /// <summary>Formats <paramref name="value"/> as <c>0x…</c> without padding.</summary>
    public static string Format(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>Formats <paramref name="value"/> as <c>0x…</c> padded with zeros to <paramref name="digits"/> digits.</summary>
    public static string Format(ulong value, int digits) =>
        "0x" + value.ToString("x" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>Parses <c>0x…</c> (hexadecimal) or plain decimal digits; false on anything else.</summary>
    public static bool TryParse(string? text, out ulong value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim();
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return ulong.TryParse(t.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        return ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Decodes a string of hex digit pairs (no prefix) into bytes.</summary>
    public static byte[] DecodeBytes(string hex) => Convert.FromHexString(hex);

    /// <summary>Encodes bytes as lower-case hex digit pairs (no prefix), as the traces store raw memory.</summary>
    public static string EncodeBytes(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
