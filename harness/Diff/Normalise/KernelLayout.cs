using Harness.Trace;

namespace Harness.Diff.Normalise;

/// <summary>
/// Where one kernel's image and statics lie, so that its addresses can be compared symbolically:
/// the image's physical range (kernel_base .. kernel_base + kernel_size, the slot), its virtual range
/// (the same at <see cref="DiffOptions.KernelOffset"/>, and the link range up to <c>__end</c>), the
/// section symbols and the named statics.
/// </summary>
internal sealed class KernelLayout
{
    public KernelLayout(Trace.Trace trace, KernelInfo kernel, DiffOptions options)
    {
        Sections = kernel.Sections;
        Statics = kernel.Statics;
        Handlers = kernel.Handlers.GroupBy(h => h.Value).ToDictionary(g => g.Key, g => string.Join(" = ", g.Select(h => h.Key).Order(StringComparer.Ordinal)));
        PercpuBase = options.PercpuBase;
        PercpuEnd = options.PercpuBase + options.PercpuSize;
        if (trace.Header.Args is { } args)
        {
            ImagePhys = (args.KernelBase, args.KernelBase + args.KernelSize);
            ImageVirt = (options.KernelOffset + args.KernelBase, options.KernelOffset + args.KernelBase + args.KernelSize);
        }
        if (Sections.End is { } end)
        {
            var start = Sections.Symbols.Values.Where(v => v >= options.KernelOffset && v < end).DefaultIfEmpty(end).Min();
            LinkRange = (Math.Min(start, options.KernelOffset + 0x100000), end);
        }
    }

    public KernelSections Sections { get; }

    public IReadOnlyDictionary<string, KernelStatic> Statics { get; }

    /// <summary>The image's physical range [start, end), when the trace's header has the kernel args.</summary>
    public (ulong Start, ulong End)? ImagePhys { get; }

    /// <summary>The image's virtual range [start, end) as mapped at KERNEL_OFFSET.</summary>
    public (ulong Start, ulong End)? ImageVirt { get; }

    /// <summary>The link range [first section, <c>__end</c>), when the section symbols are known.</summary>
    public (ulong Start, ulong End)? LinkRange { get; }

    /// <summary>Interrupt handlers by entry address → logical name (names sharing an entry joined by " = ").</summary>
    public IReadOnlyDictionary<ulong, string> Handlers { get; }

    public ulong PercpuBase { get; }

    public ulong PercpuEnd { get; }

    /// <summary>True when <paramref name="va"/> lies in the kernel image's virtual range or link range.</summary>
    public bool IsImageVirtual(ulong va) => In(ImageVirt, va) || In(LinkRange, va);

    /// <summary>True when <paramref name="pa"/> lies in the kernel image's physical range (the slot).</summary>
    public bool IsImagePhysical(ulong pa) => In(ImagePhys, pa);

    /// <summary>True when <paramref name="va"/> lies in the per-CPU area.</summary>
    public bool IsPercpu(ulong va) => va >= PercpuBase && va < PercpuEnd;

    /// <summary>
    /// The section class of an image address: text, rodata, data, bss, tdata, tbss or other; <c>image</c>
    /// when <paramref name="classified"/> is false (a side lacks symbols, so neither side is classed).
    /// </summary>
    public string ClassOf(ulong va, bool classified) => classified ? Sections.Classify(va) : "image";

    /// <summary>
    /// The section class of the 4 KiB image page at <paramref name="va"/> (<see cref="KernelSections.ClassifyPage"/>:
    /// not dependent on where a section starts inside the page); <c>image</c> when <paramref name="classified"/> is false.
    /// </summary>
    public string ClassOfPage(ulong va, bool classified) => classified ? Sections.ClassifyPage(va) : "image";

    /// <summary>The named static holding <paramref name="address"/> and the offset into it, or null.</summary>
    public (string Name, ulong Offset)? StaticAt(ulong address)
    {
        foreach (var (name, s) in Statics)
        {
            var size = Math.Max(s.Size ?? 1, 1);
            if (address >= s.Address && address - s.Address < size) return (name, address - s.Address);
        }
        return null;
    }

    private static bool In((ulong Start, ulong End)? range, ulong v) => range is { } r && v >= r.Start && v < r.End;
}
