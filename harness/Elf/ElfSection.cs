namespace Harness.Elf;

/// <summary>Section header flags (<c>SHF_*</c>) used here.</summary>
[Flags]
public enum ElfSectionFlags : ulong
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary><c>SHF_WRITE</c>: writable at run time.</summary>
    Write = 0x1,

    /// <summary><c>SHF_ALLOC</c>: occupies memory at run time.</summary>
    Alloc = 0x2,

    /// <summary><c>SHF_EXECINSTR</c>: holds instructions.</summary>
    Execute = 0x4,

    /// <summary><c>SHF_TLS</c>: thread-local storage.</summary>
    Tls = 0x400,
}

/// <summary>One section header.</summary>
/// <param name="Index">Its index in the section header table.</param>
/// <param name="Name">Its name from the section name string table (<c>.text</c>...).</param>
/// <param name="Type">Its <c>sh_type</c> (1 PROGBITS, 2 SYMTAB, 3 STRTAB, 8 NOBITS...).</param>
/// <param name="Flags">Its <c>sh_flags</c>.</param>
/// <param name="Address">Its virtual address (<c>sh_addr</c>).</param>
/// <param name="Offset">Its file offset (<c>sh_offset</c>).</param>
/// <param name="Size">Its size in bytes (<c>sh_size</c>).</param>
/// <param name="Link">Its <c>sh_link</c> (for a symbol table: its string table).</param>
/// <param name="EntrySize">Its <c>sh_entsize</c>.</param>
public sealed record ElfSection(
    int Index,
    string Name,
    uint Type,
    ElfSectionFlags Flags,
    ulong Address,
    ulong Offset,
    ulong Size,
    uint Link,
    ulong EntrySize)
{
    /// <summary><c>SHT_SYMTAB</c>.</summary>
    public const uint TypeSymbolTable = 2;

    /// <summary><c>SHT_NOBITS</c> (.bss, .tbss): no file contents.</summary>
    public const uint TypeNoBits = 8;

    /// <summary>True when the section occupies memory at run time.</summary>
    public bool IsAllocated => Flags.HasFlag(ElfSectionFlags.Alloc);

    /// <summary>True for NOBITS sections (zero-filled, nothing in the file).</summary>
    public bool IsNoBits => Type == TypeNoBits;

    /// <summary>True when <paramref name="address"/> lies in the section's memory range (allocated sections only).</summary>
    public bool Contains(ulong address) => IsAllocated && address >= Address && address - Address < Size;
}
