namespace Harness.Trace;

/// <summary>
/// The first record of a trace: what was booted, how, and with which observer.
/// Fields of <c>redox-observations/1</c> keep their names; the rest are null when read from that format.
/// </summary>
public sealed record TraceHeader
{
    /// <summary>The format the file declared (<see cref="TraceFormat"/>).</summary>
    public required string Format { get; init; }

    /// <summary>The scenario's name (traces/scenarios/NAME.toml); two traces are compared only when these match.</summary>
    public required string Scenario { get; init; }

    /// <summary>The kernel that was booted: which one, its file, its section symbols and statics.</summary>
    public required KernelInfo Kernel { get; init; }

    /// <summary>The padded kernel size the loader reported as <c>kernel_size</c>, or null when the file was passed as is.</summary>
    public ulong? KernelSlot { get; init; }

    /// <summary>The <c>KernelArgs</c> the kernel was handed, read at the entry of <c>kstart</c>.</summary>
    public KernelArgs? Args { get; init; }

    /// <summary>The physical address of the <c>KernelArgs</c> structure.</summary>
    public ulong? ArgsPtr { get; init; }

    /// <summary>The E820 map the observer wrote at 0x500 before the kernel read it, or null when the BIOS's map was used.</summary>
    public IReadOnlyList<E820Entry>? E820WrittenByObserver { get; init; }

    /// <summary>QEMU's version string (<c>qemu --version</c>, first line), when known.</summary>
    public string? QemuVersion { get; init; }

    /// <summary>QEMU's command-line options that matter for the boot, when known.</summary>
    public IReadOnlyList<string>? QemuArgs { get; init; }

    /// <summary>The harness version that wrote the trace, when known.</summary>
    public string? HarnessVersion { get; init; }

    /// <summary>The observation map the observer used (path and sha256), when known.</summary>
    public FileIdentity? ObservationMap { get; init; }
}

/// <summary>A file named by path and content hash.</summary>
/// <param name="Path">The path as the writer saw it (may be relative to the repository).</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file's bytes, or null when not known.</param>
public sealed record FileIdentity(string Path, string? Sha256);

/// <summary>Which of the two kernels a trace observed.</summary>
public static class KernelKind
{
    /// <summary>The C# port.</summary>
    public const string Port = "port";

    /// <summary>The original Redox 0.3.5 kernel.</summary>
    public const string Original = "original";
}

/// <summary>The kernel that was booted.</summary>
public sealed record KernelInfo
{
    /// <summary><see cref="KernelKind.Port"/> or <see cref="KernelKind.Original"/>; null when the trace does not say.</summary>
    public string? Which { get; init; }

    /// <summary>The ELF file as named by the recorder (<c>elf</c> in redox-observations/1).</summary>
    public string? Path { get; init; }

    /// <summary>Lower-case hex SHA-256 of the ELF file.</summary>
    public string? Sha256 { get; init; }

    /// <summary>The ELF's section-boundary symbols (<c>__text_start</c> … <c>__end</c>); empty when not recorded.</summary>
    public KernelSections Sections { get; init; } = KernelSections.Empty;

    /// <summary>
    /// Addresses of the kernel's statics under logical names shared by both kernels' observation maps
    /// (e.g. <c>gdt</c>, <c>tss</c>, <c>idt</c>); empty when not recorded.
    /// </summary>
    public IReadOnlyDictionary<string, KernelStatic> Statics { get; init; } = new Dictionary<string, KernelStatic>();

    /// <summary>
    /// The kernel's interrupt handlers under logical names shared by both kernels' observation maps (the original's
    /// module paths, e.g. <c>exception::page</c>, <c>irq::com1</c>) → the entry address in this kernel; empty when not recorded.
    /// </summary>
    public IReadOnlyDictionary<string, ulong> Handlers { get; init; } = new Dictionary<string, ulong>();
}

/// <summary>One static of the kernel: where it is in this binary.</summary>
/// <param name="Address">Its virtual address in this kernel.</param>
/// <param name="Size">Its size in bytes, when known.</param>
/// <param name="Symbol">This binary's own symbol for it, when known.</param>
public sealed record KernelStatic(ulong Address, ulong? Size, string? Symbol);

/// <summary>The packed <c>KernelArgs</c> the loader hands the kernel (six u64, in this order).</summary>
public sealed record KernelArgs(ulong KernelBase, ulong KernelSize, ulong StackBase, ulong StackSize, ulong EnvBase, ulong EnvSize)
{
    /// <summary>The six values in the order of the structure.</summary>
    public IReadOnlyList<ulong> ToList() => [KernelBase, KernelSize, StackBase, StackSize, EnvBase, EnvSize];
}

/// <summary>One 24-byte E820 entry: base, length, type (1 = free), ACPI attributes.</summary>
public sealed record E820Entry(ulong Base, ulong Length, uint Type, uint Acpi);
