using Harness.Elf.Disassembly;
using Iced.Intel;

namespace Harness.Elf;

/// <summary>
/// An ELF64 x86-64 file loaded in memory: sections, segments, symbols, address
/// symbolization, section classes and virtual-address reads for disassembly.
/// </summary>
public sealed class ElfImage
{
    private readonly byte[] _data;
    private readonly Dictionary<string, ElfSymbol> _byName;
    private readonly ILookup<string, ElfSymbol> _byDisplayName;
    private readonly SymbolIndex _index;
    private readonly SectionClassifier _classifier;

    private ElfImage(string file, byte[] data, ushort type, ulong entry,
        IReadOnlyList<ElfSection> sections, IReadOnlyList<ElfSegment> segments, IReadOnlyList<ElfSymbol> symbols)
    {
        File = file;
        _data = data;
        FileType = type;
        Entry = entry;
        Sections = sections;
        Segments = segments;
        Symbols = symbols;
        _byName = new Dictionary<string, ElfSymbol>(StringComparer.Ordinal);
        foreach (var symbol in symbols.Where(s => s.Name.Length > 0).OrderBy(s => s.IsCodeOrData ? 0 : 1))
        {
            _byName.TryAdd(symbol.Name, symbol);
        }
        _byDisplayName = symbols.Where(s => s.Name.Length > 0 && s.DisplayName != s.Name).ToLookup(s => s.DisplayName, StringComparer.Ordinal);
        _index = new SymbolIndex(symbols);
        _classifier = new SectionClassifier(_byName, SectionAt);
    }

    /// <summary>The file this image was read from (path or the name given to <see cref="Parse"/>).</summary>
    public string File { get; }

    /// <summary><c>e_type</c> (2 EXEC, 3 DYN).</summary>
    public ushort FileType { get; }

    /// <summary>The entry point (<c>e_entry</c>, the 64-bit value at file offset 0x18).</summary>
    public ulong Entry { get; }

    /// <summary>The file's size in bytes.</summary>
    public long FileSize => _data.Length;

    /// <summary>All section headers, in table order.</summary>
    public IReadOnlyList<ElfSection> Sections { get; }

    /// <summary>All program headers.</summary>
    public IReadOnlyList<ElfSegment> Segments { get; }

    /// <summary>All symbols of <c>.symtab</c> (empty when loaded without requiring symbols from a stripped file).</summary>
    public IReadOnlyList<ElfSymbol> Symbols { get; }

    /// <summary>
    /// The address ranges taken from the linker-script symbols <c>__*_start</c>/<c>__*_end</c>
    /// (empty when the image defines none; classes then come from section names).
    /// </summary>
    public IReadOnlyList<(SectionClass Class, ulong Start, ulong End)> ClassRanges => _classifier.SymbolRanges;

    /// <summary>Reads and parses an ELF file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="requireSymbols">Fail when the file has no <c>.symtab</c> (the default: symbolization needs one).</param>
    /// <exception cref="ElfException">Not an ELF, not ELF64 x86-64, truncated, or without a symbol table.</exception>
    public static ElfImage Load(string path, bool requireSymbols = true)
    {
        byte[] data;
        try
        {
            data = System.IO.File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ElfException(path, $"cannot be read: {e.Message}");
        }
        return Parse(data, path, requireSymbols);
    }

    /// <summary>Parses ELF bytes; <paramref name="file"/> names them in errors.</summary>
    /// <exception cref="ElfException">Not an ELF, not ELF64 x86-64, truncated, or without a symbol table.</exception>
    public static ElfImage Parse(byte[] data, string file, bool requireSymbols = true)
    {
        var reader = new ElfReader(data, file);
        var header = reader.ReadHeader();
        var sections = reader.ReadSections(header);
        var segments = reader.ReadSegments(header);
        var symbols = reader.ReadSymbols(sections);
        if (symbols is null && requireSymbols)
        {
            throw new ElfException(file, "has no symbol table (stripped?)");
        }
        return new ElfImage(file, data, header.Type, header.Entry, sections, segments, symbols ?? []);
    }

    /// <summary>The section called <paramref name="name"/>, or null.</summary>
    public ElfSection? Section(string name) => Sections.FirstOrDefault(s => s.Name == name);

    /// <summary>
    /// The allocated section whose memory holds <paramref name="address"/>, or null. A TLS NOBITS
    /// section (<c>.tbss</c>) holds no addresses of its own: its template lives in each thread's area.
    /// </summary>
    public ElfSection? SectionAt(ulong address) =>
        Sections.Where(s => s.Contains(address) && !(s.IsNoBits && s.Flags.HasFlag(ElfSectionFlags.Tls)))
            .OrderBy(s => s.IsNoBits)
            .FirstOrDefault();

    /// <summary>
    /// The symbol with exactly this name: the stored (mangled) name, or else the display name
    /// (demangled, e.g. <c>kernel::kmain</c>) when exactly one symbol has it. Null if none.
    /// </summary>
    /// <exception cref="ElfException">The display name belongs to several symbols; the message lists them.</exception>
    public ElfSymbol? Lookup(string name)
    {
        if (_byName.TryGetValue(name, out var symbol))
        {
            return symbol;
        }
        var matches = _byDisplayName[name].ToList();
        return matches.Count switch
        {
            0 => null,
            1 => matches[0],
            _ => throw new ElfException(File, $"'{name}' names {matches.Count} symbols: {string.Join(", ", matches.Select(m => m.Name))}"),
        };
    }

    /// <summary>Like <see cref="Lookup"/>, but a missing symbol is an error naming the file.</summary>
    /// <exception cref="ElfException">No such symbol, or an ambiguous display name.</exception>
    public ElfSymbol Require(string name) =>
        Lookup(name) ?? throw new ElfException(File, $"has no symbol '{name}'");

    /// <summary>The symbols whose stored or display name starts with <paramref name="prefix"/>, by address.</summary>
    public IReadOnlyList<ElfSymbol> FindByPrefix(string prefix) =>
        Symbols.Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal) || s.DisplayName.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(s => s.Value)
            .ToList();

    /// <summary>The FUNC/OBJECT symbol <paramref name="address"/> falls in, with the offset, or null.</summary>
    public SymbolOffset? Resolve(ulong address) => _index.Resolve(address, a => SectionAt(a)?.Index);

    /// <summary><c>symbol+0xoff</c> for <paramref name="address"/> (display name), or <c>0x...</c> when no symbol covers it.</summary>
    public string Symbolize(ulong address) => Resolve(address)?.ToString() ?? $"0x{address:x}";

    /// <summary>The class (text, rodata, data, bss, tdata, tbss, other) of an address.</summary>
    public SectionClass ClassOf(ulong address) => _classifier.Classify(address);

    /// <summary>
    /// Reads <paramref name="length"/> bytes at virtual address <paramref name="address"/> from the
    /// contents of the allocated sections (NOBITS sections read as zeros).
    /// </summary>
    /// <exception cref="ElfException">Part of the range is in no allocated section.</exception>
    public byte[] ReadVirtual(ulong address, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var result = new byte[length];
        var done = 0;
        while (done < length)
        {
            var at = address + (ulong)done;
            var section = SectionAt(at)
                ?? throw new ElfException(File, $"virtual address 0x{at:x} is in no allocated section");
            var offsetInSection = at - section.Address;
            var count = (int)Math.Min((ulong)(length - done), section.Size - offsetInSection);
            if (!section.IsNoBits)
            {
                _data.AsSpan((int)(section.Offset + offsetInSection), count).CopyTo(result.AsSpan(done));
            }
            done += count;
        }
        return result;
    }

    /// <summary>
    /// The instructions around <paramref name="address"/>: <paramref name="before"/> before it and
    /// <paramref name="after"/> after it, decoded from the start of the containing function so that
    /// instruction boundaries are right; the one at (or covering) the address is marked.
    /// </summary>
    public DisassemblyListing Disassemble(ulong address, int before, int after) =>
        Disassembler.Around(this, address, before, after);

    /// <summary>Every instruction of a function symbol (by stored or display name).</summary>
    /// <exception cref="ElfException">No such symbol.</exception>
    public IReadOnlyList<DisassembledInstruction> DisassembleSymbol(string symbol) =>
        Disassembler.Symbol(this, Require(symbol));

    /// <summary>The instructions of a function that match <paramref name="predicate"/> (e.g. <c>i =&gt; i.Mnemonic == Mnemonic.Wrmsr</c>).</summary>
    /// <exception cref="ElfException">No such symbol.</exception>
    public IReadOnlyList<DisassembledInstruction> FindInstructions(string symbol, Func<Instruction, bool> predicate) =>
        DisassembleSymbol(symbol).Where(i => predicate(i.Instruction)).ToList();

    /// <summary>The symbol that starts next after <paramref name="address"/> (used to bound unsized functions).</summary>
    internal ElfSymbol? NextSymbolAfter(ulong address) => _index.NextAfter(address);
}
