namespace Harness.Elf;

/// <summary>A symbol and an offset into it: <c>symbol+0xoff</c>.</summary>
/// <param name="Symbol">The symbol the address falls in.</param>
/// <param name="Offset">The address minus the symbol's value.</param>
public sealed record SymbolOffset(ElfSymbol Symbol, ulong Offset)
{
    /// <summary><c>DisplayName+0xoff</c>, e.g. <c>kernel::memory::allocate_frames+0x4d</c>.</summary>
    public override string ToString() => $"{Symbol.DisplayName}+0x{Offset:x}";
}

/// <summary>
/// Address-to-symbol lookup over FUNC and OBJECT symbols, sorted by address. A sized symbol
/// matches addresses inside it; an unsized one (size 0) matches when it is the nearest
/// preceding symbol in the same section.
/// </summary>
internal sealed class SymbolIndex
{
    /// <summary>How many preceding symbols are examined for one that still covers the address.</summary>
    private const int Lookback = 64;

    private readonly ElfSymbol[] _sorted;
    private readonly ulong[] _addresses;

    public SymbolIndex(IEnumerable<ElfSymbol> symbols)
    {
        // At one address prefer FUNC to OBJECT, global to local, sized to unsized: the best comes last.
        _sorted = symbols
            .Where(s => s.IsCodeOrData && s.SectionIndex != 0)
            .OrderBy(s => s.Value)
            .ThenBy(s => s.Size > 0)
            .ThenBy(s => s.Binding != SymbolBinding.Local)
            .ThenBy(s => s.Type == SymbolType.Func)
            .ToArray();
        _addresses = _sorted.Select(s => s.Value).ToArray();
    }

    public SymbolOffset? Resolve(ulong address, Func<ulong, int?> sectionOf)
    {
        var i = LastAtOrBefore(address);
        if (i < 0)
        {
            return null;
        }
        var nearest = _sorted[i];
        if (nearest.Size == 0)
        {
            return sectionOf(address) == nearest.SectionIndex ? new SymbolOffset(nearest, address - nearest.Value) : null;
        }
        for (var j = i; j >= 0 && j > i - Lookback; j--)
        {
            if (_sorted[j].Contains(address))
            {
                return new SymbolOffset(_sorted[j], address - _sorted[j].Value);
            }
        }
        return null;
    }

    /// <summary>The first symbol that starts after <paramref name="address"/>, if any.</summary>
    public ElfSymbol? NextAfter(ulong address)
    {
        var i = LastAtOrBefore(address) + 1;
        return i < _sorted.Length ? _sorted[i] : null;
    }

    private int LastAtOrBefore(ulong address)
    {
        var index = Array.BinarySearch(_addresses, address);
        if (index >= 0)
        {
            while (index + 1 < _addresses.Length && _addresses[index + 1] == address)
            {
                index++;
            }
            return index;
        }
        return ~index - 1;
    }
}
