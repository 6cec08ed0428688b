namespace Harness.Elf;

/// <summary>One program header (segment).</summary>
/// <param name="Type">Its <c>p_type</c> (1 LOAD, 7 TLS...).</param>
/// <param name="Flags">Its <c>p_flags</c> (1 X, 2 W, 4 R).</param>
/// <param name="Offset">Its file offset.</param>
/// <param name="VirtualAddress">Its virtual address.</param>
/// <param name="PhysicalAddress">Its physical (load) address.</param>
/// <param name="FileSize">Bytes in the file.</param>
/// <param name="MemorySize">Bytes in memory.</param>
/// <param name="Align">Its alignment.</param>
public sealed record ElfSegment(
    uint Type,
    uint Flags,
    ulong Offset,
    ulong VirtualAddress,
    ulong PhysicalAddress,
    ulong FileSize,
    ulong MemorySize,
    ulong Align)
{
    /// <summary><c>PT_LOAD</c>.</summary>
    public const uint TypeLoad = 1;
}
