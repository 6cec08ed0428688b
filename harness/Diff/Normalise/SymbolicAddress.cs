using Harness.Trace;

namespace Harness.Diff.Normalise;

/// <summary>
/// Compares addresses that belong to each kernel's own layout (statics, code) by what they name rather
/// than by value: "this kernel's static X", else the region (image section class, per-CPU area); any
/// other address is compared exactly.
/// </summary>
internal static class SymbolicAddress
{
    /// <summary>
    /// Renders both addresses at the finest level both sides can name, so that equal text means equal:
    /// static names when both resolve to statics, else regions when both are in the kernel's own regions,
    /// else the values themselves.
    /// </summary>
    public static (string A, string B) Render(ulong a, ulong b, DiffContext ctx)
    {
        var sa = ctx.LayoutA.StaticAt(a);
        var sb = ctx.LayoutB.StaticAt(b);
        if (sa is not null && sb is not null) return (Static(sa.Value), Static(sb.Value));
        var ra = Region(a, ctx.LayoutA, ctx.Classified);
        var rb = Region(b, ctx.LayoutB, ctx.Classified);
        if (ra is not null && rb is not null)
        {
            if (sa is not null || sb is not null || ctx.LayoutA.Statics.Count == 0 || ctx.LayoutB.Statics.Count == 0)
                ctx.Note("kernel statics compared by region (per-CPU area / image section), not by name: a side's header names no statics");
            return ($"{ra} ({Hex.Format(a)})", $"{rb} ({Hex.Format(b)})");
        }
        return (Hex.Format(a), Hex.Format(b));
    }

    /// <summary>True when the two addresses name the same thing (see <see cref="Render"/>).</summary>
    public static bool Same(ulong a, ulong b, DiffContext ctx, out string textA, out string textB)
    {
        (textA, textB) = Render(a, b, ctx);
        return Key(textA) == Key(textB);
    }

    /// <summary>The part of a rendering that is compared (the raw value in parentheses is information).</summary>
    private static string Key(string text)
    {
        var i = text.IndexOf(" (", StringComparison.Ordinal);
        return i < 0 ? text : text[..i];
    }

    private static string Static((string Name, ulong Offset) s) => s.Offset == 0 ? $"static {s.Name}" : $"static {s.Name}+{Hex.Format(s.Offset)}";

    private static string? Region(ulong address, KernelLayout layout, bool classified) =>
        address == 0 ? null
        : layout.IsPercpu(address) ? "per-CPU area"
        : layout.IsImageVirtual(address) ? $"kernel image {layout.ClassOf(address, classified)}"
        : null;
}
