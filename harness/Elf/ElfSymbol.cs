using Harness.Elf.Demangling;

namespace Harness.Elf;

/// <summary>A symbol's type (<c>STT_*</c>).</summary>
public enum SymbolType
{
    /// <summary><c>STT_NOTYPE</c> (e.g. linker-script symbols such as <c>__text_start</c>).</summary>
    NoType = 0,

    /// <summary><c>STT_OBJECT</c>: data.</summary>
    Object = 1,

    /// <summary><c>STT_FUNC</c>: code.</summary>
    Func = 2,

    /// <summary><c>STT_SECTION</c>.</summary>
    Section = 3,

    /// <summary><c>STT_FILE</c>.</summary>
    File = 4,

    /// <summary><c>STT_COMMON</c>.</summary>
    Common = 5,

    /// <summary><c>STT_TLS</c>: thread-local data.</summary>
    Tls = 6,
}

/// <summary>A symbol's binding (<c>STB_*</c>).</summary>
public enum SymbolBinding
{
    /// <summary><c>STB_LOCAL</c>.</summary>
    Local = 0,

    /// <summary><c>STB_GLOBAL</c>.</summary>
    Global = 1,

    /// <summary><c>STB_WEAK</c>.</summary>
    Weak = 2,
}

/// <summary>One entry of <c>.symtab</c>.</summary>
/// <param name="Name">The name as stored (mangled for Rust).</param>
/// <param name="Value">Its value (an address for FUNC and OBJECT).</param>
/// <param name="Size">Its size in bytes (0 when unknown).</param>
/// <param name="Type">Its type.</param>
/// <param name="Binding">Its binding.</param>
/// <param name="SectionIndex">The index of its section (0 undefined, 0xfff1 absolute).</param>
/// <param name="SectionName">The name of its section, or null for special indexes.</param>
public sealed record ElfSymbol(
    string Name,
    ulong Value,
    ulong Size,
    SymbolType Type,
    SymbolBinding Binding,
    int SectionIndex,
    string? SectionName)
{
    /// <summary>The name for display: Rust names demangled without their hash, others (C, NativeAOT) as stored.</summary>
    public string DisplayName { get; init; } = RustDemangler.Demangle(Name);

    /// <summary>True for FUNC and OBJECT symbols: the ones addresses are symbolized by.</summary>
    public bool IsCodeOrData => Type is SymbolType.Func or SymbolType.Object;

    /// <summary>True when <paramref name="address"/> is within <c>[Value, Value + Size)</c> (never for size 0).</summary>
    public bool Contains(ulong address) => address >= Value && address - Value < Size;

    /// <inheritdoc />
    public override string ToString() => $"{DisplayName} @ 0x{Value:x} ({Size} bytes, {Type}, {Binding})";
}
