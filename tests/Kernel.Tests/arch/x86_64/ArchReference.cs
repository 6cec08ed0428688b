#nullable enable
using System;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Kernel.Tests.arch.x86_64;

/// <summary>Tests that run the port's GDT/IDT/paging code over its statics run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ArchGlobals
{
    public const string Name = "arch-globals";
}

/// <summary>The original's recorded descriptors and page tables (traces/reference/q35-2g-slot4m).</summary>
public static class ArchReference
{
    public const string Scenario = "q35-2g-slot4m";

    private static string Dir([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        for (var d = new DirectoryInfo(Path.GetDirectoryName(source)!); d != null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "traces", "reference", Scenario);
            if (Directory.Exists(p) && File.Exists(Path.Combine(d.FullName, "csharp-kernel", "Kernel.csproj")))
            {
                return p;
            }
        }
        throw new DirectoryNotFoundException("traces/reference/" + Scenario + " not found above " + source);
    }

    /// <summary>The record of <paramref name="type"/> taken at <paramref name="checkpoint"/>.</summary>
    public static JsonElement Record(string type, string checkpoint)
    {
        var trace = Path.Combine(Dir(), "trace.jsonl");
        return File.ReadLines(File.Exists(trace) ? trace : Path.Combine(Dir(), "observations.jsonl"))
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .First(o => o.GetProperty("type").GetString() == type &&
                        (o.TryGetProperty("checkpoint", out var c) ? c.GetString() : o.TryGetProperty("name", out var n) ? n.GetString() : null) == checkpoint);
    }

    /// <summary>The hex bytes of a descriptors record's field (gdt, idt).</summary>
    public static byte[] DescriptorBytes(string field, string checkpoint) =>
        Convert.FromHexString(Record("descriptors", checkpoint).GetProperty(field).GetString()!);

    public static ulong Hex(string s) => Convert.ToUInt64(s.StartsWith("0x") ? s[2..] : s, 16);
}
