using System.Globalization;
using System.Text.RegularExpressions;

namespace Harness.Gdb.Monitor;

/// <summary>
/// Reads the text of QEMU's <c>info registers</c> (target/i386 <c>x86_cpu_dump_state</c>):
/// segment lines <c>NAME=sel base limit flags ...</c>, <c>GDT=</c>/<c>IDT=</c> lines, and
/// <c>NAME=hex</c> pairs for the rest. Both the 32-bit and the 64-bit layouts are read.
/// </summary>
internal static partial class QemuRegisterDumpParser
{
    public static IReadOnlyList<QemuRegisterDump> ParseAll(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var blocks = new List<(int Cpu, List<string> Lines)>();
        foreach (var line in lines)
        {
            var cpu = CpuLine().Match(line);
            if (cpu.Success)
            {
                blocks.Add((int.Parse(cpu.Groups[1].Value, CultureInfo.InvariantCulture), []));
            }
            else if (line.Length > 0)
            {
                if (blocks.Count == 0)
                {
                    blocks.Add((0, []));
                }
                blocks[^1].Lines.Add(line);
            }
        }
        return blocks.Count == 0
            ? throw new FormatException("'info registers' output is empty")
            : blocks.Select(b => ParseBlock(b.Cpu, b.Lines)).ToList();
    }

    public static QemuRegisterDump Parse(string text) => ParseAll(text)[0];

    private static QemuRegisterDump ParseBlock(int cpu, List<string> lines)
    {
        var segments = new Dictionary<string, QemuSegment>(StringComparer.Ordinal);
        var tables = new Dictionary<string, QemuTableRegister>(StringComparer.Ordinal);
        var values = new Dictionary<string, MonitorHex>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var segment = SegmentLine().Match(line);
            if (segment.Success)
            {
                segments[segment.Groups["name"].Value] = new QemuSegment(
                    Hex(segment, "sel"), Hex(segment, "base"), Hex(segment, "limit"), Hex(segment, "flags"),
                    segment.Groups["details"].Value.Trim());
                continue;
            }
            var table = TableLine().Match(line);
            if (table.Success)
            {
                tables[table.Groups["name"].Value] = new QemuTableRegister(Hex(table, "base"), Hex(table, "limit"));
                continue;
            }
            foreach (Match pair in ValuePair().Matches(line))
            {
                values.TryAdd(pair.Groups["name"].Value, MonitorHex.Parse(pair.Groups["value"].Value));
            }
        }
        QemuSegment Seg(string name) => segments.TryGetValue(name, out var s)
            ? s
            : throw new FormatException($"'info registers' output of CPU {cpu} has no {name} line");
        QemuTableRegister Table(string name) => tables.TryGetValue(name, out var t)
            ? t
            : throw new FormatException($"'info registers' output of CPU {cpu} has no {name}= line");
        MonitorHex Value(string name) => values.TryGetValue(name, out var v)
            ? v
            : throw new FormatException($"'info registers' output of CPU {cpu} has no {name}= value");
        return new QemuRegisterDump(
            cpu, values.ContainsKey("RIP"),
            Seg("ES"), Seg("CS"), Seg("SS"), Seg("DS"), Seg("FS"), Seg("GS"), Seg("LDT"), Seg("TR"),
            Table("GDT"), Table("IDT"),
            Value("CR0"), Value("CR2"), Value("CR3"), Value("CR4"), Value("EFER"),
            values);
    }

    private static MonitorHex Hex(Match match, string group) => MonitorHex.Parse(match.Groups[group].Value);

    [GeneratedRegex(@"^CPU#(\d+)")]
    private static partial Regex CpuLine();

    [GeneratedRegex(@"^(?<name>ES|CS|SS|DS|FS|GS|LDT|TR) *=(?<sel>[0-9a-fA-F]{4}) (?<base>[0-9a-fA-F]+) (?<limit>[0-9a-fA-F]+) (?<flags>[0-9a-fA-F]+)(?<details>.*)$")]
    private static partial Regex SegmentLine();

    [GeneratedRegex(@"^(?<name>GDT|IDT)= +(?<base>[0-9a-fA-F]+) (?<limit>[0-9a-fA-F]+)")]
    private static partial Regex TableLine();

    [GeneratedRegex(@"(?<![A-Za-z0-9\[])(?<name>[A-Z][A-Z0-9]*) ?=(?<value>[0-9a-fA-F]+)(?![0-9a-zA-Z])")]
    private static partial Regex ValuePair();
}
