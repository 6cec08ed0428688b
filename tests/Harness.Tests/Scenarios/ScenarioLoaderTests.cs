using System.Text;
using Harness.Scenarios;

namespace Harness.Tests.Scenarios;

/// <summary>Defaults, accepted forms, and every refusal with its file and line.</summary>
public sealed class ScenarioLoaderTests
{
    private static ScenarioException LoadBad(TempDir dir, string toml, string file = "t.toml")
    {
        var path = dir.Write(file, toml);
        return Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path));
    }

    /// <summary>Load <paramref name="toml"/> as t.toml: the first error must be at that line (and column).</summary>
    private static void AssertError(string toml, int line, int? column, string fragment)
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "t.toml");
        var e = LoadBad(dir, toml);
        var first = e.First;
        Assert.Equal(path, first.File);
        Assert.True(line == first.Line, $"expected line {line}, got: {e.Message}");
        if (column is not null)
            Assert.True(column == first.Column, $"expected column {column}, got: {e.Message}");
        var prefix = column is null ? $"{path}:{line}:" : $"{path}:{line}:{column}:";
        Assert.StartsWith(prefix, e.Message, StringComparison.Ordinal);
        Assert.Contains(fragment, first.Text, StringComparison.Ordinal);
    }

    private static Scenario LoadGood(string toml)
    {
        using var dir = new TempDir();
        return ScenarioLoader.Load(dir.Write("t.toml", toml));
    }

    // --- defaults and accepted forms ----------------------------------------------------------

    [Fact]
    public void OnlyANameGivesTheDefaults()
    {
        var s = LoadGood("name = \"t\"\n");
        Assert.Equal("t", s.Name);
        Assert.Equal("", s.Description);
        Assert.Null(s.Reference);
        Assert.Equal(new MachineSpec("q35", 2048, 1, "std"), s.Machine);
        Assert.Equal(new BootSpec(null, new VbeMode(1024, 768), "", 30), s.Boot);
        Assert.Equal(E820Source.Bios, s.E820.Source);
        Assert.Empty(s.E820.Areas);
        Assert.Null(s.E820.AreasFile);
        Assert.Equal("q35, 2048 MiB, 1 cpu, vga std, vbe 1024x768, e820 bios, no slot", s.Summary);
    }

    [Fact]
    public void EmptyTablesGiveTheDefaults()
    {
        var s = LoadGood("name = \"t\"\n[machine]\n[boot]\n[e820]\n");
        Assert.Equal(MachineSpec.Default, s.Machine);
        Assert.Equal(new BootSpec(null, new VbeMode(1024, 768), "", 30), s.Boot);
        Assert.Equal(E820Spec.Bios, s.E820);
    }

    [Fact]
    public void NoVgaMeansNoVbeByDefault()
    {
        var s = LoadGood("name = \"t\"\n[machine]\nvga = \"none\"\n");
        Assert.Null(s.Boot.Vbe);
        Assert.Equal("none", s.Boot.VbeText);
    }

    [Fact]
    public void AllValuesAreRead()
    {
        var s = LoadGood("""
            name = "t"
            description = "d"
            reference = "q35-2g"
            [machine]
            type = "pc"
            memory_mib = 6144
            cpus = 4
            vga = "cirrus"
            [boot]
            kernel_slot = 0x400000
            vbe = "none"
            env = "A=1\nB=2\n"
            timeout_s = 90
            [e820]
            source = "explicit"
            areas = [ { base = 0x0, length = 0x9fc00, type = 1 }, { base = 0x100000, length = 0x7fe00000, type = 1, acpi = 1 } ]
            """);
        Assert.Equal("d", s.Description);
        Assert.Equal("q35-2g", s.Reference);
        Assert.Equal(new MachineSpec("pc", 6144, 4, "cirrus"), s.Machine);
        Assert.Equal(new BootSpec(0x400000, null, "A=1\nB=2\n", 90), s.Boot);
        Assert.Equal(Encoding.UTF8.GetBytes("A=1\nB=2\n"), s.Boot.EnvBytes);
        Assert.Equal([new E820Area(0, 0x9fc00, 1, 0), new E820Area(0x100000, 0x7fe00000, 1, 1)], s.E820.Areas.ToArray());
        Assert.Equal("pc, 6144 MiB, 4 cpus, vga cirrus, vbe none, e820 explicit (2 areas), slot 0x400000, env 8 bytes", s.Summary);
    }

    [Fact]
    public void DottedKeysAndArraysOfTablesAreTheSameAsTables()
    {
        var a = LoadGood("""
            name = "t"
            machine.memory_mib = 512
            e820.source = "explicit"
            [[e820.areas]]
            base = 0
            length = 0x9fc00
            type = 1
            [[e820.areas]]
            base = 0x100000
            length = 0x1000000
            type = 1
            """);
        Assert.Equal(512, a.Machine.MemoryMib);
        Assert.Equal([new E820Area(0, 0x9fc00, 1, 0), new E820Area(0x100000, 0x1000000, 1, 0)], a.E820.Areas.ToArray());
    }

    [Fact]
    public void LoadingTwiceGivesEqualScenarios()
    {
        using var dir = new TempDir();
        var path = dir.Write("t.toml", "name = \"t\"\n[e820]\nsource = \"explicit\"\nareas = [ { base = 0, length = 0x1000, type = 1 } ]\n");
        Assert.Equal(ScenarioLoader.Load(path), ScenarioLoader.Load(path));
    }

    [Fact]
    public void UpTo800AreasAreAllowedAndTheKernelSees512()
    {
        var toml = new StringBuilder("name = \"t\"\n[e820]\nsource = \"explicit\"\nareas = [\n");
        for (var i = 0; i < 800; i++)
            toml.Append("  { base = ").Append(i * 0x1000).Append(", length = 0x1000, type = 1 },\n");
        toml.Append("]\n");
        var s = LoadGood(toml.ToString());
        Assert.Equal(800, s.E820.Areas.Length);
        Assert.Contains("800 areas, 288 beyond the kernel's 512", s.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAreaMayEndExactlyAtThe52BitLimit()
    {
        var s = LoadGood("name = \"t\"\n[e820]\nsource = \"explicit\"\nareas = [ { base = 0xFFFFFFFFFF000, length = 0x1000, type = 2 }, { base = 0, length = 0, type = 1 } ]\n");
        Assert.Equal(new E820Area(0xFFFFFFFFFF000, 0x1000, 2, 0), s.E820.Areas[0]);
        Assert.Equal(new E820Area(0, 0, 1, 0), s.E820.Areas[1]);
    }

    // --- refusals: each names the file and the line ----------------------------------------------

    [Fact]
    public void TomlSyntaxError() =>
        AssertError("name = \"t\"\n[machine\nmemory_mib = 1\n", 2, null, "");

    [Fact]
    public void TomlValueMissing() =>
        AssertError("name = \"t\"\n\n[machine]\nmemory_mib =\n", 4, 13, "expecting a value");

    [Fact]
    public void DuplicateKey() =>
        AssertError("name = \"t\"\n[machine]\ncpus = 1\ncpus = 2\n", 4, 1, "already defined");

    [Fact]
    public void UnknownTopLevelKey() =>
        AssertError("name = \"t\"\ndescripton = \"typo\"\n", 2, 1, "unknown key `descripton` at the top level");

    [Fact]
    public void UnknownKeyInTable() =>
        AssertError("name = \"t\"\n[machine]\ncpus = 1\nmemroy_mib = 512\n", 4, 1, "unknown key `memroy_mib` in [machine]");

    [Fact]
    public void UnknownTable() =>
        AssertError("name = \"t\"\n[bot]\nvbe = \"none\"\n", 2, 2, "unknown key `bot`");

    [Fact]
    public void UnknownKeyInArea() =>
        AssertError("name = \"t\"\n[e820]\nsource = \"explicit\"\nareas = [\n  { base = 0, length = 0x1000, type = 1 },\n  { base = 0x1000, length = 0x1000, typ = 1, type = 1 },\n]\n",
            6, 37, "unknown key `typ` in [e820.areas[1]]");

    [Fact]
    public void WrongTypeString() =>
        AssertError("name = \"t\"\n[machine]\nmemory_mib = \"2048\"\n", 3, 14, "must be an integer, not a string");

    [Fact]
    public void WrongTypeFloat() =>
        AssertError("name = \"t\"\n[machine]\ncpus = 1.5\n", 3, 8, "must be an integer, not a float");

    [Fact]
    public void WrongTypeTable() =>
        AssertError("name = \"t\"\nmachine = \"q35\"\n", 2, 11, "`machine` must be a table, not a string");

    [Fact]
    public void WrongTypeName() =>
        AssertError("name = 5\n", 1, 8, "`name` must be a string, not an integer");

    [Theory]
    [InlineData("memory_mib = 0", "memory_mib")]
    [InlineData("memory_mib = 65537", "memory_mib")]
    [InlineData("memory_mib = -1", "memory_mib")]
    [InlineData("cpus = 0", "cpus")]
    [InlineData("cpus = 256", "cpus")]
    public void MachineOutOfRange(string line, string key) =>
        AssertError($"name = \"t\"\n[machine]\ntype = \"q35\"\n{line}\n", 4, line.IndexOf('=', StringComparison.Ordinal) + 3, $"`machine.{key}` = ");

    [Fact]
    public void MachineTypeUnknown() =>
        AssertError("name = \"t\"\n[machine]\ntype = \"isapc\"\n", 3, 8, "machine.type \"isapc\" is not one of \"q35\", \"pc\"");

    [Fact]
    public void VgaUnknown() =>
        AssertError("name = \"t\"\n[machine]\nvga = \"vga\"\n", 3, 7, "machine.vga \"vga\"");

    [Fact]
    public void NameDiffersFromFileStem() =>
        AssertError("# comment\nname = \"other\"\n", 2, 8, "must equal the file name stem \"t\"");

    [Fact]
    public void NameWithUpperCase()
    {
        using var dir = new TempDir();
        var e = LoadBad(dir, "name = \"Q35\"\n", "Q35.toml");
        Assert.StartsWith($"{Path.Combine(dir.Path, "Q35.toml")}:1:8:", e.Message, StringComparison.Ordinal);
        Assert.Contains("lower-case", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NameMissing() =>
        AssertError("description = \"no name\"\n", 1, null, "missing required key `name`");

    [Fact]
    public void ReferenceNotAFolderName() =>
        AssertError("name = \"t\"\nreference = \"../q35-2g\"\n", 2, 13, "must be a folder name");

    [Theory]
    [InlineData("1024*768")]
    [InlineData("0x768")]
    [InlineData("1024x")]
    [InlineData("65536x768")]
    [InlineData("1024X768")]
    [InlineData("")]
    public void VbeMalformed(string vbe) =>
        AssertError($"name = \"t\"\n[boot]\nvbe = \"{vbe}\"\n", 3, 7, "must be \"WIDTHxHEIGHT\"");

    [Fact]
    public void VbeWithoutVga() =>
        AssertError("name = \"t\"\n[machine]\nvga = \"none\"\n[boot]\nvbe = \"1024x768\"\n", 5, 7, "needs a VGA device");

    /// <summary>A slot need not be page aligned: the original's own kernel file (0xF21E8 bytes) is a slot.</summary>
    [Fact]
    public void SlotOfAnySizeIsAccepted()
    {
        var path = Path.Combine(Path.GetTempPath(), $"t-{Guid.NewGuid():N}", "t.toml");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "name = \"t\"\n[boot]\nkernel_slot = 0xF21E8\n");
        try
        {
            Assert.Equal(0xF21E8UL, ScenarioLoader.Load(path).Boot.KernelSlot);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    /// <summary><c>kernel_slot = "original"</c>: no size yet; the comparison gives the original's, to both kernels.</summary>
    [Fact]
    public void SlotThatFollowsTheOriginal()
    {
        var path = Path.Combine(Path.GetTempPath(), $"t-{Guid.NewGuid():N}", "t.toml");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "name = \"t\"\n[boot]\nkernel_slot = \"original\"\n");
        try
        {
            var s = ScenarioLoader.Load(path);
            Assert.True(s.Boot.SlotFollowsOriginal);
            Assert.Null(s.Boot.KernelSlot);
            Assert.EndsWith("slot = the original's size", s.Summary);
            var resolved = s.WithOriginalSize(0xF3380);
            Assert.Equal(0xF3380UL, resolved.Boot.KernelSlot);
            Assert.EndsWith("slot 0xf3380", resolved.Summary);
            Assert.Equal(0xF3380UL, resolved.WithOriginalSize(0x1000).Boot.KernelSlot); // made concrete once
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void AFixedSlotIgnoresTheOriginalSize()
    {
        var path = Path.Combine(Path.GetTempPath(), $"t-{Guid.NewGuid():N}", "t.toml");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "name = \"t\"\n[boot]\nkernel_slot = 0x400000\n");
        try
        {
            var s = ScenarioLoader.Load(path);
            Assert.False(s.Boot.SlotFollowsOriginal);
            Assert.Equal(0x400000UL, s.WithOriginalSize(0xF3380).Boot.KernelSlot);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void SlotOfAnotherString() =>
        AssertError("name = \"t\"\n[boot]\nkernel_slot = \"port\"\n", 3, 15, "must be an integer (the slot's size in bytes) or \"original\"");

    [Fact]
    public void SlotZero() =>
        AssertError("name = \"t\"\n[boot]\nkernel_slot = 0\n", 3, 15, "out of range");

    [Fact]
    public void SlotPastMemory() =>
        AssertError("name = \"t\"\n[machine]\nmemory_mib = 4\n[boot]\nkernel_slot = 0x400000\n", 5, 15, "past the machine's 4 MiB");

    [Fact]
    public void SlotPast4GiB() =>
        AssertError("name = \"t\"\n[machine]\nmemory_mib = 8192\n[boot]\nkernel_slot = 0x100000000\n", 5, 15, "out of range");

    [Fact]
    public void EnvTooLong() =>
        AssertError($"name = \"t\"\n[boot]\nenv = \"{new string('a', 4097)}\"\n", 3, 7, "more than 4096");

    [Fact]
    public void TimeoutZero() =>
        AssertError("name = \"t\"\n[boot]\ntimeout_s = 0\n", 3, 13, "out of range");

    [Fact]
    public void E820SourceUnknown() =>
        AssertError("name = \"t\"\n[e820]\nsource = \"uefi\"\n", 3, 10, "e820.source \"uefi\"");

    [Fact]
    public void BiosWithAreas() =>
        AssertError("name = \"t\"\n[e820]\nsource = \"bios\"\nareas = []\n", 4, 1, "needs source = \"explicit\"");

    [Fact]
    public void DefaultSourceWithAreas() =>
        AssertError("name = \"t\"\n[e820]\nareas = []\n", 3, 1, "the default");

    [Fact]
    public void ExplicitWithoutAreas() =>
        AssertError("name = \"t\"\n[e820]\nsource = \"explicit\"\n", 3, 10, "needs `areas` or `areas_file`");

    [Fact]
    public void AreasAndAreasFile() =>
        AssertError("name = \"t\"\n[e820]\nsource = \"explicit\"\nareas = []\nareas_file = \"x.json\"\n", 5, 1, "not both");

    [Fact]
    public void AreasNotAnArray() =>
        AssertError("name = \"t\"\n[e820]\nsource = \"explicit\"\nareas = 3\n", 4, 9, "must be an array");

    [Fact]
    public void AreaNotATable() =>
        AssertError("name = \"t\"\n[e820]\nsource = \"explicit\"\nareas = [\n  1,\n]\n", 5, 3, "must be a table");

    [Fact]
    public void AreaMissingLength() =>
        AssertError("name = \"t\"\n[e820]\nsource = \"explicit\"\nareas = [\n  { base = 0, length = 1, type = 1 },\n  { base = 0, type = 1 },\n]\n",
            6, null, "missing required key `e820.areas[1].length`");

    [Fact]
    public void AreaPast52Bits() =>
        AssertError("name = \"t\"\n[e820]\nsource = \"explicit\"\nareas = [\n  { base = 0, length = 0x1000, type = 1 },\n  { base = 0xFFFFFFFFFF000, length = 0x2000, type = 2 },\n]\n",
            6, 38, "exceeds the 52-bit physical address width");

    [Fact]
    public void AreaTypeBeyond32Bits() =>
        AssertError("name = \"t\"\n[e820]\nsource = \"explicit\"\nareas = [\n  { base = 0, length = 0x1000, type = 0x100000000 },\n]\n",
            5, 39, "`e820.areas[0].type` = 0x100000000 is out of range 0..0xffffffff");

    [Fact]
    public void AreaAcpiBeyond32Bits() =>
        AssertError("name = \"t\"\n[e820]\nsource = \"explicit\"\nareas = [ { base = 0, length = 0x1000, type = 1, acpi = -1 } ]\n",
            4, 57, "`e820.areas[0].acpi` = -1 is out of range");

    [Fact]
    public void AreaNegativeBase() =>
        AssertError("name = \"t\"\n[e820]\nsource = \"explicit\"\nareas = [ { base = -4096, length = 0x1000, type = 1 } ]\n",
            4, 20, "`e820.areas[0].base` = -4096 is out of range");

    [Fact]
    public void MoreThan800Areas()
    {
        var toml = new StringBuilder("name = \"t\"\n[e820]\nsource = \"explicit\"\nareas = [\n");
        for (var i = 0; i < 801; i++)
            toml.Append("  { base = ").Append(i * 0x1000).Append(", length = 0x1000, type = 1 },\n");
        toml.Append("]\n");
        AssertError(toml.ToString(), 4, 1, "801 areas: more than 800 do not fit at 0x500..0x5000");
    }

    [Fact]
    public void AllErrorsOfAFileAreReported()
    {
        using var dir = new TempDir();
        var e = LoadBad(dir, "name = \"t\"\n[machine]\ncpus = 0\nmemory_mib = 0\n[boot]\nvbe = \"big\"\n");
        Assert.Equal([3, 4, 6], e.Errors.Select(x => x.Line).ToArray());
        Assert.Equal(3, e.Message.Split('\n').Length);
    }

    [Fact]
    public void MissingFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-scenario-" + Guid.NewGuid().ToString("N") + ".toml");
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path));
        Assert.StartsWith($"{path}:1:", e.Message, StringComparison.Ordinal);
    }

    // --- areas_file ------------------------------------------------------------------------------

    private const string AreasFileToml = "name = \"t\"\n[e820]\nsource = \"explicit\"\nareas_file = \"t.e820.json\"\n";

    private static ScenarioException LoadBadJson(TempDir dir, string json)
    {
        dir.Write("t.e820.json", json);
        return LoadBad(dir, AreasFileToml);
    }

    [Fact]
    public void AreasFileIsRead()
    {
        using var dir = new TempDir();
        dir.Write("t.e820.json", "[[0, 654336, 1, 0],\n [1048576, 2146299904, 1]]");
        var s = ScenarioLoader.Load(dir.Write("t.toml", AreasFileToml));
        Assert.Equal([new E820Area(0, 654336, 1, 0), new E820Area(1048576, 2146299904, 1, 0)], s.E820.Areas.ToArray());
        Assert.Equal(Path.Combine(dir.Path, "t.e820.json"), s.E820.AreasFile);
    }

    [Fact]
    public void AreasFileMissing()
    {
        using var dir = new TempDir();
        var e = LoadBad(dir, AreasFileToml);
        Assert.StartsWith($"{Path.Combine(dir.Path, "t.toml")}:4:14:", e.Message, StringComparison.Ordinal);
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AreasFileAbsolute()
    {
        using var dir = new TempDir();
        var e = LoadBad(dir, "name = \"t\"\n[e820]\nsource = \"explicit\"\nareas_file = \"/etc/passwd\"\n");
        Assert.StartsWith($"{Path.Combine(dir.Path, "t.toml")}:4:14:", e.Message, StringComparison.Ordinal);
        Assert.Contains("relative", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AreasFileJsonSyntax()
    {
        using var dir = new TempDir();
        var e = LoadBadJson(dir, "[[0, 4096, 1, 0],\n [4096, 4096, 2, 0]\n [8192, 4096, 1, 0]]");
        Assert.Equal(Path.Combine(dir.Path, "t.e820.json"), e.First.File);
        Assert.Equal(3, e.First.Line);
        Assert.StartsWith($"{Path.Combine(dir.Path, "t.e820.json")}:3:", e.Message, StringComparison.Ordinal);
        Assert.Contains("invalid JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AreasFileShortEntry()
    {
        using var dir = new TempDir();
        var e = LoadBadJson(dir, "[[0, 4096, 1, 0],\n [4096, 4096]]");
        Assert.StartsWith($"{Path.Combine(dir.Path, "t.e820.json")}:2:2: area 1: expected [base, length, type, acpi]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AreasFileNotANumber()
    {
        using var dir = new TempDir();
        var e = LoadBadJson(dir, "[[0, 4096, 1, 0],\n\n [4096, \"4096\", 1, 0]]");
        Assert.StartsWith($"{Path.Combine(dir.Path, "t.e820.json")}:3:9: area 1: field 1 must be an unsigned integer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AreasFileTypeBeyond32Bits()
    {
        using var dir = new TempDir();
        var e = LoadBadJson(dir, "[[0, 4096, 4294967296, 0]]");
        Assert.StartsWith($"{Path.Combine(dir.Path, "t.e820.json")}:1:12: area 0: type 4294967296 does not fit in 32 bits", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AreasFilePast52Bits()
    {
        using var dir = new TempDir();
        var e = LoadBadJson(dir, "[[0, 4096, 1, 0],\n [4503599627370496, 1, 2, 0]]");
        Assert.StartsWith($"{Path.Combine(dir.Path, "t.e820.json")}:2:2: area 1: base 0x10000000000000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AreasFileMoreThan800()
    {
        using var dir = new TempDir();
        var json = "[" + string.Join(",\n", Enumerable.Range(0, 801).Select(i => $"[{i * 4096}, 4096, 1, 0]")) + "]";
        var e = LoadBadJson(dir, json);
        Assert.StartsWith($"{Path.Combine(dir.Path, "t.e820.json")}:801:1: area 800: more than 800 areas do not fit at 0x500..0x5000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AreasFileNotAnArray()
    {
        using var dir = new TempDir();
        var e = LoadBadJson(dir, "{\"areas\": []}");
        Assert.StartsWith($"{Path.Combine(dir.Path, "t.e820.json")}:1:1:", e.Message, StringComparison.Ordinal);
    }

    // --- LoadAll -----------------------------------------------------------------------------------

    [Fact]
    public void LoadAllSortsByName()
    {
        using var dir = new TempDir();
        dir.Write("b.toml", "name = \"b\"\n");
        dir.Write("a.toml", "name = \"a\"\n");
        dir.Write("notes.txt", "not a scenario");
        Assert.Equal(["a", "b"], ScenarioLoader.LoadAll(dir.Path).Select(s => s.Name).ToArray());
    }

    [Fact]
    public void LoadAllReportsDuplicateNamesNamingBothFiles()
    {
        using var dir = new TempDir();
        var first = dir.Write(Path.Combine("one", "x.toml"), "name = \"x\"\n");
        var second = dir.Write(Path.Combine("two", "x.toml"), "# the same name again\nname = \"x\"\n");
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.LoadAll(dir.Path));
        var error = Assert.Single(e.Errors);
        Assert.StartsWith($"{second}:2:", e.Message, StringComparison.Ordinal);
        Assert.Contains("duplicate scenario name \"x\"", error.Text, StringComparison.Ordinal);
        Assert.Contains($"{first}:1", error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadAllReportsEveryBadFile()
    {
        using var dir = new TempDir();
        var a = dir.Write("a.toml", "name = \"a\"\n[machine]\ncpus = 0\n");
        dir.Write("b.toml", "name = \"b\"\n");
        var c = dir.Write("c.toml", "name = \"wrong\"\n");
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.LoadAll(dir.Path));
        Assert.Equal([a, c], e.Errors.Select(x => x.File).ToArray());
        Assert.Equal([3, 1], e.Errors.Select(x => x.Line).ToArray());
    }
}
