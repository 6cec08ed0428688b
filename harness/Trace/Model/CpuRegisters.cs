namespace Harness.Trace;

/// <summary>
/// The CPU state at a checkpoint, as QEMU's monitor shows it (<c>regs</c> of a checkpoint record).
/// Every field is null when the recorder did not give it.
/// </summary>
public sealed record CpuRegisters
{
    /// <summary>CR0.</summary>
    public ulong? Cr0 { get; init; }

    /// <summary>CR3 (the PML4's physical address and flags).</summary>
    public ulong? Cr3 { get; init; }

    /// <summary>CR4.</summary>
    public ulong? Cr4 { get; init; }

    /// <summary>IA32_EFER.</summary>
    public ulong? Efer { get; init; }

    /// <summary>GDTR.</summary>
    public TableRegister? Gdtr { get; init; }

    /// <summary>IDTR.</summary>
    public TableRegister? Idtr { get; init; }

    /// <summary>The task register with its cached descriptor.</summary>
    public TaskRegister? Tr { get; init; }

    /// <summary>The segment registers (<c>cs</c>, <c>ds</c>, <c>es</c>, <c>fs</c>, <c>gs</c>, <c>ss</c>) by name.</summary>
    public IReadOnlyDictionary<string, SegmentRegister> Segments { get; init; } = new Dictionary<string, SegmentRegister>();
}

/// <summary>GDTR or IDTR: base address and limit.</summary>
public sealed record TableRegister(ulong Base, ulong Limit);

/// <summary>The task register: selector and the descriptor cache (base, limit, attributes as QEMU prints them).</summary>
public sealed record TaskRegister(ulong Sel, ulong Base, ulong Limit, ulong Attr);

/// <summary>A segment register: selector and base.</summary>
public sealed record SegmentRegister(ulong Sel, ulong Base);
