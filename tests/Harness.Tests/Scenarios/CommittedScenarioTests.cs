using System.Security.Cryptography;
using System.Text;
using Harness.Scenarios;

namespace Harness.Tests.Scenarios;

/// <summary>The scenario files in traces/scenarios/ load and say what their reference's PROVENANCE.md says.</summary>
public sealed class CommittedScenarioTests
{
    private static readonly string[] Expected =
    [
        "e820-512th-entry", "hole-above-kernel", "no-free-above-kernel", "out-of-frames-heap",
        "q35-128m", "q35-2g", "q35-2g-800x600", "q35-2g-novga", "q35-2g-slot4m", "q35-2g-smp4",
        "q35-32m", "q35-512m", "seed-2018", "zero-length-wrap",
    ];

    // sha256 of each reference folder's e820.json (shared/reference/NAME/e820.json, as recorded).
    public static TheoryData<string, string> ExplicitMaps => new()
    {
        { "seed-2018", "7821db2e413ea6e42bf54f85a44a245a0ddd032fbbd510b93dbd8b297ff67cb6" },
        { "zero-length-wrap", "ac8a9261df7eca7683ef27dc5d18113b3dcbcbc46189c18e4078edbcad3de68f" },
        { "hole-above-kernel", "c8c8e1c52d63ffcd4b4ec77979104f0f15321819552061fd59b3cb197889257e" },
        { "out-of-frames-heap", "6b68acf442316afed5273e1758264f1122c3c2039f7447c3a86cd1926ae1bcfc" },
        { "no-free-above-kernel", "8ac5161028ccb0dcc8a9c733c0af430dcaa7d02317e700c62bb0c981de3d96df" },
        { "e820-512th-entry", "f90a0ae93cc2c52b7f6de06aa47983d4bb724ff554b99124673c6f516dc000ec" },
    };

    private static Scenario Get(string name) =>
        ScenarioLoader.Load(Path.Combine(ScenarioTestFiles.ScenariosDir, name + ".toml"));

    [Fact]
    public void AllCommittedScenariosLoad()
    {
        var all = ScenarioLoader.LoadAll(ScenarioTestFiles.ScenariosDir);
        Assert.Equal(all.Select(s => s.Name).Order(StringComparer.Ordinal), all.Select(s => s.Name));
        Assert.Subset(all.Select(s => s.Name).ToHashSet(), Expected.ToHashSet());
        foreach (var s in all.Where(s => Expected.Contains(s.Name)))
        {
            Assert.Equal(s.Name, s.Reference);
            Assert.NotEmpty(s.Description);
            Assert.Equal("q35", s.Machine.Type);
            Assert.Equal(30, s.Boot.TimeoutSeconds);
            Assert.Equal("", s.Boot.Env);
            Assert.False(string.IsNullOrWhiteSpace(s.Summary));
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EachScenarioLoadsAlone(string name)
    {
        var s = Get(name);
        Assert.Equal(name, s.Name);
        Assert.Equal(Path.GetFullPath(Path.Combine(ScenarioTestFiles.ScenariosDir, name + ".toml")), s.SourcePath);
    }

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var n in Expected)
            data.Add(n);
        return data;
    }

    [Fact]
    public void SettingsMatchTheReferenceProvenance()
    {
        // q35-2g: the original's kernel file as is (kernel_slot = "original": its own size as kernel_size,
        // handed to the port as its slot); every other one: the 4 MiB slot.
        Assert.Null(Get("q35-2g").Boot.KernelSlot);
        Assert.True(Get("q35-2g").Boot.SlotFollowsOriginal);
        foreach (var n in Expected.Where(n => n != "q35-2g"))
            Assert.Equal(0x400000UL, Get(n).Boot.KernelSlot);

        Assert.Equal(4, Get("q35-2g-smp4").Machine.Cpus);
        foreach (var n in Expected.Where(n => n != "q35-2g-smp4"))
            Assert.Equal(1, Get(n).Machine.Cpus);

        Assert.Equal(512, Get("q35-512m").Machine.MemoryMib);
        Assert.Equal(128, Get("q35-128m").Machine.MemoryMib);
        Assert.Equal(32, Get("q35-32m").Machine.MemoryMib);
        foreach (var n in Expected.Where(n => !n.StartsWith("q35-512m", StringComparison.Ordinal)
                                              && n is not ("q35-128m" or "q35-32m")))
            Assert.Equal(2048, Get(n).Machine.MemoryMib);

        Assert.Equal(new VbeMode(800, 600), Get("q35-2g-800x600").Boot.Vbe);
        var novga = Get("q35-2g-novga");
        Assert.Equal("none", novga.Machine.Vga);
        Assert.Null(novga.Boot.Vbe);
        foreach (var n in Expected.Where(n => n is not ("q35-2g-800x600" or "q35-2g-novga")))
        {
            Assert.Equal(new VbeMode(1024, 768), Get(n).Boot.Vbe);
            Assert.Equal("std", Get(n).Machine.Vga);
        }

        var explicitNames = ExplicitMaps.Select(row => (string)row[0]).ToHashSet();
        foreach (var n in Expected)
            Assert.Equal(explicitNames.Contains(n) ? E820Source.Explicit : E820Source.Bios, Get(n).E820.Source);
    }

    [Theory]
    [MemberData(nameof(ExplicitMaps))]
    public void ExplicitMapEqualsTheReferenceE820Json(string name, string referenceSha256)
    {
        var s = Get(name);

        // Self-contained: the map, written in e820.json's format, is byte for byte the reference's file.
        var text = E820Json.Format(s.E820.Areas);
        Assert.Equal(referenceSha256, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))));

        // And when the reference folder is at hand, its e820.json parses to the same areas.
        if (ScenarioTestFiles.ReferenceDir(name) is { } dir)
        {
            var file = Path.Combine(dir, "e820.json");
            Assert.Equal(referenceSha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))));
            Assert.Equal(E820Json.Load(file).ToArray(), s.E820.Areas.ToArray());
        }
    }

    [Fact]
    public void TheLongMapComesFromItsAreasFile()
    {
        var s = Get("e820-512th-entry");
        Assert.Equal(512, s.E820.Areas.Length);
        Assert.Equal(Path.Combine(ScenarioTestFiles.ScenariosDir, "e820-512th-entry.e820.json"), s.E820.AreasFile);
        Assert.Equal(new E820Area(0x100000, 2146299904, 1, 0), s.E820.Areas[511]);
        Assert.Contains("e820 explicit (512 areas)", s.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void SummaryIsOneLine()
    {
        Assert.Equal("q35, 2048 MiB, 1 cpu, vga std, vbe 1024x768, e820 bios, slot 0x400000", Get("q35-2g-slot4m").Summary);
        Assert.Equal("q35, 2048 MiB, 1 cpu, vga std, vbe 1024x768, e820 bios, slot = the original's size", Get("q35-2g").Summary);
        Assert.Equal("q35, 2048 MiB, 4 cpus, vga std, vbe 1024x768, e820 bios, slot 0x400000", Get("q35-2g-smp4").Summary);
        Assert.Equal("q35, 2048 MiB, 1 cpu, vga none, vbe none, e820 bios, slot 0x400000", Get("q35-2g-novga").Summary);
        Assert.Equal("q35, 2048 MiB, 1 cpu, vga std, vbe 1024x768, e820 explicit (9 areas), slot 0x400000", Get("seed-2018").Summary);
    }
}
