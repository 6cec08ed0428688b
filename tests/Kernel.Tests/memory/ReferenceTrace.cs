#nullable enable
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kernel.memory;

namespace Kernel.Tests.memory;

/// <summary>One boot of the original from traces/reference/: its map, kernel range and observations.</summary>
public sealed class ReferenceTrace
{
    public string Scenario { get; }
    public MemoryArea[] Map { get; }
    public ulong KernelBase { get; }
    public ulong KernelSize { get; }
    public List<JsonElement> Observations { get; }

    /// <summary>What kstart passes to memory::init as kernel_end: base + size rounded up to a page.</summary>
    public ulong KernelEnd => KernelBase + (KernelSize + 4095) / 4096 * 4096;

    private ReferenceTrace(string scenario, MemoryArea[] map, ulong kbase, ulong ksize, List<JsonElement> obs)
    {
        Scenario = scenario; Map = map; KernelBase = kbase; KernelSize = ksize; Observations = obs;
    }

    public static string Root => FindRoot();

    /// <summary>traces/reference of the repository this source file is in (the build output may be elsewhere).</summary>
    private static string FindRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        {
            for (var d = new DirectoryInfo(Path.GetDirectoryName(source)!); d != null; d = d.Parent)
            {
                var p = Path.Combine(d.FullName, "traces", "reference");
                if (Directory.Exists(p) && File.Exists(Path.Combine(d.FullName, "csharp-kernel", "Kernel.csproj")))
                {
                    return p;
                }
            }
            throw new DirectoryNotFoundException("traces/reference not found above " + source);
        }
    }

    public static ulong Hex(string s) => ulong.Parse(s.StartsWith("0x") ? s[2..] : s, NumberStyles.HexNumber);

    public static ulong Num(JsonElement e) => e.ValueKind == JsonValueKind.String ? Hex(e.GetString()!) : e.GetUInt64();

    private static readonly Regex AreaLine = new(@"^MemoryArea \{ base_addr: (\d+), length: (\d+), _type: (\d+), acpi: (\d+) \}$");

    public static ReferenceTrace Load(string scenario)
    {
        var dir = Path.Combine(Root, scenario);
        var obs = File.ReadLines(Path.Combine(dir, "observations.jsonl"))
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .ToList();
        var header = obs.First(o => o.GetProperty("type").GetString() == "header");
        var args = header.GetProperty("args").EnumerateArray().Select(Num).ToArray();

        MemoryArea[] map;
        var e820 = Path.Combine(dir, "e820.json");
        if (File.Exists(e820))
        {
            // the map the observer wrote at 0x500: every entry, the kernel copies the first 512
            using var doc = JsonDocument.Parse(File.ReadAllText(e820));
            map = doc.RootElement.EnumerateArray().Select(a =>
            {
                var v = a.EnumerateArray().Select(x => x.GetUInt64()).ToArray();
                return new MemoryArea { base_addr = v[0], length = v[1], _type = (uint)v[2], acpi = (uint)v[3] };
            }).ToArray();
        }
        else
        {
            // the BIOS's map, as the kernel printed it (non-null entries, in order)
            var text = File.ReadAllText(Path.Combine(dir, "serial.log"), System.Text.Encoding.Latin1);
            map = text.Split('\n').Select(l => AreaLine.Match(l.TrimEnd('\r'))).Where(m => m.Success).Select(m =>
                new MemoryArea
                {
                    base_addr = ulong.Parse(m.Groups[1].Value), length = ulong.Parse(m.Groups[2].Value),
                    _type = uint.Parse(m.Groups[3].Value), acpi = uint.Parse(m.Groups[4].Value),
                }).ToArray();
        }
        return new ReferenceTrace(scenario, map, args[0], args[1], obs);
    }

    public static IEnumerable<string> Scenarios()
    {
        return Directory.GetDirectories(Root)
            .Where(d => File.Exists(Path.Combine(d, "observations.jsonl")))
            .Select(Path.GetFileName)
            .OrderBy(s => s, StringComparer.Ordinal)!;
    }
}
