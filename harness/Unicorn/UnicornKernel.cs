using System.Security.Cryptography;
using Harness.Elf;
using Harness.Observe.Map;
using Harness.Trace;
using Iced.Intel;

namespace Harness.Unicorn;

/// <summary>
/// A kernel ELF prepared for the in-process runner: its observation map resolved (the same map and the same
/// addresses as the QEMU observer), and one linear Iced pass over its executable sections for what Unicorn
/// needs besides: the return sites of every direct call to an allocation or free entry point. Immutable: one per kernel,
/// shared by every <see cref="UnicornMachine"/> (and thread) that runs it.
/// </summary>
public sealed class UnicornKernel
{
    private UnicornKernel(string path, byte[] file, ElfImage elf, ResolvedObservationMap map)
    {
        Path = path;
        File = file;
        Elf = elf;
        Map = map;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(file));
    }

    public string Path { get; }

    public byte[] File { get; }

    public ElfImage Elf { get; }

    public ResolvedObservationMap Map { get; }

    public string Sha256 { get; }

    /// <summary><c>port</c> or <c>original</c>, from the map.</summary>
    public string Which => Map.Map.Kernel;

    internal HashSet<ulong> AllocReturnSites { get; } = [];

    internal HashSet<ulong> FreeReturnSites { get; } = [];

    public KernelInfo Info { get; private set; } = new();

    /// <summary>Loads the ELF (with symbols) and resolves <paramref name="map"/> against it; errors name the file (and the map's line).</summary>
    public static UnicornKernel Load(string path, ObservationMap map)
    {
        var file = System.IO.File.ReadAllBytes(path);
        var elf = ElfImage.Load(path, requireSymbols: true);
        var resolved = ResolvedObservationMap.Resolve(map, elf);
        var k = new UnicornKernel(path, file, elf, resolved);
        k.Scan();
        var sections = new Dictionary<string, ulong>();
        foreach (var name in new[] { "__text_start", "__text_end", "__rodata_start", "__rodata_end", "__data_start", "__data_end",
                     "__bss_start", "__bss_end", "__tdata_start", "__tdata_end", "__tbss_start", "__tbss_end", "__end" })
            if (elf.Symbols.FirstOrDefault(s => s.Name == name) is { } s) sections[name] = s.Value;
        k.Info = new KernelInfo
        {
            Which = map.Kernel,
            Path = path,
            Sha256 = k.Sha256,
            Sections = new KernelSections(sections),
            Statics = resolved.Statics.ToDictionary(s => s.Name, s => new KernelStatic(s.Address, s.Size, s.Symbol)),
        };
        return k;
    }

    private void Scan()
    {
        var allocEntries = Map.FrameAlloc.Select(a => a.Address).ToHashSet();
        var freeEntries = Map.FrameFree.Select(f => f.Address).ToHashSet();
        foreach (var section in Elf.Sections.Where(s => s.IsAllocated && !s.IsNoBits && s.Flags.HasFlag(ElfSectionFlags.Execute)))
        {
            var bytes = Elf.ReadVirtual(section.Address, (int)section.Size);
            var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes), section.Address);
            var end = section.Address + section.Size;
            while (decoder.IP < end)
            {
                decoder.Decode(out var i);
                if (i.IsInvalid) continue;
                if (i.Mnemonic == Mnemonic.Call && i.IsCallNear)
                {
                    if (allocEntries.Contains(i.NearBranchTarget)) AllocReturnSites.Add(i.NextIP);
                    if (freeEntries.Contains(i.NearBranchTarget)) FreeReturnSites.Add(i.NextIP);
                }
            }
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, string> _callers = new();

    /// <summary>The return address symbolised as the QEMU observer does (<c>symbol + offset</c>); cached, the same sites recur.</summary>
    public string Caller(ulong returnAddress) => _callers.GetOrAdd(returnAddress, a =>
        Elf.Resolve(a) is { } r
            ? $"{ResolvedObservationMap.Display(r.Symbol)} + {r.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
            : $"0x{a:x}");

    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, string?> _functions = new();

    /// <summary>The name of the function containing <paramref name="address"/> (cached).</summary>
    public string? FunctionAt(ulong address) => _functions.GetOrAdd(address, a => Elf.Resolve(a)?.Symbol.Name);
}
