using System.Globalization;
using System.Text;

namespace Harness.Gdb.Protocol;

/// <summary>
/// Pure functions of the GDB Remote Serial Protocol's wire format: packet framing
/// (<c>$payload#cs</c>), checksums, binary escaping (<c>0x7d</c>), run-length decoding
/// and hex encoding. Payloads are bytes; text payloads use Latin-1 so that every byte
/// maps to one <see cref="char"/>.
/// </summary>
public static class RspCodec
{
    /// <summary>The escape byte (<c>}</c>): the next byte is XORed with <see cref="EscapeXor"/>.</summary>
    public const byte Escape = 0x7d;

    /// <summary>The value an escaped byte is XORed with.</summary>
    public const byte EscapeXor = 0x20;

    /// <summary>The byte that asks a running target to stop (Ctrl-C).</summary>
    public const byte InterruptByte = 0x03;

    /// <summary>Text payloads are Latin-1: one byte, one char.</summary>
    public static Encoding Text { get; } = Encoding.Latin1;

    /// <summary>The modulo-256 sum of <paramref name="body"/>, as the protocol's checksum.</summary>
    public static byte Checksum(ReadOnlySpan<byte> body)
    {
        byte sum = 0;
        foreach (var b in body)
        {
            sum = unchecked((byte)(sum + b));
        }
        return sum;
    }

    /// <summary>Frames a payload as <c>$payload#cs</c>. The payload must already be escaped if it is binary.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        var frame = new byte[payload.Length + 4];
        frame[0] = (byte)'$';
        payload.CopyTo(frame.AsSpan(1));
        frame[payload.Length + 1] = (byte)'#';
        var cs = Checksum(payload);
        frame[payload.Length + 2] = HexDigit(cs >> 4);
        frame[payload.Length + 3] = HexDigit(cs & 0xf);
        return frame;
    }

    /// <summary>Frames a text payload (Latin-1).</summary>
    public static byte[] Frame(string payload) => Frame(Text.GetBytes(payload));

    /// <summary>True for the bytes that must be escaped inside a packet: <c>#</c>, <c>$</c>, <c>}</c> and <c>*</c>.</summary>
    public static bool NeedsEscape(byte b) => b is (byte)'#' or (byte)'$' or Escape or (byte)'*';

    /// <summary>Escapes binary data for an <c>X</c> packet: each special byte becomes <c>0x7d</c>, byte XOR 0x20.</summary>
    public static byte[] EscapeBinary(ReadOnlySpan<byte> data)
    {
        var output = new List<byte>(data.Length + 8);
        foreach (var b in data)
        {
            if (NeedsEscape(b))
            {
                output.Add(Escape);
                output.Add((byte)(b ^ EscapeXor));
            }
            else
            {
                output.Add(b);
            }
        }
        return output.ToArray();
    }

    /// <summary>The length <paramref name="b"/> takes once escaped (1 or 2).</summary>
    public static int EscapedLength(byte b) => NeedsEscape(b) ? 2 : 1;

    /// <summary>Reverses <see cref="EscapeBinary"/>. A trailing lone escape byte is a protocol error.</summary>
    /// <exception cref="GdbProtocolException">The data ends with an escape byte.</exception>
    public static byte[] UnescapeBinary(ReadOnlySpan<byte> data)
    {
        var output = new List<byte>(data.Length);
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] == Escape)
            {
                if (i + 1 >= data.Length)
                {
                    throw new GdbProtocolException("binary data ends with a lone escape byte (0x7d)");
                }
                output.Add((byte)(data[++i] ^ EscapeXor));
            }
            else
            {
                output.Add(data[i]);
            }
        }
        return output.ToArray();
    }

    /// <summary>
    /// Expands run-length encoding as gdb does: <c>X*n</c> stands for X repeated
    /// <c>n - 29</c> more times (n is a printable byte). Applied to a received payload
    /// before any binary unescaping.
    /// </summary>
    /// <exception cref="GdbProtocolException">A <c>*</c> with nothing before or after it, or a bad count.</exception>
    public static byte[] ExpandRunLength(ReadOnlySpan<byte> body)
    {
        if (body.IndexOf((byte)'*') < 0)
        {
            return body.ToArray();
        }
        var output = new List<byte>(body.Length * 2);
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] != (byte)'*')
            {
                output.Add(body[i]);
                continue;
            }
            if (output.Count == 0 || i + 1 >= body.Length)
            {
                throw new GdbProtocolException("run-length marker '*' without a byte to repeat or a count");
            }
            var repeat = body[++i] - 29;
            if (repeat < 3 || repeat > 126 - 29)
            {
                throw new GdbProtocolException($"run-length count byte 0x{body[i]:x2} is out of range");
            }
            var last = output[^1];
            for (var r = 0; r < repeat; r++)
            {
                output.Add(last);
            }
        }
        return output.ToArray();
    }

    /// <summary>
    /// True when <paramref name="payload"/> is a console-output packet (<c>O</c> followed by
    /// an even number of hex digits). <c>OK</c> is not one.
    /// </summary>
    public static bool IsConsoleOutput(ReadOnlySpan<byte> payload) =>
        payload.Length >= 3 && payload[0] == (byte)'O' && (payload.Length - 1) % 2 == 0 && IsHex(payload[1..]);

    /// <summary>True when <paramref name="payload"/> is an error reply <c>Exx</c> (two hex digits).</summary>
    public static bool IsErrorReply(ReadOnlySpan<byte> payload) =>
        payload.Length == 3 && payload[0] == (byte)'E' && IsHex(payload[1..]);

    /// <summary>True when every byte is a hex digit (an empty span counts).</summary>
    public static bool IsHex(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
        {
            if (HexValue(b) < 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Lower-case hex of <paramref name="data"/>, two digits a byte.</summary>
    public static string ToHex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(data);

    /// <summary>Decodes hex text (two digits a byte).</summary>
    /// <exception cref="GdbProtocolException">Odd length or a non-hex digit.</exception>
    public static byte[] FromHex(ReadOnlySpan<byte> hex)
    {
        if (hex.Length % 2 != 0)
        {
            throw new GdbProtocolException($"hex data has odd length {hex.Length}");
        }
        var output = new byte[hex.Length / 2];
        // The runtime's vectorised decoder (a g reply is ~1.2 KB of hex, a page read 8 KB); on a bad digit, the loop
        // below finds it and names it.
        if (Convert.FromHexString(hex, output, out _, out var written) == System.Buffers.OperationStatus.Done && written == output.Length)
        {
            return output;
        }
        for (var i = 0; i < output.Length; i++)
        {
            var hi = HexValue(hex[2 * i]);
            var lo = HexValue(hex[2 * i + 1]);
            if (hi < 0 || lo < 0)
            {
                throw new GdbProtocolException($"'{Text.GetString(hex.Slice(2 * i, 2))}' is not a hex byte");
            }
            output[i] = (byte)(hi << 4 | lo);
        }
        return output;
    }

    /// <summary>Decodes hex text (two digits a byte).</summary>
    public static byte[] FromHex(string hex) => FromHex(Text.GetBytes(hex));

    /// <summary>Parses a hex number such as <c>1f</c> (no prefix).</summary>
    /// <exception cref="GdbProtocolException">Not a hex number that fits 64 bits.</exception>
    public static ulong ParseHexNumber(string text) =>
        ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new GdbProtocolException($"'{text}' is not a hex number");

    /// <summary>The value of one hex digit, or -1.</summary>
    public static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static byte HexDigit(int value) => (byte)"0123456789abcdef"[value];
}
