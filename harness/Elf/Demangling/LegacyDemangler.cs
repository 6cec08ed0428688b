using System.Globalization;
using System.Text;

namespace Harness.Elf.Demangling;

/// <summary>
/// Rust's legacy mangling: <c>_ZN</c>, length-prefixed path elements, <c>E</c>; the last
/// element is usually the hash <c>h</c> + 16 hex digits. Elements escape punctuation as
/// <c>$LT$</c>, <c>$GT$</c>, <c>$u20$</c>..., and <c>..</c> stands for <c>::</c>.
/// </summary>
internal static class LegacyDemangler
{
    public static bool TryDemangle(string symbol, bool keepHash, out string demangled, out string rest)
    {
        demangled = "";
        rest = "";
        var start = symbol.StartsWith("_ZN", StringComparison.Ordinal) ? 3
            : symbol.StartsWith("__ZN", StringComparison.Ordinal) ? 4
            : symbol.StartsWith("ZN", StringComparison.Ordinal) ? 2
            : -1;
        if (start < 0 || symbol.Length <= start || symbol.Any(c => c > 0x7f))
        {
            return false;
        }
        var elements = new List<string>();
        var pos = start;
        while (true)
        {
            if (pos >= symbol.Length)
            {
                return false;
            }
            if (symbol[pos] == 'E')
            {
                pos++;
                break;
            }
            if (!char.IsAsciiDigit(symbol[pos]))
            {
                return false;
            }
            var digits = pos;
            while (pos < symbol.Length && char.IsAsciiDigit(symbol[pos]))
            {
                pos++;
            }
            if (!int.TryParse(symbol.AsSpan(digits, pos - digits), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || length > symbol.Length - pos)
            {
                return false;
            }
            elements.Add(symbol.Substring(pos, length));
            pos += length;
        }
        if (elements.Count == 0)
        {
            return false;
        }
        if (!keepHash && IsHash(elements[^1]))
        {
            elements.RemoveAt(elements.Count - 1);
        }
        demangled = string.Join("::", elements.Select(Unescape));
        rest = symbol[pos..];
        return true;
    }

    /// <summary><c>h</c> followed by hex digits: the crate-and-type hash rustc appends.</summary>
    private static bool IsHash(string element) =>
        element.Length > 1 && element[0] == 'h' && element.Skip(1).All(char.IsAsciiHexDigit);

    private static string Unescape(string element)
    {
        var rest = element.StartsWith("_$", StringComparison.Ordinal) ? element[1..] : element;
        var output = new StringBuilder();
        while (rest.Length > 0)
        {
            if (rest[0] == '.')
            {
                var isPath = rest.Length > 1 && rest[1] == '.';
                output.Append(isPath ? "::" : ".");
                rest = rest[(isPath ? 2 : 1)..];
            }
            else if (rest[0] == '$')
            {
                var end = rest.IndexOf('$', 1);
                if (end < 0 || Escape(rest[1..end]) is not { } unescaped)
                {
                    break;
                }
                output.Append(unescaped);
                rest = rest[(end + 1)..];
            }
            else
            {
                var next = rest.IndexOfAny(['$', '.']);
                if (next < 0)
                {
                    break;
                }
                output.Append(rest, 0, next);
                rest = rest[next..];
            }
        }
        return output.Append(rest).ToString();
    }

    private static string? Escape(string code) => code switch
    {
        "SP" => "@",
        "BP" => "*",
        "RF" => "&",
        "LT" => "<",
        "GT" => ">",
        "LP" => "(",
        "RP" => ")",
        "C" => ",",
        _ when code.Length > 1 && code[0] == 'u' && code.Skip(1).All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f')
               && uint.TryParse(code.AsSpan(1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var cp)
               && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) && !char.IsControl(char.ConvertFromUtf32((int)cp), 0)
            => char.ConvertFromUtf32((int)cp),
        _ => null,
    };
}
