namespace Harness.Diff;

/// <summary>
/// The accepted divergences of traces/divergences.toml. A comparison asks it whether a difference is
/// accepted; entries that accept nothing are reported as stale.
/// </summary>
public sealed class DivergenceRegistry
{
    /// <summary>No accepted divergences.</summary>
    public static readonly DivergenceRegistry Empty = new([]);

    /// <summary>Creates a registry from entries (see <see cref="Load"/> and <see cref="Parse"/>).</summary>
    public DivergenceRegistry(IReadOnlyList<AcceptedDivergence> entries) => Entries = entries;

    /// <summary>The entries in file order.</summary>
    public IReadOnlyList<AcceptedDivergence> Entries { get; }

    /// <summary>Reads a divergences.toml file.</summary>
    /// <exception cref="RegistryFormatException">The file is not valid TOML or an entry is malformed.</exception>
    public static DivergenceRegistry Load(string path) => Parse(System.IO.File.ReadAllText(path), path);

    /// <summary>Reads divergences.toml text; <paramref name="file"/> names it in messages.</summary>
    /// <exception cref="RegistryFormatException">The text is not valid TOML or an entry is malformed.</exception>
    public static DivergenceRegistry Parse(string text, string file) => new(RegistryParser.Parse(text, file));

    /// <summary>The first entry that accepts <paramref name="d"/>, or null.</summary>
    public AcceptedDivergence? Match(Difference d, string scenario, BootOrder? order = null) =>
        Entries.FirstOrDefault(e => e.Accepts(d, scenario, order));

    /// <summary>
    /// The entries that accepted nothing in any of <paramref name="results"/>: stale, to be removed or fixed.
    /// An entry whose scenarios match none of the compared scenarios is stale too.
    /// </summary>
    public IReadOnlyList<AcceptedDivergence> Stale(IEnumerable<DiffResult> results)
    {
        var used = results.SelectMany(r => r.Accepted).Select(a => a.Entry).ToHashSet();
        return Entries.Where(e => !used.Contains(e)).ToList();
    }
}
