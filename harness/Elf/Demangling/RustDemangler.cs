namespace Harness.Elf.Demangling;

/// <summary>
/// Demangles Rust symbol names for display, in both manglings rustc uses: legacy
/// (<c>_ZN...17h&lt;hash&gt;E</c>) and v0 (<c>_R...</c>). Anything else (C names, NativeAOT names
/// such as <c>Kernel_Kernel_Memory__AllocateFrames</c>) and anything not understood is
/// returned unchanged. Follows rustc-demangle's output.
/// </summary>
public static class RustDemangler
{
    /// <summary>
    /// The demangled name, or <paramref name="symbol"/> itself when it is not a Rust name.
    /// </summary>
    /// <param name="symbol">The name as stored in the symbol table.</param>
    /// <param name="keepHash">
    /// False (the default, rustc-demangle's <c>{:#}</c>): drop the legacy hash and v0 crate
    /// disambiguators: <c>kernel::kmain</c>, <c>__rustc::rust_begin_unwind</c>. True
    /// (rustc-demangle's <c>{}</c>, as the reference observations print callers): keep them:
    /// <c>kernel::kmain::hec2b4820103f5bc5</c>, <c>__rustc[a8c46f2c900ea3c8]::rust_begin_unwind</c>.
    /// </param>
    public static string Demangle(string symbol, bool keepHash = false)
    {
        var core = StripLlvmSuffix(symbol);
        string? demangled;
        string rest;
        if (LegacyDemangler.TryDemangle(core, keepHash, out var legacy, out var legacyRest))
        {
            (demangled, rest) = (legacy, legacyRest);
        }
        else if (V0Demangler.TryDemangle(core, keepHash, out var v0, out var v0Rest))
        {
            (demangled, rest) = (v0, v0Rest);
        }
        else
        {
            return symbol;
        }
        // A trailing part must look like a compiler suffix (".cold", ".123"), else this was not a Rust name.
        return rest.Length == 0 || (rest[0] == '.' && rest.All(IsSymbolLike))
            ? demangled + rest
            : symbol;
    }

    /// <summary>True when <paramref name="symbol"/> demangles as a Rust name.</summary>
    public static bool IsRustSymbol(string symbol) => !ReferenceEquals(Demangle(symbol), symbol);

    /// <summary>Strips an LLVM ThinLTO suffix (<c>.llvm.</c> and hex digits), which rustc-demangle drops.</summary>
    private static string StripLlvmSuffix(string symbol)
    {
        var llvm = symbol.IndexOf(".llvm.", StringComparison.Ordinal);
        return llvm >= 0 && symbol[(llvm + 6)..].All(c => c is >= 'A' and <= 'F' or >= '0' and <= '9' or '@')
            ? symbol[..llvm]
            : symbol;
    }

    private static bool IsSymbolLike(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is >= '!' and <= '/' or >= ':' and <= '@' or >= '[' and <= '`' or >= '{' and <= '~';
}
