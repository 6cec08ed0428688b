namespace Harness.Gdb.Monitor;

/// <summary>A segment register's hidden cache as <c>info registers</c> shows it (<c>CS =0008 0000000000000000 ffffffff 00af9b00 DPL=0 CS64 [-RA]</c>).</summary>
/// <param name="Selector">The visible selector.</param>
/// <param name="Base">The cached base (8 digits outside 64-bit code, 16 in it).</param>
/// <param name="Limit">The cached limit.</param>
/// <param name="Attributes">The cached flags masked with 0x00ffff00 (e.g. <c>0x00008b00</c> for a busy 64-bit TSS).</param>
/// <param name="Details">QEMU's decoding after the numbers (<c>DPL=0 CS64 [-RA]</c>), empty in real mode.</param>
public sealed record QemuSegment(MonitorHex Selector, MonitorHex Base, MonitorHex Limit, MonitorHex Attributes, string Details);

/// <summary>A descriptor-table register (GDTR or IDTR): base and limit.</summary>
/// <param name="Base">Linear base address.</param>
/// <param name="Limit">Limit (size - 1).</param>
public sealed record QemuTableRegister(MonitorHex Base, MonitorHex Limit);

/// <summary>
/// One CPU's state from QEMU's <c>info registers</c>: descriptor tables, segment caches,
/// control registers and EFER typed; every other <c>NAME=hex</c> value in <see cref="Values"/>.
/// </summary>
/// <param name="Cpu">The CPU index from the <c>CPU#n</c> line (0 when absent).</param>
/// <param name="Is64BitFormat">True when QEMU printed the 64-bit layout (RAX, RIP; the CPU runs 64-bit code).</param>
/// <param name="Es">ES.</param>
/// <param name="Cs">CS.</param>
/// <param name="Ss">SS.</param>
/// <param name="Ds">DS.</param>
/// <param name="Fs">FS.</param>
/// <param name="Gs">GS.</param>
/// <param name="Ldt">LDTR.</param>
/// <param name="Tr">TR (the task register).</param>
/// <param name="Gdt">GDTR.</param>
/// <param name="Idt">IDTR.</param>
/// <param name="Cr0">CR0.</param>
/// <param name="Cr2">CR2.</param>
/// <param name="Cr3">CR3.</param>
/// <param name="Cr4">CR4.</param>
/// <param name="Efer">IA32_EFER.</param>
/// <param name="Values">Every <c>NAME=hex</c> pair of the dump (RAX/EAX..., RIP/EIP, RFL/EFL, CPL, DR0-7, CR*, EFER...), by upper-case name.</param>
public sealed record QemuRegisterDump(
    int Cpu,
    bool Is64BitFormat,
    QemuSegment Es,
    QemuSegment Cs,
    QemuSegment Ss,
    QemuSegment Ds,
    QemuSegment Fs,
    QemuSegment Gs,
    QemuSegment Ldt,
    QemuSegment Tr,
    QemuTableRegister Gdt,
    QemuTableRegister Idt,
    MonitorHex Cr0,
    MonitorHex Cr2,
    MonitorHex Cr3,
    MonitorHex Cr4,
    MonitorHex Efer,
    IReadOnlyDictionary<string, MonitorHex> Values)
{
    /// <summary>The instruction pointer (RIP, or EIP in the 32-bit layout).</summary>
    public MonitorHex InstructionPointer => Values[Is64BitFormat ? "RIP" : "EIP"];

    /// <summary>The flags (RFL, or EFL in the 32-bit layout).</summary>
    public MonitorHex Flags => Values[Is64BitFormat ? "RFL" : "EFL"];

    /// <summary>A segment by name: <c>es</c>, <c>cs</c>, <c>ss</c>, <c>ds</c>, <c>fs</c>, <c>gs</c>, <c>ldt</c>, <c>tr</c> (case-insensitive).</summary>
    /// <exception cref="KeyNotFoundException">Not a segment name.</exception>
    public QemuSegment Segment(string name) => name.ToLowerInvariant() switch
    {
        "es" => Es,
        "cs" => Cs,
        "ss" => Ss,
        "ds" => Ds,
        "fs" => Fs,
        "gs" => Gs,
        "ldt" or "ldtr" => Ldt,
        "tr" => Tr,
        _ => throw new KeyNotFoundException($"'{name}' is not a segment register"),
    };

    /// <summary>Parses the first (or only) CPU of an <c>info registers</c> output.</summary>
    /// <exception cref="FormatException">A field the record needs is missing; the message names it.</exception>
    public static QemuRegisterDump Parse(string text) => QemuRegisterDumpParser.Parse(text);

    /// <summary>Parses every CPU of an <c>info registers -a</c> output.</summary>
    public static IReadOnlyList<QemuRegisterDump> ParseAll(string text) => QemuRegisterDumpParser.ParseAll(text);
}
