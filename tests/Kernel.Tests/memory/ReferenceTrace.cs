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

    /// <summary>The trace file of a reference folder: trace.jsonl (recorded by `harness references`), or an imported observations.jsonl.</summary>
    public static string TraceFile(string scenario)
    {
        var dir = Path.Combine(Root, scenario);
        var trace = Path.Combine(dir, "trace.jsonl");
        return File.Exists(trace) ? trace : Path.Combine(dir, "observations.jsonl");
    }

    /// <summary>Every record of a reference, in order.</summary>
    public static List<JsonElement> Records(string scenario) =>
        File.ReadLines(TraceFile(scenario))
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .ToList();

    /// <summary>What the original wrote to its serial port: the trace's serial records, or an imported serial.log.</summary>
    public static string SerialText(string scenario)
    {
        var log = Path.Combine(Root, scenario, "serial.log");
        if (File.Exists(log)) return File.ReadAllText(log, System.Text.Encoding.Latin1);
        return string.Concat(Records(scenario)
            .Where(o => o.GetProperty("type").GetString() == "serial")
            .Select(o => o.GetProperty("text").GetString()));
    }

    public static ReferenceTrace Load(string scenario)
    {
        var obs = Records(scenario);
        var header = obs.First(o => o.GetProperty("type").GetString() == "header");
        var args = header.GetProperty("args").EnumerateArray().Select(Num).ToArray();

        // The map the kernel copied, as it printed it (every entry whose type is not null, in order): the
        // bump allocator only ever looks at the free ones, by address.
        var text = SerialText(scenario);
        var map = text.Split('\n').Select(l => AreaLine.Match(l.TrimEnd('\r'))).Where(m => m.Success).Select(m =>
            new MemoryArea
            {
                base_addr = ulong.Parse(m.Groups[1].Value), length = ulong.Parse(m.Groups[2].Value),
                _type = uint.Parse(m.Groups[3].Value), acpi = uint.Parse(m.Groups[4].Value),
            }).ToArray();
        return new ReferenceTrace(scenario, map, args[0], args[1], obs);
    }

    public static IEnumerable<string> Scenarios()
    {
        return Directory.GetDirectories(Root)
            .Where(d => File.Exists(Path.Combine(d, "trace.jsonl")) || File.Exists(Path.Combine(d, "observations.jsonl")))
            .Select(Path.GetFileName)
            .OrderBy(s => s, StringComparer.Ordinal)!;
    }
}
