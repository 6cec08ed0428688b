namespace Harness.Trace;

/// <summary>
/// The linker's section-boundary symbols of one kernel ELF, by name (<c>__text_start</c>, <c>__text_end</c>,
/// <c>__rodata_start</c>, …, <c>__end</c>), as virtual addresses.
/// </summary>
public sealed class KernelSections
{
    /// <summary>The section classes a kernel page can belong to, in the order the original links them.</summary>
    public static readonly IReadOnlyList<string> Classes = ["text", "rodata", "data", "bss", "tdata", "tbss"];

    /// <summary>No symbols known.</summary>
    public static readonly KernelSections Empty = new(new Dictionary<string, ulong>());

    /// <summary>Creates the set from symbol name → address.</summary>
    public KernelSections(IReadOnlyDictionary<string, ulong> symbols) => Symbols = symbols;

    /// <summary>Every symbol recorded, by name.</summary>
    public IReadOnlyDictionary<string, ulong> Symbols { get; }

    /// <summary>True when no symbol is recorded.</summary>
    public bool IsEmpty => Symbols.Count == 0;

    /// <summary><c>__end</c>, the end of the loaded image, when recorded.</summary>
    public ulong? End => Symbols.TryGetValue("__end", out var v) ? v : null;

    /// <summary>The range [<c>__CLASS_start</c>, <c>__CLASS_end</c>) of a class, when both symbols are recorded.</summary>
    public (ulong Start, ulong End)? Range(string cls) =>
        Symbols.TryGetValue($"__{cls}_start", out var s) && Symbols.TryGetValue($"__{cls}_end", out var e) ? (s, e) : null;

    /// <summary>The class (<see cref="Classes"/>) whose range holds <paramref name="va"/>, or <c>other</c>.</summary>
    public string Classify(ulong va)
    {
        foreach (var cls in Classes)
            if (Range(cls) is { } r && va >= r.Start && va < r.End) return cls;
        return "other";
    }

    /// <summary>
    /// The class of the page [<paramref name="pageVa"/>, +<paramref name="pageSize"/>): the class of the first
    /// classed range that overlaps the page, in address order, or <c>other</c> when none does. So a page's class
    /// does not depend on where a section starts inside it: a rebuild of the original links <c>.got</c> before
    /// <c>.tdata</c> (<c>__tdata_start</c> = …1C9390, not page aligned) and its page is tdata, as in a build
    /// whose tdata starts on the page. A page that starts inside a classed range keeps that range's class (the
    /// original's paging::init gives a page the flags of the section holding its first byte).
    /// </summary>
    public string ClassifyPage(ulong pageVa, ulong pageSize = 0x1000)
    {
        var pageEnd = pageVa + pageSize;
        string? best = null;
        var bestStart = ulong.MaxValue;
        foreach (var cls in Classes)
        {
            if (Range(cls) is not { } r || r.End <= r.Start || r.End <= pageVa || r.Start >= pageEnd) continue;
            var from = Math.Max(r.Start, pageVa);
            if (from < bestStart) (best, bestStart) = (cls, from);
        }
        return best ?? "other";
    }
}
