using System.Globalization;
using System.Numerics;
using System.Text;

namespace Harness.Elf.Demangling;

/// <summary>
/// Rust's v0 mangling (RFC 2603): <c>_R</c>, a path (<c>C</c> crate root, <c>N</c> nested,
/// <c>M</c>/<c>X</c>/<c>Y</c> impls, <c>I</c> generic arguments, <c>B</c> back-references),
/// an optional instantiating crate. Types, lifetimes, function signatures, <c>dyn</c> and
/// integer/bool/char constants are printed; punycode identifiers and other constants make the
/// name fall back to its raw form.
/// </summary>
internal sealed class V0Demangler
{
    private const int MaxDepth = 300;
    private const string BasicTypes = "a:i8 b:bool c:char d:f64 e:str f:f32 h:u8 i:isize j:usize l:i32 m:u32 n:i128 o:u128 s:i16 t:u16 u:() v:... x:i64 y:u64 z:! p:_";

    private static readonly Dictionary<char, string> BasicTypeNames = BasicTypes.Split(' ')
        .ToDictionary(pair => pair[0], pair => pair[2..]);

    private readonly string _sym;
    private readonly bool _keepHash;
    private readonly StringBuilder _out = new();
    private int _pos;
    private int _depth;
    private int _boundLifetimes;

    private V0Demangler(string sym, bool keepHash)
    {
        _sym = sym;
        _keepHash = keepHash;
    }

    public static bool TryDemangle(string symbol, bool keepHash, out string demangled, out string rest)
    {
        demangled = "";
        rest = "";
        var start = symbol.StartsWith("_R", StringComparison.Ordinal) ? 2
            : symbol.StartsWith("__R", StringComparison.Ordinal) ? 3
            : -1;
        // Paths start with an upper-case letter; a leading digit would be an encoding version (unsupported).
        if (start < 0 || symbol.Length <= start || !char.IsAsciiLetterUpper(symbol[start]) || symbol.Any(c => c > 0x7f))
        {
            return false;
        }
        var demangler = new V0Demangler(symbol[start..], keepHash);
        try
        {
            demangler.PrintPath(inValue: true);
            // The instantiating crate, if any, is not printed.
            if (demangler._pos < demangler._sym.Length && char.IsAsciiLetterUpper(demangler._sym[demangler._pos]))
            {
                demangler.Skipping(() => demangler.PrintPath(inValue: false));
            }
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            return false;
        }
        demangled = demangler._out.ToString();
        rest = demangler._sym[demangler._pos..];
        return true;
    }

    private void PrintPath(bool inValue)
    {
        Enter();
        var tag = Next();
        switch (tag)
        {
            case 'C':
                var crateDisambiguator = Disambiguator();
                Print(Identifier());
                if (_keepHash && crateDisambiguator != 0)
                {
                    Print($"[{crateDisambiguator:x}]");
                }
                break;
            case 'N':
                var ns = Next();
                if (!char.IsAsciiLetter(ns))
                {
                    throw Invalid();
                }
                PrintPath(inValue);
                var disambiguator = Disambiguator();
                var name = Identifier();
                if (char.IsAsciiLetterUpper(ns))
                {
                    Print("::{");
                    Print(ns switch { 'C' => "closure", 'S' => "shim", _ => ns.ToString() });
                    if (name.Length > 0)
                    {
                        Print(":" + name);
                    }
                    Print($"#{disambiguator}}}");
                }
                else if (name.Length > 0)
                {
                    Print("::" + name);
                }
                break;
            case 'M' or 'X' or 'Y':
                if (tag != 'Y')
                {
                    Disambiguator();
                    Skipping(() => PrintPath(inValue: false));
                }
                Print("<");
                PrintType();
                if (tag != 'M')
                {
                    Print(" as ");
                    PrintPath(inValue: false);
                }
                Print(">");
                break;
            case 'I':
                PrintPath(inValue);
                Print(inValue ? "::<" : "<");
                PrintSequence(PrintGenericArg);
                Print(">");
                break;
            case 'B':
                AtBackref(() => PrintPath(inValue));
                break;
            default:
                throw Invalid();
        }
        Leave();
    }

    private void PrintGenericArg()
    {
        if (Eat('L'))
        {
            PrintLifetime(Base62());
        }
        else if (Eat('K'))
        {
            PrintConst();
        }
        else
        {
            PrintType();
        }
    }

    private void PrintType()
    {
        Enter();
        var tag = Next();
        if (BasicTypeNames.TryGetValue(tag, out var basic))
        {
            Print(basic);
            Leave();
            return;
        }
        switch (tag)
        {
            case 'R' or 'Q':
                Print("&");
                if (Eat('L'))
                {
                    var lifetime = Base62();
                    if (lifetime != 0)
                    {
                        PrintLifetime(lifetime);
                        Print(" ");
                    }
                }
                if (tag == 'Q')
                {
                    Print("mut ");
                }
                PrintType();
                break;
            case 'P' or 'O':
                Print(tag == 'P' ? "*const " : "*mut ");
                PrintType();
                break;
            case 'A' or 'S':
                Print("[");
                PrintType();
                if (tag == 'A')
                {
                    Print("; ");
                    PrintConst();
                }
                Print("]");
                break;
            case 'T':
                Print("(");
                var count = PrintSequence(PrintType);
                Print(count == 1 ? ",)" : ")");
                break;
            case 'F':
                InBinder(PrintFunctionSignature);
                break;
            case 'D':
                Print("dyn ");
                InBinder(() => PrintSequence(PrintDynTrait, " + "));
                if (!Eat('L'))
                {
                    throw Invalid();
                }
                var bound = Base62();
                if (bound != 0)
                {
                    Print(" + ");
                    PrintLifetime(bound);
                }
                break;
            case 'B':
                AtBackref(PrintType);
                break;
            default:
                _pos--;
                PrintPath(inValue: false);
                break;
        }
        Leave();
    }

    private void PrintFunctionSignature()
    {
        if (Eat('U'))
        {
            Print("unsafe ");
        }
        if (Eat('K'))
        {
            var abi = Eat('C') ? "C" : UndisambiguatedIdentifier().Replace('_', '-');
            Print($"extern \"{abi}\" ");
        }
        Print("fn(");
        PrintSequence(PrintType);
        Print(")");
        if (Eat('u'))
        {
            return; // returns ()
        }
        Print(" -> ");
        PrintType();
    }

    private void PrintDynTrait()
    {
        var open = PrintPathMaybeOpenGenerics();
        while (Eat('p'))
        {
            Print(open ? ", " : "<");
            open = true;
            Print(UndisambiguatedIdentifier() + " = ");
            PrintType();
        }
        if (open)
        {
            Print(">");
        }
    }

    /// <summary>A path whose generic arguments stay open so that associated-type bindings can follow.</summary>
    private bool PrintPathMaybeOpenGenerics()
    {
        if (Eat('B'))
        {
            var open = false;
            AtBackref(() => open = PrintPathMaybeOpenGenerics());
            return open;
        }
        if (Eat('I'))
        {
            PrintPath(inValue: false);
            Print("<");
            PrintSequence(PrintGenericArg);
            return true;
        }
        PrintPath(inValue: false);
        return false;
    }

    private void PrintConst()
    {
        Enter();
        var tag = Next();
        switch (tag)
        {
            case 'p':
                Print("_");
                break;
            case 'B':
                AtBackref(PrintConst);
                break;
            case 'h' or 't' or 'm' or 'y' or 'o' or 'j' or 'a' or 's' or 'l' or 'x' or 'n' or 'i':
                var negative = Eat('n');
                var value = HexNibbles();
                Print((negative ? "-" : "") + value.ToString(CultureInfo.InvariantCulture));
                if (_keepHash)
                {
                    Print(BasicTypeNames[tag]);
                }
                break;
            case 'b':
                var flag = HexNibbles();
                Print(flag == 0 ? "false" : flag == 1 ? "true" : throw Invalid());
                break;
            case 'c':
                var codepoint = HexNibbles();
                Print(codepoint <= 0x10FFFF && !(codepoint >= 0xD800 && codepoint <= 0xDFFF)
                    ? $"'{char.ConvertFromUtf32((int)codepoint)}'"
                    : throw Invalid());
                break;
            default:
                throw Invalid(); // str, references, arrays, ADT constants: not printed here
        }
        Leave();
    }

    private void PrintLifetime(ulong lifetime)
    {
        if (lifetime == 0)
        {
            Print("'_");
            return;
        }
        var index = (long)_boundLifetimes - (long)lifetime;
        if (index < 0)
        {
            throw Invalid();
        }
        Print(index < 26 ? $"'{(char)('a' + index)}" : $"'_{index}");
    }

    /// <summary>An optional <c>G</c> binder introduces lifetimes printed as <c>for&lt;'a, ...&gt;</c>.</summary>
    private void InBinder(Action body)
    {
        var saved = _boundLifetimes;
        if (Eat('G'))
        {
            var count = Base62() + 1;
            if (count > 1000)
            {
                throw Invalid();
            }
            Print("for<");
            for (ulong i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    Print(", ");
                }
                _boundLifetimes++;
                PrintLifetime(1);
            }
            Print("> ");
        }
        body();
        _boundLifetimes = saved;
    }

    /// <summary>Prints items until <c>E</c>, separated; returns how many.</summary>
    private int PrintSequence(Action item, string separator = ", ")
    {
        var count = 0;
        while (!Eat('E'))
        {
            if (count > 0)
            {
                Print(separator);
            }
            item();
            count++;
        }
        return count;
    }

    private void AtBackref(Action body)
    {
        var start = _pos - 1;
        var target = Base62();
        if (target >= (ulong)start)
        {
            throw Invalid(); // back-references point strictly backwards
        }
        var saved = _pos;
        _pos = (int)target;
        body();
        _pos = saved;
    }

    /// <summary>Parses and discards (used for impl paths and the instantiating crate).</summary>
    private void Skipping(Action body)
    {
        var length = _out.Length;
        body();
        _out.Length = length;
    }

    private string Identifier()
    {
        Disambiguator();
        return UndisambiguatedIdentifier();
    }

    private string UndisambiguatedIdentifier()
    {
        if (Eat('u'))
        {
            throw Invalid(); // punycode: fall back to the raw name
        }
        var length = Decimal();
        Eat('_');
        if (length > (ulong)(_sym.Length - _pos))
        {
            throw Invalid();
        }
        var name = _sym.Substring(_pos, (int)length);
        _pos += (int)length;
        return name;
    }

    private ulong Disambiguator() => Eat('s') ? checked(Base62() + 1) : 0;

    private ulong Base62()
    {
        if (Eat('_'))
        {
            return 0;
        }
        ulong value = 0;
        while (!Eat('_'))
        {
            var c = Next();
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'z' => c - 'a' + 10,
                >= 'A' and <= 'Z' => c - 'A' + 36,
                _ => throw Invalid(),
            };
            value = checked(value * 62 + (ulong)digit);
        }
        return checked(value + 1);
    }

    private ulong Decimal()
    {
        var start = _pos;
        if (Peek() == '0')
        {
            _pos++;
            return 0;
        }
        while (_pos < _sym.Length && char.IsAsciiDigit(_sym[_pos]))
        {
            _pos++;
        }
        return _pos > start && ulong.TryParse(_sym.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid();
    }

    /// <summary>Lower-case hex digits up to <c>_</c>, as a constant's value.</summary>
    private BigInteger HexNibbles()
    {
        var value = BigInteger.Zero;
        while (!Eat('_'))
        {
            var c = Next();
            var nibble = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                _ => throw Invalid(),
            };
            value = value * 16 + nibble;
        }
        return value;
    }

    private char Peek() => _pos < _sym.Length ? _sym[_pos] : '\0';

    private char Next() => _pos < _sym.Length ? _sym[_pos++] : throw Invalid();

    private bool Eat(char c)
    {
        if (Peek() != c)
        {
            return false;
        }
        _pos++;
        return true;
    }

    private void Print(string text) => _out.Append(text);

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw Invalid();
        }
    }

    private void Leave() => _depth--;

    private static FormatException Invalid() => new("not a v0 Rust symbol");
}
