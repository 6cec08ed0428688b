using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Scenarios;

namespace Harness.Unicorn;

/// <summary>
/// What QEMU's firmware (SeaBIOS, and the VGA BIOS) leaves in low memory that the early boot or its
/// observation reads, captured once from a real QEMU boot stopped at the kernel's entry
/// (<c>harness unicorn-firmware</c>): the real-mode interrupt table at 0 (the IDT at the entry checkpoint),
/// the BIOS's E820 map as the loader stored it at 0x500, and the VBE card and mode info at 0x5000/0x5200.
/// One small JSON file per machine (<c>firmware/KEY.json</c>, embedded), with its provenance. No RAM snapshot.
/// </summary>
public sealed record Firmware(
    string Key,
    byte[] Ivt,
    IReadOnlyList<E820Area> BiosE820,
    byte[] VbeCard,
    byte[] VbeMode,
    JsonObject Provenance)
{
    public const ulong IvtAddress = 0x0;
    public const int IvtLength = 0x400;
    public const ulong VbeCardAddress = 0x5000;
    public const int VbeCardLength = 0x200;
    public const ulong VbeModeAddress = 0x5200;
    public const int VbeModeLength = 0x100;

    /// <summary>The key of a scenario's machine: type, memory, VGA, VBE mode (what changes what the firmware leaves).</summary>
    public static string KeyOf(Scenario s) =>
        string.Create(CultureInfo.InvariantCulture, $"{s.Machine.Type}-{s.Machine.MemoryMib}m-{s.Machine.Vga}-{s.Boot.VbeText}");

    public static IReadOnlyList<string> Embedded() =>
        typeof(Firmware).Assembly.GetManifestResourceNames().Where(n => n.StartsWith("firmware/", StringComparison.Ordinal))
            .Select(n => Path.GetFileNameWithoutExtension(n)).Order(StringComparer.Ordinal).ToList();

    /// <summary>The capture for <paramref name="scenario"/>'s machine: from <paramref name="directory"/> when given and present, else embedded.</summary>
    public static Firmware For(Scenario scenario, string? directory = null) => ByKey(KeyOf(scenario), directory, scenario.Name);

    /// <summary>The capture named <paramref name="key"/> (e.g. <c>q35-2048m-std-1024x768</c>): from <paramref name="directory"/> when present there, else embedded.</summary>
    public static Firmware ByKey(string key, string? directory = null, string? scenario = null)
    {
        if (directory is not null && File.Exists(Path.Combine(directory, key + ".json")))
            return Parse(File.ReadAllText(Path.Combine(directory, key + ".json")), Path.Combine(directory, key + ".json"));
        using var stream = typeof(Firmware).Assembly.GetManifestResourceStream($"firmware/{key}.json")
            ?? throw new FirmwareMissingException(key, scenario ?? "(a scenario on that machine)");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), $"firmware/{key}.json (embedded)");
    }

    public static Firmware Parse(string json, string source)
    {
        try
        {
            var o = JsonNode.Parse(json)!.AsObject();
            var e820 = o["e820"]!.AsArray().Select(a => a!.AsArray()).Select(a => new E820Area(
                ParseU64(a[0]!), ParseU64(a[1]!), (uint)ParseU64(a[2]!), (uint)ParseU64(a[3]!))).ToList();
            return new Firmware((string)o["key"]!, Convert.FromHexString((string)o["ivt"]!), e820,
                Convert.FromHexString((string)o["vbe_card"]!), Convert.FromHexString((string)o["vbe_mode"]!),
                o["provenance"]!.AsObject());
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or FormatException or InvalidOperationException or InvalidCastException)
        {
            throw new InvalidDataException($"{source}: not a firmware capture ({e.Message})", e);
        }
    }

    private static ulong ParseU64(JsonNode n) =>
        n.GetValueKind() == JsonValueKind.Number ? n.GetValue<ulong>()
        : ulong.Parse(((string)n!).Replace("0x", "", StringComparison.Ordinal), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    public string ToJson()
    {
        var o = new JsonObject
        {
            ["key"] = Key,
            ["provenance"] = Provenance.DeepClone(),
            ["e820"] = new JsonArray(BiosE820.Select(a => (JsonNode?)new JsonArray(
                $"0x{a.Base:x}", $"0x{a.Length:x}", (JsonNode)a.Type, (JsonNode)a.Acpi)).ToArray()),
            ["ivt"] = Convert.ToHexStringLower(Ivt),
            ["vbe_card"] = Convert.ToHexStringLower(VbeCard),
            ["vbe_mode"] = Convert.ToHexStringLower(VbeMode),
        };
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>Decodes the loader's E820 area (24-byte entries from 0x500): entries up to the first of type 0.</summary>
    public static List<E820Area> DecodeE820(ReadOnlySpan<byte> area)
    {
        var list = new List<E820Area>();
        for (var off = 0; off + 24 <= area.Length; off += 24)
        {
            var e = area.Slice(off, 24);
            var type = BitConverter.ToUInt32(e[16..]);
            if (type == 0) break;
            list.Add(new E820Area(BitConverter.ToUInt64(e), BitConverter.ToUInt64(e[8..]), type, BitConverter.ToUInt32(e[20..])));
        }
        return list;
    }
}

public sealed class FirmwareMissingException(string key, string scenario)
    : Exception($"no firmware capture '{key}' for scenario '{scenario}' (harness/Unicorn/firmware/{key}.json): " +
        $"capture it from QEMU with `harness unicorn-firmware --scenario {scenario}`")
{
    public string Key { get; } = key;
}
