using Harness.Trace;

namespace Harness.Diff.Normalise;

/// <summary>x86-64 page-table entry bits, and the Redox 0.3.5 entry counter kept in entry 0 of each table.</summary>
internal static class PageFlags
{
    public const ulong Present = 1UL << 0;
    public const ulong Writable = 1UL << 1;
    public const ulong User = 1UL << 2;
    public const ulong WriteThrough = 1UL << 3;
    public const ulong NoCache = 1UL << 4;
    public const ulong Accessed = 1UL << 5;
    public const ulong Dirty = 1UL << 6;
    public const ulong Huge = 1UL << 7;
    public const ulong Global = 1UL << 8;
    public const ulong NoExecute = 1UL << 63;

    /// <summary>Bits 12–51: the physical address of a frame or the next table.</summary>
    public const ulong AddressMask = 0x000F_FFFF_FFFF_F000;

    /// <summary>Bits 52–61 of entry 0: Redox's count of used entries in the table (<c>COUNTER_MASK</c>).</summary>
    public const ulong CounterMask = 0x3FF0_0000_0000_0000;

    /// <summary>Bits the CPU sets on access (accessed, dirty): they follow which bytes were touched.</summary>
    public const ulong HardwareSet = Accessed | Dirty;

    private static readonly (ulong Bit, string Name)[] Names =
    [
        (Present, "P"), (Writable, "W"), (User, "U"), (WriteThrough, "PWT"), (NoCache, "PCD"),
        (Accessed, "A"), (Dirty, "D"), (Huge, "PS"), (Global, "G"), (NoExecute, "NX"),
    ];

    /// <summary>The flag bits of an entry (everything but the address).</summary>
    public static ulong Of(ulong entry) => entry & ~AddressMask;

    /// <summary>Renders flags as names, e.g. <c>P W G NX</c>, plus any other bits in hex.</summary>
    public static string Render(ulong flags)
    {
        var parts = Names.Where(n => (flags & n.Bit) != 0).Select(n => n.Name).ToList();
        var rest = flags & ~Names.Aggregate(0UL, (m, n) => m | n.Bit);
        if (rest != 0) parts.Add("bits " + Hex.Format(rest));
        return parts.Count == 0 ? "-" : string.Join(' ', parts);
    }
}
