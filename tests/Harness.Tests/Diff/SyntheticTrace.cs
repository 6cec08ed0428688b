using Harness.Trace;
using TraceModel = Harness.Trace.Trace;

namespace Harness.Tests.Diff;

/// <summary>
/// A tiny complete trace with one checkpoint whose page tables map the given 4 KiB pages in the first
/// 2 MiB at KERNEL_OFFSET (0xffffff0000000000): enough to test how kernel image pages are normalised.
/// </summary>
public static class SyntheticTrace
{
    public const ulong KernelOffset = 0xffffff0000000000;

    public static TraceModel Build(string name, IEnumerable<(ulong Va, ulong Pa, ulong Flags)> pages, IReadOnlyDictionary<string, ulong> sections)
    {
        var pt = new SortedDictionary<int, ulong>();
        foreach (var (va, pa, flags) in pages) pt[(int)((va - KernelOffset) >> 12)] = pa | flags;
        var counted = new SortedDictionary<int, ulong>(pt.ToDictionary());
        counted[0] = counted.GetValueOrDefault(0) | ((ulong)pt.Count << 52);
        var tables = new List<PageTable>
        {
            new(0x1000, 4, 0, new SortedDictionary<int, ulong> { [0] = 1UL << 52, [510] = 0x2003, [511] = 0x1003 }),
            new(0x2000, 3, KernelOffset, new SortedDictionary<int, ulong> { [0] = 0x3003 | (1UL << 52) }),
            new(0x3000, 2, KernelOffset, new SortedDictionary<int, ulong> { [0] = 0x4003 | (1UL << 52) }),
            new(0x4000, 1, KernelOffset, counted),
        };
        var header = new TraceHeader
        {
            Format = TraceFormat.Current,
            Scenario = "synthetic",
            Kernel = new KernelInfo { Which = name, Sections = new KernelSections(sections) },
            Args = new KernelArgs(0x100000, 0x400000, KernelOffset + 0x80000, 0x1f000, KernelOffset + 0x9f000, 0),
        };
        var checkpoint = new Checkpoint
        {
            Name = "kmain", Seq = 2, Ordinal = 0,
            Regs = new CpuRegisters { Cr3 = 0x1000 },
            PageTables = new PageTablesRecord(3, "kmain", 0x1000, tables),
        };
        return new TraceModel($"{name}.jsonl", header, [checkpoint], [], SerialLog.None,
            new EndRecord { Seq = 4, Complete = true, How = EndHow.Kmain, ReachedKmain = true }, [], []);
    }

    /// <summary>Section symbols with text [text, rodata), rodata [rodata, end).</summary>
    public static Dictionary<string, ulong> Sections(ulong text, ulong rodata, ulong end) => new()
    {
        ["__text_start"] = text, ["__text_end"] = rodata,
        ["__rodata_start"] = rodata, ["__rodata_end"] = end,
        ["__end"] = end,
    };
}
