using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Harness.Scenarios;

/// <summary>
/// Reads and validates scenario files (schema: traces/scenarios/README.md). Every problem is reported
/// as a <see cref="ScenarioException"/> whose lines start with <c>path:line:col:</c>.
/// </summary>
public static partial class ScenarioLoader
{
    /// <summary>Load one scenario file.</summary>
    public static Scenario Load(string path)
    {
        var errors = new List<ScenarioError>();
        var scenario = TryLoad(path, errors);
        if (errors.Count > 0 || scenario is null)
            throw new ScenarioException(errors);
        return scenario;
    }

    /// <summary>
    /// Load every <c>*.toml</c> under <paramref name="dir"/> (sub-folders included), sorted by name.
    /// All files are read; the errors of all of them, and every duplicate name (naming both files),
    /// are reported together.
    /// </summary>
    public static IReadOnlyList<Scenario> LoadAll(string dir)
    {
        if (!Directory.Exists(dir))
            throw new ScenarioException(new ScenarioError(dir, 1, null, "no such directory"));

        var errors = new List<ScenarioError>();
        var loaded = new List<Scenario>();
        var files = Directory.EnumerateFiles(dir, "*.toml", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var fileErrors = new List<ScenarioError>();
            var scenario = TryLoad(file, fileErrors);
            errors.AddRange(fileErrors);
            if (scenario is not null && fileErrors.Count == 0)
                loaded.Add(scenario);
        }

        var seen = new Dictionary<string, Scenario>(StringComparer.OrdinalIgnoreCase);
        foreach (var s in loaded)
        {
            if (seen.TryGetValue(s.Name, out var first))
            {
                errors.Add(new ScenarioError(s.SourcePath, NameLine(s.SourcePath), null,
                    $"duplicate scenario name \"{s.Name}\": also defined in {first.SourcePath}:{NameLine(first.SourcePath)}"));
            }
            else
            {
                seen.Add(s.Name, s);
            }
        }

        if (errors.Count > 0)
            throw new ScenarioException(errors);
        return loaded.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    // ---------------------------------------------------------------------------------------------

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^([0-9]+)x([0-9]+)$")]
    private static partial Regex VbePattern();

    private static readonly string[] TopKeys = ["name", "description", "reference", "initfs", "machine", "boot", "e820", "expect"];
    private static readonly string[] MachineKeys = ["type", "memory_mib", "cpus", "vga"];
    private static readonly string[] BootKeys = ["kernel_slot", "vbe", "env", "timeout_s"];
    private static readonly string[] ExpectKeys = ["end", "quiet_s"];
    private static readonly string[] E820Keys = ["source", "areas", "areas_file"];
    private static readonly string[] AreaKeys = ["base", "length", "type", "acpi"];

    private static int NameLine(string file)
    {
        try
        {
            var doc = SyntaxParser.Parse(File.ReadAllText(file), file, validate: true);
            foreach (var kv in doc.KeyValues)
            {
                if (kv.Key?.Key is BareKeySyntax { Key.Text: "name" } && kv.Key.DotKeys.ChildrenCount == 0)
                    return kv.Key.Span.Start.Line + 1;
            }
        }
        catch (IOException)
        {
        }

        return 1;
    }

    private static Scenario? TryLoad(string path, List<ScenarioError> errors)
    {
        var mine = new List<ScenarioError>();
        var scenario = TryLoadUnsorted(path, mine);

        // Report in reading order: the scenario file's errors by line, then those of its areas file.
        errors.AddRange(mine
            .OrderBy(e => e.File == path ? 0 : 1)
            .ThenBy(e => e.Line)
            .ThenBy(e => e.Column ?? 0));
        return scenario;
    }

    private static Scenario? TryLoadUnsorted(string path, List<ScenarioError> errors)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new ScenarioError(path, 1, null, $"cannot read the file: {e.Message}"));
            return null;
        }

        var doc = SyntaxParser.Parse(text, path, validate: true);
        if (doc.HasErrors)
        {
            foreach (var d in doc.Diagnostics)
            {
                if (d.Kind == DiagnosticMessageKind.Error)
                    errors.Add(new ScenarioError(path, d.Span.Start.Line + 1, d.Span.Start.Column + 1, d.Message));
            }

            return null;
        }

        TTable root;
        try
        {
            root = TomlTree.Build(doc);
        }
        catch (TomlTreeException e)
        {
            errors.Add(new ScenarioError(path, e.Span.Start.Line + 1, e.Span.Start.Column + 1, e.Message));
            return null;
        }

        var r = new Reader(path, errors);
        return ReadScenario(r, new TableView(r, root, ""));
    }

    private static Scenario? ReadScenario(Reader r, TableView top)
    {
        var stem = Path.GetFileNameWithoutExtension(r.File);

        var name = top.String("name", required: true);
        if (name is { } n)
        {
            if (!NamePattern().IsMatch(n.Value))
                r.Error(n.Span, $"name \"{n.Value}\" must be lower-case letters, digits, '-', '_' or '.' (it names folders)");
            else if (n.Value != stem)
                r.Error(n.Span, $"name \"{n.Value}\" must equal the file name stem \"{stem}\"");
        }

        var description = top.String("description")?.Value ?? "";

        var reference = top.String("reference");
        if (reference is { } rf && !NamePattern().IsMatch(rf.Value))
            r.Error(rf.Span, $"reference \"{rf.Value}\" must be a folder name under traces/reference/ (lower-case letters, digits, '-', '_' or '.')");

        string? initfs = null;
        if (top.String("initfs") is { } fs)
        {
            if (fs.Value.Length == 0 || fs.Value.Contains('\0', StringComparison.Ordinal))
                r.Error(fs.Span, "initfs must name a folder (relative to this file)");
            else if (Path.IsPathRooted(fs.Value))
                r.Error(fs.Span, $"initfs \"{fs.Value}\" must be relative to this file's folder, not absolute (scenarios are read from any checkout)");
            else
                initfs = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(r.File))!, fs.Value));
        }

        var machine = ReadMachine(r, top.Table("machine"));
        var boot = ReadBoot(r, top.Table("boot"), machine);
        var e820 = ReadE820(r, top.Table("e820"));
        var expect = ReadExpect(r, top.Table("expect"), boot);
        top.RejectUnknown(TopKeys);

        if (r.HasErrors || name is null || e820 is null)
            return null;

        return new Scenario(name.Value.Value, description, reference?.Value, Path.GetFullPath(r.File), machine, boot, e820) { InitFs = initfs, Expect = expect };
    }

    private static MachineSpec ReadMachine(Reader r, TableView? t)
    {
        if (t is null)
            return MachineSpec.Default;

        var type = MachineSpec.DefaultType;
        if (t.String("type") is { } ty)
        {
            if (MachineSpec.Types.Contains(ty.Value))
                type = ty.Value;
            else
                r.Error(ty.Span, $"machine.type \"{ty.Value}\" is not one of {Quoted(MachineSpec.Types)}");
        }

        var memorySpan = t.IntegerWithSpan("memory_mib", MachineSpec.MinMemoryMib, MachineSpec.MaxMemoryMib);
        var memory = (int)(memorySpan?.Value ?? MachineSpec.DefaultMemoryMib);
        if (memorySpan is { } ms && (ulong)ms.Value << 20 <= BootSpec.KernelBase)
            r.Error(ms.Span, $"memory_mib {ms.Value} leaves no room for the kernel, which the loader copies to 0x{BootSpec.KernelBase:x} (1 MiB): give at least 2");
        var cpus = (int)(t.Integer("cpus", MachineSpec.MinCpus, MachineSpec.MaxCpus) ?? MachineSpec.DefaultCpus);

        var vga = MachineSpec.DefaultVga;
        if (t.String("vga") is { } v)
        {
            if (MachineSpec.VgaTypes.Contains(v.Value))
                vga = v.Value;
            else
                r.Error(v.Span, $"machine.vga \"{v.Value}\" is not one of {Quoted(MachineSpec.VgaTypes)}");
        }

        t.RejectUnknown(MachineKeys);
        return new MachineSpec(type, memory, cpus, vga);
    }

    private static BootSpec ReadBoot(Reader r, TableView? t, MachineSpec machine)
    {
        var noVga = machine.Vga == "none";
        if (t is null)
            return new BootSpec(null, noVga ? null : BootSpec.DefaultVbe, "", BootSpec.DefaultTimeoutSeconds);

        ulong? slot = null;
        var slotFollowsOriginal = false;
        if (t.Peek("kernel_slot") is { Value: TScalar { Syntax: StringValueSyntax str } })
        {
            t.Take("kernel_slot");
            if (str.Value == BootSpec.OriginalSlot)
                slotFollowsOriginal = true;
            else
                r.Error(str.Span, $"kernel_slot \"{str.Value}\" must be an integer (the slot's size in bytes) or \"{BootSpec.OriginalSlot}\" (the size of the original kernel compared with)");
        }
        else if (t.IntegerWithSpan("kernel_slot", 1, (long)BootSpec.MaxKernelSlot) is { } s)
        {
            var value = (ulong)s.Value;
            if (BootSpec.KernelBase + value > (ulong)machine.MemoryMib << 20)
                r.Error(s.Span, $"kernel_slot 0x{value:x} loaded at 0x{BootSpec.KernelBase:x} ends past the machine's {machine.MemoryMib} MiB of memory");
            else if (BootSpec.KernelBase + value > machine.LowMemoryBytes)
                r.Error(s.Span, $"kernel_slot 0x{value:x} loaded at 0x{BootSpec.KernelBase:x} ends at 0x{BootSpec.KernelBase + value:x}, past the RAM below the PCI hole " +
                                $"(machine {machine.Type} with {machine.MemoryMib} MiB has 0x{machine.LowMemoryBytes:x} bytes below 4 GiB; the loader copies the kernel there)");
            else
                slot = value;
        }

        VbeMode? vbe = noVga ? null : BootSpec.DefaultVbe;
        if (t.String("vbe") is { } vb)
        {
            if (vb.Value == "none")
            {
                vbe = null;
            }
            else if (VbePattern().Match(vb.Value) is { Success: true } m
                     && int.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var w)
                     && int.TryParse(m.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var h)
                     && w is >= 1 and <= 0xFFFF && h is >= 1 and <= 0xFFFF)
            {
                if (noVga)
                    r.Error(vb.Span, $"vbe \"{vb.Value}\" needs a VGA device, but machine.vga is \"none\" (use vbe = \"none\")");
                else
                    vbe = new VbeMode(w, h);
            }
            else
            {
                r.Error(vb.Span, $"vbe \"{vb.Value}\" must be \"WIDTHxHEIGHT\" (each 1..65535, e.g. \"1024x768\") or \"none\"");
            }
        }

        var env = "";
        if (t.String("env") is { } e)
        {
            var bytes = Encoding.UTF8.GetByteCount(e.Value);
            if (bytes > BootSpec.MaxEnvBytes)
                r.Error(e.Span, $"env is {bytes} bytes, more than {BootSpec.MaxEnvBytes}");
            else
                env = e.Value;
        }

        var timeout = (int)(t.Integer("timeout_s", BootSpec.MinTimeoutSeconds, BootSpec.MaxTimeoutSeconds) ?? BootSpec.DefaultTimeoutSeconds);

        t.RejectUnknown(BootKeys);
        return new BootSpec(slot, vbe, env, timeout) { SlotFollowsOriginal = slotFollowsOriginal };
    }

    private static ExpectSpec? ReadExpect(Reader r, TableView? t, BootSpec boot)
    {
        if (t is null)
            return null;
        string? end = null;
        if (t.String("end", required: true) is { } e)
        {
            if (ExpectSpec.Ends.Contains(e.Value))
                end = e.Value;
            else
                r.Error(e.Span, $"expect.end \"{e.Value}\" is not one of {Quoted(ExpectSpec.Ends)} (a panic or a clean exit needs no [expect]: every boot may end so)");
        }
        var quiet = t.IntegerWithSpan("quiet_s", ExpectSpec.MinQuietSeconds, ExpectSpec.MaxQuietSeconds, required: end is not null);
        if (quiet is { } q && q.Value >= boot.TimeoutSeconds)
            r.Error(q.Span, $"expect.quiet_s {q.Value} must be shorter than boot.timeout_s {boot.TimeoutSeconds}: the quiet window must fit before the timeout ends the boot");
        t.RejectUnknown(ExpectKeys);
        return end is null || quiet is null ? null : new ExpectSpec(end, (int)quiet.Value.Value);
    }

    private static E820Spec? ReadE820(Reader r, TableView? t)
    {
        if (t is null)
            return E820Spec.Bios;

        var source = E820Source.Bios;
        var sourceValue = t.String("source");
        if (sourceValue is { } sv)
        {
            switch (sv.Value)
            {
                case "bios":
                    source = E820Source.Bios;
                    break;
                case "explicit":
                    source = E820Source.Explicit;
                    break;
                default:
                    r.Error(sv.Span, $"e820.source \"{sv.Value}\" is not one of \"bios\", \"explicit\"");
                    t.RejectUnknown(E820Keys);
                    return null;
            }
        }

        var areasEntry = t.Peek("areas");
        var fileEntry = t.Peek("areas_file");

        if (source == E820Source.Bios)
        {
            foreach (var entry in new[] { areasEntry, fileEntry })
            {
                if (entry is not null)
                    r.Error(entry.KeySpan, $"e820.{entry.Key} needs source = \"explicit\" (the source is \"bios\"{(sourceValue is null ? ", the default" : "")})");
            }

            t.Take("areas");
            t.Take("areas_file");
            t.RejectUnknown(E820Keys);
            return r.HasErrors ? null : E820Spec.Bios;
        }

        if (areasEntry is null && fileEntry is null)
        {
            r.Error(sourceValue!.Value.Span, "e820.source = \"explicit\" needs `areas` or `areas_file`");
            t.RejectUnknown(E820Keys);
            return null;
        }

        if (areasEntry is not null && fileEntry is not null)
        {
            r.Error(fileEntry.KeySpan, "give either e820.areas or e820.areas_file, not both");
            t.Take("areas");
            t.Take("areas_file");
            t.RejectUnknown(E820Keys);
            return null;
        }

        var errorsBefore = r.ErrorCount;
        ImmutableArray<E820Area> areas;
        string? areasFile = null;
        if (areasEntry is not null)
        {
            var array = t.Array("areas");
            if (array is null)
            {
                t.RejectUnknown(E820Keys);
                return null;
            }

            areas = ReadInlineAreas(r, array.Value.Value, areasEntry.KeySpan);
        }
        else
        {
            var file = t.String("areas_file");
            t.RejectUnknown(E820Keys);
            if (file is null)
                return null;
            var relative = file.Value.Value;
            if (relative.Length == 0 || Path.IsPathRooted(relative))
            {
                r.Error(file.Value.Span, $"areas_file \"{relative}\" must be a path relative to the scenario's folder");
                return null;
            }

            areasFile = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(r.File)) ?? ".", relative));
            if (!File.Exists(areasFile))
            {
                r.Error(file.Value.Span, $"areas_file \"{relative}\" not found ({areasFile})");
                return null;
            }

            var display = Path.Combine(Path.GetDirectoryName(r.File) ?? "", relative);
            areas = E820Json.Read(areasFile, display, r.Errors);
        }

        t.RejectUnknown(E820Keys);
        if (r.ErrorCount != errorsBefore)
            return null;
        return new E820Spec(E820Source.Explicit, areas, areasFile);
    }

    private static ImmutableArray<E820Area> ReadInlineAreas(Reader r, TArray array, SourceSpan keySpan)
    {
        if (array.Items.Count > E820Spec.MaxAreas)
        {
            r.Error(keySpan, $"e820.areas has {array.Items.Count} areas: more than {E820Spec.MaxAreas} do not fit at 0x500..0x5000 ({E820Spec.MaxAreas} entries of {E820Spec.EntrySize} bytes)");
            return [];
        }

        var result = ImmutableArray.CreateBuilder<E820Area>(array.Items.Count);
        for (var i = 0; i < array.Items.Count; i++)
        {
            var item = array.Items[i];
            if (item is not TTable table)
            {
                r.Error(item.Span, $"e820.areas[{i}] must be a table {{ base = ..., length = ..., type = ... }}, not {item.Describe()}");
                continue;
            }

            var view = new TableView(r, table, $"e820.areas[{i}]");
            var b = view.IntegerWithSpan("base", 0, long.MaxValue, required: true);
            var l = view.IntegerWithSpan("length", 0, long.MaxValue, required: true);
            var ty = view.Integer("type", 0, uint.MaxValue, required: true);
            var acpi = view.Integer("acpi", 0, uint.MaxValue) ?? 0;
            view.RejectUnknown(AreaKeys);
            if (b is null || l is null || ty is null)
                continue;

            var area = new E820Area((ulong)b.Value.Value, (ulong)l.Value.Value, (uint)ty.Value, (uint)acpi);
            if (CheckWidth(area) is { } problem)
            {
                r.Error(l.Value.Span, $"e820.areas[{i}] {problem}");
                continue;
            }

            result.Add(area);
        }

        return result.ToImmutable();
    }

    /// <summary>Null when the area lies within the physical address width, else why not.</summary>
    internal static string? CheckWidth(E820Area area)
    {
        var limit = E820Spec.PhysicalAddressLimit;
        if (area.Base > limit || area.Length > limit - area.Base)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"base 0x{area.Base:x} + length 0x{area.Length:x} exceeds the {E820Spec.PhysicalAddressBits}-bit physical address width (limit 0x{limit:x})");
        }

        return null;
    }

    private static string Quoted(IEnumerable<string> values) => string.Join(", ", values.Select(v => $"\"{v}\""));

    // ---------------------------------------------------------------------------------------------

    internal readonly record struct Located<T>(T Value, SourceSpan Span);

    internal sealed class Reader(string file, List<ScenarioError> errors)
    {
        public string File { get; } = file;

        public List<ScenarioError> Errors { get; } = errors;

        public int ErrorCount => Errors.Count;

        public bool HasErrors => Errors.Count > 0;

        public void Error(SourceSpan span, string text) =>
            Errors.Add(new ScenarioError(File, span.Start.Line + 1, span.Start.Column + 1, text));

        /// <summary>An error at a line without a useful column (e.g. a missing key: its table's header).</summary>
        public void ErrorAtLine(SourceSpan span, string text) =>
            Errors.Add(new ScenarioError(File, span.Start.Line + 1, null, text));
    }

    /// <summary>A table being read: typed access by key, and a check that no key was left unread.</summary>
    internal sealed class TableView(Reader reader, TTable table, string path)
    {
        private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

        private string Qualified(string key) => path.Length == 0 ? key : $"{path}.{key}";

        private string Where => path.Length == 0 ? "at the top level" : $"in [{path}]";

        public TEntry? Peek(string key) => table.Find(key);

        public TEntry? Take(string key)
        {
            _taken.Add(key);
            return table.Find(key);
        }

        private TEntry? TakeRequired(string key, bool required)
        {
            var entry = Take(key);
            if (entry is null && required)
                reader.ErrorAtLine(table.Span, $"missing required key `{Qualified(key)}`");
            return entry;
        }

        public Located<string>? String(string key, bool required = false)
        {
            var entry = TakeRequired(key, required);
            if (entry is null)
                return null;
            if (entry.Value is TScalar { Syntax: StringValueSyntax s })
                return new Located<string>(s.Value ?? "", s.Span);
            reader.Error(entry.Value.Span, $"`{Qualified(key)}` must be a string, not {entry.Value.Describe()}");
            return null;
        }

        public long? Integer(string key, long min, long max, bool required = false) =>
            IntegerWithSpan(key, min, max, required)?.Value;

        public Located<long>? IntegerWithSpan(string key, long min, long max, bool required = false)
        {
            var entry = TakeRequired(key, required);
            if (entry is null)
                return null;
            if (entry.Value is not TScalar { Syntax: IntegerValueSyntax i })
            {
                reader.Error(entry.Value.Span, $"`{Qualified(key)}` must be an integer, not {entry.Value.Describe()}");
                return null;
            }

            if (i.Value < min || i.Value > max)
            {
                reader.Error(i.Span, string.Create(CultureInfo.InvariantCulture,
                    $"`{Qualified(key)}` = {i.Token?.Text ?? i.Value.ToString(CultureInfo.InvariantCulture)} is out of range {Show(min)}..{Show(max)}"));
                return null;
            }

            return new Located<long>(i.Value, i.Span);
        }

        public TableView? Table(string key)
        {
            var entry = Take(key);
            if (entry is null)
                return null;
            if (entry.Value is TTable t)
                return new TableView(reader, t, Qualified(key));
            reader.Error(entry.Value.Span, $"`{Qualified(key)}` must be a table, not {entry.Value.Describe()}");
            return null;
        }

        public Located<TArray>? Array(string key)
        {
            var entry = Take(key);
            if (entry is null)
                return null;
            if (entry.Value is TArray a)
                return new Located<TArray>(a, a.Span);
            reader.Error(entry.Value.Span, $"`{Qualified(key)}` must be an array, not {entry.Value.Describe()}");
            return null;
        }

        /// <summary>Report every key of the table that no reader asked for (typos are not ignored).</summary>
        public void RejectUnknown(IReadOnlyCollection<string> known)
        {
            foreach (var entry in table.Entries)
            {
                if (_taken.Contains(entry.Key))
                    continue;
                _taken.Add(entry.Key);
                var expected = string.Join(", ", known);
                reader.Error(entry.KeySpan, known.Contains(entry.Key)
                    ? $"`{Qualified(entry.Key)}` is not allowed here"
                    : $"unknown key `{entry.Key}` {Where} (known keys: {expected})");
            }
        }

        private static string Show(long v) => v >= 0x10000
            ? string.Create(CultureInfo.InvariantCulture, $"0x{v:x}")
            : v.ToString(CultureInfo.InvariantCulture);
    }
}
