using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Harness.Scenarios;

/// <summary>
/// One boot's inputs, as read from <c>traces/scenarios/NAME.toml</c> (schema: traces/scenarios/README.md).
/// Pure data: every value is validated by <see cref="ScenarioLoader"/>; turning it into a QEMU command line
/// or a loader image is the job of the stages that consume it.
/// </summary>
/// <param name="Name">Equals the file name stem; lower-case letters, digits, '-', '_' and '.'.</param>
/// <param name="Description">Free text, one line in listings ("" when absent).</param>
/// <param name="Reference">Folder name under traces/reference/ to diff against, or null.</param>
/// <param name="SourcePath">The TOML file this scenario was read from (full path).</param>
public sealed record Scenario(
    string Name,
    string Description,
    string? Reference,
    string SourcePath,
    MachineSpec Machine,
    BootSpec Boot,
    E820Spec E820)
{
    /// <summary>
    /// The folder embedded as the kernel's initfs (full path; the file names it relative to itself), or null:
    /// the empty initfs the reference recordings used. The folder is not read here: it may be a build output
    /// (build/userspace/initfs) that exists only after `make userspace`; a boot checks it (harness/Cli/InitFsCheck).
    /// </summary>
    public string? InitFs { get; init; }

    /// <summary>
    /// How the boot is expected to end when that is not one of the ends every boot may have (a panic, a declared clean
    /// exit): <c>[expect] end = "hang"</c>. Null: the usual ends only.
    /// </summary>
    public ExpectSpec? Expect { get; init; }

    /// <summary>One line for a listing: machine, memory, cpus, vga/vbe, E820 source and area count, kernel slot.</summary>
    public string Summary
    {
        get
        {
            var sb = new StringBuilder();
            sb.Append(CultureInfo.InvariantCulture,
                $"{Machine.Type}, {Machine.MemoryMib} MiB, {Machine.Cpus} cpu{(Machine.Cpus == 1 ? "" : "s")}, ");
            sb.Append(CultureInfo.InvariantCulture, $"vga {Machine.Vga}, vbe {Boot.VbeText}, ");
            sb.Append(E820.Source == E820Source.Bios
                ? "e820 bios"
                : string.Create(CultureInfo.InvariantCulture,
                    $"e820 explicit ({E820.Areas.Length} area{(E820.Areas.Length == 1 ? "" : "s")}{(E820.Areas.Length > E820Spec.KernelReadsEntries ? $", {E820.Areas.Length - E820Spec.KernelReadsEntries} beyond the kernel's {E820Spec.KernelReadsEntries}" : "")})"));
            sb.Append(", ");
            sb.Append(Boot.KernelSlot is { } slot
                ? string.Create(CultureInfo.InvariantCulture, $"slot 0x{slot:x}")
                : Boot.SlotFollowsOriginal ? "slot = the original's size" : "no slot");
            if (Boot.Env.Length > 0)
                sb.Append(CultureInfo.InvariantCulture, $", env {Boot.EnvBytes.Length} bytes");
            if (InitFs is not null)
                sb.Append(", initfs");
            if (Expect is { } expect)
                sb.Append(CultureInfo.InvariantCulture, $", expects {expect.End} (quiet {expect.QuietSeconds} s)");
            return sb.ToString();
        }
    }

    /// <summary>
    /// This scenario with <c>kernel_slot = "original"</c> made concrete: <paramref name="originalSize"/> (the size of
    /// the original kernel compared with: the live ELF's, or the reference recording's <c>kernel_size</c>) as the slot
    /// given to both kernels. A scenario with a fixed slot or none is returned unchanged.
    /// </summary>
    public Scenario WithOriginalSize(ulong originalSize) =>
        Boot.SlotFollowsOriginal && Boot.KernelSlot is null ? this with { Boot = Boot with { KernelSlot = originalSize } } : this;
}

/// <summary>The QEMU machine: <c>-machine Type -m MemoryMib -smp Cpus -vga Vga</c>.</summary>
public sealed record MachineSpec(string Type, int MemoryMib, int Cpus, string Vga)
{
    public const string DefaultType = "q35";
    public const int DefaultMemoryMib = 2048;
    public const int DefaultCpus = 1;
    public const string DefaultVga = "std";

    /// <summary>QEMU -machine values a scenario may name.</summary>
    public static readonly ImmutableArray<string> Types = ["q35", "pc"];

    /// <summary>QEMU -vga values for x86 a scenario may name; "none" means no VGA device, hence no VBE.</summary>
    public static readonly ImmutableArray<string> VgaTypes = ["std", "cirrus", "vmware", "qxl", "virtio", "none"];

    public const int MinMemoryMib = 1;
    public const int MaxMemoryMib = 65536;
    public const int MinCpus = 1;
    public const int MaxCpus = 255;

    public static MachineSpec Default { get; } = new(DefaultType, DefaultMemoryMib, DefaultCpus, DefaultVga);

    /// <summary>
    /// The bytes of RAM QEMU puts below 4 GiB (the rest goes above the PCI hole): q35 keeps all of it below when
    /// it is under 0xB0000000 bytes, else 2 GiB; pc all of it under 0xE0000000 bytes, else 3 GiB (QEMU 7.2's
    /// pc_q35.c / pc_piix.c, gigabyte-aligned). The loaded kernel must lie in it.
    /// </summary>
    public ulong LowMemoryBytes
    {
        get
        {
            var total = (ulong)MemoryMib << 20;
            return Type == "pc"
                ? total >= 0xE000_0000 ? 0xC000_0000 : total
                : total >= 0xB000_0000 ? 0x8000_0000 : total;
        }
    }
}

/// <summary>A VBE resolution; the loader picks the first 32-bpp mode of this size in the BIOS's list.</summary>
public readonly record struct VbeMode(int Width, int Height)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Width}x{Height}");
}

/// <summary>What the loader hands the kernel besides the memory map.</summary>
/// <param name="KernelSlot">Padded size reported as kernel_size instead of the file size, or null (the file size).</param>
/// <param name="Vbe">The mode the loader sets, or null: no mode is set (mode info at 0x5200 stays zero).</param>
/// <param name="Env">Environment block, copied byte for byte (UTF-8) onto the top of the stack.</param>
/// <param name="TimeoutSeconds">Wall-clock limit of one boot.</param>
public sealed record BootSpec(ulong? KernelSlot, VbeMode? Vbe, string Env, int TimeoutSeconds)
{
    /// <summary>The value of <c>kernel_slot</c> that makes the slot the size of the original kernel compared with.</summary>
    public const string OriginalSlot = "original";

    /// <summary>
    /// True for <c>kernel_slot = "original"</c>: the slot is the size of the original kernel being compared (set by
    /// <see cref="Scenario.WithOriginalSize"/>; until then <see cref="KernelSlot"/> is null, and a kernel booted on
    /// its own gets its own file size).
    /// </summary>
    public bool SlotFollowsOriginal { get; init; }

    public const int DefaultTimeoutSeconds = 30;
    public const int MinTimeoutSeconds = 1;
    public const int MaxTimeoutSeconds = 3600;
    public static readonly VbeMode DefaultVbe = new(1024, 768);

    /// <summary>Our limit on the environment block (the stack it is copied onto is 0x1F000 bytes).</summary>
    public const int MaxEnvBytes = 4096;

    /// <summary>The kernel file is loaded at this physical address; a slot is measured from here.</summary>
    public const ulong KernelBase = 0x100000;

    public const ulong PageSize = 0x1000;

    /// <summary>The loader's page tables map the first 4 GiB; the kernel must lie below that.</summary>
    public const ulong MaxKernelSlot = 0x1_0000_0000 - KernelBase;

    public byte[] EnvBytes => Encoding.UTF8.GetBytes(Env);

    /// <summary>"WxH" or "none", as written in a scenario file.</summary>
    public string VbeText => Vbe?.ToString() ?? "none";
}

public enum E820Source
{
    /// <summary>The firmware's own map (SeaBIOS, via INT 15h E820), as the original loader asks for it.</summary>
    Bios,

    /// <summary>A map given by the scenario, written at 0x500 (after zero-filling 0x500..0x5000) before the kernel reads it.</summary>
    Explicit,
}

/// <summary>One 24-byte E820 entry: base u64, length u64, type u32, acpi u32.</summary>
public readonly record struct E820Area(ulong Base, ulong Length, uint Type, uint Acpi)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"[0x{Base:x}, +0x{Length:x}, type {Type}, acpi {Acpi}]");
}

/// <summary>The memory map. <see cref="Areas"/> is empty for <see cref="E820Source.Bios"/>.</summary>
/// <param name="AreasFile">The JSON file the areas came from (full path), or null when inline or bios.</param>
public sealed record E820Spec(E820Source Source, ImmutableArray<E820Area> Areas, string? AreasFile)
{
    /// <summary>The loader's map area 0x500..0x5000 holds 0x4B00 / 24 = 800 entries.</summary>
    public const int MaxAreas = (0x5000 - 0x500) / EntrySize;

    /// <summary>The kernel of 0.3.5 copies this many entries from 0x500; later ones are never seen.</summary>
    public const int KernelReadsEntries = 512;

    public const int EntrySize = 24;

    /// <summary>x86-64 physical address width (bits): an area may not reach past 2^52.</summary>
    public const int PhysicalAddressBits = 52;

    public const ulong PhysicalAddressLimit = 1UL << PhysicalAddressBits;

    public static E820Spec Bios { get; } = new(E820Source.Bios, [], null);

    public bool Equals(E820Spec? other) =>
        other is not null
        && Source == other.Source
        && AreasFile == other.AreasFile
        && Areas.AsSpan().SequenceEqual(other.Areas.AsSpan());

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Source);
        h.Add(AreasFile);
        foreach (var a in Areas)
            h.Add(a);
        return h.ToHashCode();
    }
}

/// <summary>
/// The end a scenario expects besides the usual ones (<c>[expect]</c>). <see cref="Hang"/>: the kernel stops doing
/// anything observable (no breakpoint stop, no serial output) for <see cref="QuietSeconds"/> seconds while QEMU runs it;
/// the observer then interrupts it and records a last checkpoint, <c>hang</c>, with where the CPU is.
/// </summary>
public sealed record ExpectSpec(string End, int QuietSeconds)
{
    /// <summary>The one end a scenario can name today.</summary>
    public const string Hang = "hang";

    /// <summary>Every value <c>end</c> may take.</summary>
    public static readonly ImmutableArray<string> Ends = [Hang];

    public const int MinQuietSeconds = 1;
    public const int MaxQuietSeconds = 600;

    /// <summary>This expectation on a machine <paramref name="factor"/> times slower (the gate's --timeout-factor): the quiet window scales with the timeout.</summary>
    public ExpectSpec Scaled(int factor) => this with { QuietSeconds = QuietSeconds * Math.Max(1, factor) };
}
