using CsCheck;
using Harness.Scenarios;

namespace Harness.Fuzz;

/// <summary>A generated E820 map and the features it was built with (for the report and the corpus).</summary>
public sealed record GeneratedMap(IReadOnlyList<E820Area> Areas, IReadOnlyList<string> Features)
{
    public override string ToString() => $"{Areas.Count} areas [{string.Join(", ", Features)}]";
}

/// <summary>
/// CsCheck generators of E820 maps that reach the memory subsystem's quirks: a firmware-like base map (low
/// memory, reserved holes, one free area from 1 MiB of any size down to a few frames past the kernel slot,
/// RAM above 4 GiB), then some of: zero-length areas (at base 0 and elsewhere), overlapping areas, unsorted
/// order, areas inside the kernel's range, 500–513 entries (the kernel reads 512), free memory that ends
/// while the heap is mapped, ACPI types and attributes, huge areas above 4 GiB, unaligned bounds.
/// </summary>
public static class E820Maps
{
    public const ulong Kib = 1024, Mib = 1024 * Kib, Gib = 1024 * Mib;

    /// <summary>The kernel's slot in the base scenario (q35-2g-slot4m): 1 MiB + 4 MiB.</summary>
    public const ulong KernelStart = 0x100000, KernelEnd = 0x500000;

    private static readonly Gen<ulong> PageCount = Gen.Frequency<ulong>(
        (4, Gen.ULong[0, 16]),
        (3, Gen.ULong[16, 1024]),
        (2, Gen.ULong[1024, 1 << 20]));

    private static readonly Gen<uint> Type = Gen.Frequency<uint>(
        (6, Gen.Const(1u)), (4, Gen.Const(2u)), (2, Gen.Const(3u)), (2, Gen.Const(4u)), (1, Gen.Const(5u)), (1, Gen.UInt[6, 20]));

    private static readonly Gen<uint> Acpi = Gen.Frequency<uint>((8, Gen.Const(0u)), (1, Gen.Const(1u)), (1, Gen.UInt[2, 0xF]));

    /// <summary>Free RAM from 1 MiB: mostly enough for the boot, often only a few hundred frames past the slot (the heap runs out).</summary>
    private static readonly Gen<ulong> MainFreeEnd = Gen.Frequency<ulong>(
        (5, Gen.ULong[32, 4096].Select(m => m * Mib)),
        (3, Gen.ULong[200, 700].Select(p => KernelEnd + p * 0x1000)),
        (1, Gen.ULong[0, 200].Select(p => KernelEnd + p * 0x1000)),
        (1, Gen.ULong[0, 0x400].Select(p => KernelStart + p * 0x1000)));

    private static readonly Gen<List<E820Area>> Base =
        Gen.Select(MainFreeEnd, Gen.Bool, Gen.ULong[1, 64], (end, above4g, gib) =>
        {
            var list = new List<E820Area>
            {
                new(0, 0x9fc00, 1, 0),
                new(0x9fc00, 0x400, 2, 0),
                new(0xf0000, 0x10000, 2, 0),
                new(KernelStart, end - KernelStart, 1, 0),
                new(0xfffc0000, 0x40000, 2, 0),
            };
            if (above4g) list.Add(new(4 * Gib, gib * Gib, 1, 0));
            return list;
        });

    private delegate Gen<List<E820Area>> Mutation(List<E820Area> map);

    private static Gen<E820Area> AreaAt(Gen<ulong> baseGen) => Gen.Select(baseGen, PageCount, Type, Acpi, (b, pages, t, a) => new E820Area(b, pages * 0x1000, t, a));

    private static readonly (string Name, Func<List<E820Area>, Gen<List<E820Area>>> Apply)[] Mutations =
    [
        ("zero-length", map => Gen.Select(Gen.Frequency<ulong>((1, Gen.Const(0UL)), (2, Gen.ULong[0, 8 * Gib].Select(x => x & ~0xFFFUL))), Type, Gen.Int[0, map.Count],
            (b, t, at) => Insert(map, at, new E820Area(b, 0, t, 0)))),
        ("overlap", map => Gen.Select(AreaAt(Gen.ULong[0, 256 * Mib].Select(x => x & ~0xFFFUL)), Gen.Int[0, map.Count], (a, at) => Insert(map, at, a))),
        ("unsorted", map => Gen.Int[0, int.MaxValue].Select(seed =>
        {
            var copy = new List<E820Area>(map);
            var rng = new Random(seed);
            for (var i = copy.Count - 1; i > 0; i--)
            {
                var j = rng.Next(i + 1);
                (copy[i], copy[j]) = (copy[j], copy[i]);
            }
            return copy;
        })),
        ("inside-kernel", map => Gen.Select(Gen.ULong[KernelStart, KernelEnd - 1].Select(x => x & ~0xFFFUL), Gen.ULong[1, 1024], Type, Gen.Int[0, map.Count],
            (b, pages, t, at) => Insert(map, at, new E820Area(b, pages * 0x1000, t, 0)))),
        ("many-entries", map => Gen.Select(Gen.OneOf<int>(Gen.Const(500), Gen.Const(511), Gen.Const(512), Gen.Const(513), Gen.Int[480, 560]), Type, Gen.ULong[0, 1],
            (n, t, low) =>
            {
                var copy = new List<E820Area>(map);
                var at = low == 1 ? 0x6000_0000UL : 0x2_0000_0000UL;
                while (copy.Count < n)
                {
                    copy.Add(new E820Area(at, 0x1000, t, 0));
                    at += 0x3000;
                }
                return copy;
            })),
        ("acpi", map => Gen.Select(Gen.ULong[0x7000_0000, 0x8000_0000].Select(x => x & ~0xFFFUL), Gen.UInt[3, 4], Acpi, Gen.Int[0, map.Count],
            (b, t, a, at) => Insert(map, at, new E820Area(b, 0x21000, t, a)))),
        ("huge-above-4g", map => Gen.Select(Gen.ULong[4, 1 << 20].Select(g => g * Gib), Gen.ULong[1, 1UL << 40], Gen.Int[0, map.Count],
            (b, len, at) => Insert(map, at, new E820Area(b, len * 0x1000, 1, 0)))),
        ("wrap", map => Gen.Select(Gen.ULong[1, 1UL << 40], Gen.Int[0, map.Count],
            (b, at) => Insert(map, at, new E820Area(b * 0x1000, 0UL - b * 0x1000 + 0x1000 * (b & 3), 1, 0)))),
        ("unaligned", map => Gen.Select(Gen.ULong[KernelEnd, 64 * Mib], Gen.ULong[1, 0x100000], Gen.Int[0, map.Count],
            (b, len, at) => Insert(map, at, new E820Area(b, len, 1, 0)))),
        ("free-in-low-memory", map => Gen.Select(Gen.ULong[0, 0x9f].Select(p => p * 0x1000), Gen.ULong[1, 0x60], Gen.Int[0, map.Count],
            (b, pages, at) => Insert(map, at, new E820Area(b, pages * 0x1000, 1, 0)))),
    ];

    private static List<E820Area> Insert(List<E820Area> map, int at, E820Area a)
    {
        var copy = new List<E820Area>(map);
        copy.Insert(Math.Min(at, copy.Count), a);
        return copy;
    }

    /// <summary>A base map with zero to four mutations, each named in <see cref="GeneratedMap.Features"/>.</summary>
    public static Gen<GeneratedMap> Map { get; } =
        Gen.Select(Base, Gen.Int[0, Mutations.Length - 1].Array[0, 4], (b, picks) => (b, picks))
            .SelectMany(t => Apply(t.b, t.picks, 0, []));

    private static Gen<GeneratedMap> Apply(List<E820Area> map, int[] picks, int i, List<string> names)
    {
        if (i == picks.Length)
            return Gen.Const(new GeneratedMap(map.Take(BootLimit).ToList(), names.Count == 0 ? ["base"] : names));
        var (name, apply) = Mutations[picks[i]];
        return apply(map).SelectMany(next => Apply(next, picks, i + 1, [.. names, name]));
    }

    /// <summary>The loader stores at most 800 entries.</summary>
    public const int BootLimit = 800;

    /// <summary>Map number <paramref name="index"/> of the stream <paramref name="seed"/>: the same pair gives the same map, on any machine.</summary>
    public static GeneratedMap Generate(ulong seed, long index) => Map.Generate(new PCG((uint)(index & 0x7FFF_FFFF), seed + (ulong)index * 0x9E37_79B9_7F4A_7C15UL), null, out _);
}
