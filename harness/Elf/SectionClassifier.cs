namespace Harness.Elf;

/// <summary>
/// Classifies addresses as text, rodata, data, bss, tdata, tbss or other: by the linker-script
/// symbols <c>__text_start</c>/<c>__text_end</c>, <c>__rodata_*</c>, <c>__data_*</c>,
/// <c>__bss_*</c>, <c>__tdata_*</c>, <c>__tbss_*</c> where the image defines them (both
/// kernels do), else by the name of the section the address falls in.
/// </summary>
internal sealed class SectionClassifier
{
    private static readonly (SectionClass Class, string Name)[] Boundaries =
    [
        (SectionClass.Text, "text"),
        (SectionClass.Rodata, "rodata"),
        (SectionClass.Tdata, "tdata"),
        (SectionClass.Tbss, "tbss"),
        (SectionClass.Data, "data"),
        (SectionClass.Bss, "bss"),
    ];

    private readonly List<(SectionClass Class, ulong Start, ulong End)> _ranges = [];
    private readonly Func<ulong, ElfSection?> _sectionAt;

    public SectionClassifier(IReadOnlyDictionary<string, ElfSymbol> symbolsByName, Func<ulong, ElfSection?> sectionAt)
    {
        _sectionAt = sectionAt;
        foreach (var (cls, name) in Boundaries)
        {
            if (symbolsByName.TryGetValue($"__{name}_start", out var start)
                && symbolsByName.TryGetValue($"__{name}_end", out var end)
                && end.Value > start.Value)
            {
                _ranges.Add((cls, start.Value, end.Value));
            }
        }
    }

    /// <summary>The classes whose range came from linker-script symbols, with their ranges.</summary>
    public IReadOnlyList<(SectionClass Class, ulong Start, ulong End)> SymbolRanges => _ranges;

    public SectionClass Classify(ulong address)
    {
        foreach (var (cls, start, end) in _ranges)
        {
            if (address >= start && address < end)
            {
                return cls;
            }
        }
        return _sectionAt(address) is { } section ? ByName(section.Name) : SectionClass.Other;
    }

    /// <summary>The class a section name implies (<c>.text.foo</c> is text, <c>.tbss</c> is tbss...).</summary>
    public static SectionClass ByName(string name) =>
        Is(name, ".text") || Is(name, ".init") || Is(name, ".fini") ? SectionClass.Text
        : Is(name, ".rodata") ? SectionClass.Rodata
        : Is(name, ".tdata") ? SectionClass.Tdata
        : Is(name, ".tbss") ? SectionClass.Tbss
        : Is(name, ".data") ? SectionClass.Data
        : Is(name, ".bss") ? SectionClass.Bss
        : SectionClass.Other;

    private static bool Is(string name, string prefix) =>
        name == prefix || name.StartsWith(prefix + ".", StringComparison.Ordinal);
}
