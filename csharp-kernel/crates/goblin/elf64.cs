namespace goblin.elf64
{
    // goblin 0.0.10 (m4b/goblin f9f6f7c1): the ELF64 types and constants src/elf.rs uses, through
    // `goblin::elf64::{header, program_header, section_header, sym}` and `goblin::elf::section_header`.
    // The structs are #[repr(C)] there, read in place from the file's bytes (little-endian host).
    // Each module's constants are a static class named after it (HeaderMod: `header::*`), beside its struct.

    /// <summary>goblin::elf64::header.</summary>
    public static class HeaderMod
    {
        public const ulong SIZEOF_EHDR = 64;
        public const ulong SIZEOF_IDENT = 16;
        /// <summary>`ELFMAG: &amp;[u8; 4] = b"\x7FELF"`.</summary>
        public const string ELFMAG = "\u007FELF";
        public const ulong SELFMAG = 4;
        public const ulong EI_CLASS = 4;
        public const byte ELFCLASS32 = 1;
        public const byte ELFCLASS64 = 2;
        /// <summary>elf64's `ELFCLASS` (= ELFCLASS64).</summary>
        public const byte ELFCLASS = ELFCLASS64;
    }

    /// <summary>goblin::elf64::header::Header.</summary>
    public unsafe struct Header
    {
        public fixed byte e_ident[16];
        public ushort e_type;
        public ushort e_machine;
        public uint e_version;
        public ulong e_entry;
        public ulong e_phoff;
        public ulong e_shoff;
        public uint e_flags;
        public ushort e_ehsize;
        public ushort e_phentsize;
        public ushort e_phnum;
        public ushort e_shentsize;
        public ushort e_shnum;
        public ushort e_shstrndx;
    }

    /// <summary>goblin::elf64::program_header.</summary>
    public static class ProgramHeaderMod
    {
        public const ulong SIZEOF_PHDR = 56;
        public const uint PT_NULL = 0;
        public const uint PT_LOAD = 1;
        public const uint PT_DYNAMIC = 2;
        public const uint PT_INTERP = 3;
        public const uint PT_NOTE = 4;
        public const uint PT_SHLIB = 5;
        public const uint PT_PHDR = 6;
        public const uint PT_TLS = 7;
        public const uint PF_X = 1 << 0;
        public const uint PF_W = 1 << 1;
        public const uint PF_R = 1 << 2;
    }

    /// <summary>goblin::elf64::program_header::ProgramHeader.</summary>
    public struct ProgramHeader
    {
        public uint p_type;
        public uint p_flags;
        public ulong p_offset;
        public ulong p_vaddr;
        public ulong p_paddr;
        public ulong p_filesz;
        public ulong p_memsz;
        public ulong p_align;
    }

    /// <summary>goblin::elf::section_header (the constant) and goblin::elf64::section_header.</summary>
    public static class SectionHeaderMod
    {
        public const ulong SIZEOF_SHDR = 64;
        public const uint SHT_SYMTAB = 2;
    }

    /// <summary>goblin::elf64::section_header::SectionHeader.</summary>
    public struct SectionHeader
    {
        public uint sh_name;
        public uint sh_type;
        public ulong sh_flags;
        public ulong sh_addr;
        public ulong sh_offset;
        public ulong sh_size;
        public uint sh_link;
        public uint sh_info;
        public ulong sh_addralign;
        public ulong sh_entsize;
    }

    /// <summary>goblin::elf64::sym.</summary>
    public static class SymMod
    {
        public const ulong SIZEOF_SYM = 24;
    }

    /// <summary>goblin::elf64::sym::Sym.</summary>
    public struct Sym
    {
        public uint st_name;
        public byte st_info;
        public byte st_other;
        public ushort st_shndx;
        public ulong st_value;
        public ulong st_size;
    }
}
