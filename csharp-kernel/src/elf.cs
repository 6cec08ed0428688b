using core.fmt;
using goblin.elf64;
using Kernel.arch.x86_64.debug;

namespace Kernel.elf
{
    /// <summary>Why `Elf::from` refused the data: the `String` it formats (see <see cref="ElfError.Display"/>).</summary>
    public enum ElfErrorKind : byte
    {
        /// <summary>"Elf: Not enough data: {len} &lt; 64".</summary>
        NotEnoughData,
        /// <summary>"Elf: Invalid magic: {data[..4]:?} != [127, 69, 76, 70]".</summary>
        InvalidMagic,
        /// <summary>"Elf: Invalid architecture: Some({data[4]}) != 2" (`{:?}` of an Option, then of the u8 ELFCLASS itself).</summary>
        InvalidArchitecture,
    }

    /// <summary>
    /// The `Err(String)` of `Elf::from`: what the original's `format!` would hold, kept as its parts. The original
    /// allocates that String on the kernel heap and exec drops it after printing; a small allocation and free that
    /// no observable (heap growth) sees, so the port formats straight into the writer.
    /// </summary>
    public unsafe struct ElfError
    {
        public ElfErrorKind kind;
        /// <summary>NotEnoughData: the data's length.</summary>
        public ulong len;
        /// <summary>InvalidMagic: the first four bytes; InvalidArchitecture: magic[0] is the class byte.</summary>
        public fixed byte magic[4];

        /// <summary>`Display` of the String, byte for byte.</summary>
        public void Display(Writer w)
        {
            switch (kind)
            {
                case ElfErrorKind.NotEnoughData:
                    w.Str("Elf: Not enough data: ");
                    w.Dec(len);
                    w.Str(" < ");
                    w.Dec(HeaderMod.SIZEOF_EHDR);
                    break;
                case ElfErrorKind.InvalidMagic:
                    w.Str("Elf: Invalid magic: [");
                    for (int i = 0; i < 4; i++)
                    {
                        if (i > 0)
                        {
                            w.Str(", ");
                        }
                        w.Dec(magic[i]);
                    }
                    w.Str("] != [127, 69, 76, 70]");
                    break;
                default:
                    // data.get(EI_CLASS) is always Some here: the length was checked first
                    w.Str("Elf: Invalid architecture: Some(");
                    w.Dec(magic[0]);
                    w.Str(") != ");
                    w.Dec(HeaderMod.ELFCLASS);
                    break;
            }
        }
    }

    /// <summary>`Result&lt;Elf, String&gt;`.</summary>
    public struct ElfResult
    {
        public bool ok;
        public Elf value;
        public ElfError err;
    }

    /// <summary>
    /// elf.rs: an ELF executable read in place. `from` checks the length, the magic and the class, and nothing
    /// else (quirks E1-E3 in redox-0.3.5/QUIRKS.md): the machine, the byte order, the type and the version are
    /// never looked at, and the header, program and section tables are read where their offsets say, with no
    /// bounds check against the data.
    /// </summary>
    public unsafe struct Elf
    {
        /// <summary>`data: &amp;'a [u8]`.</summary>
        public byte* data;
        public ulong len;
        /// <summary>`header: &amp;'a header::Header`: the data's first bytes.</summary>
        private Header* header;

        /// <summary>`Elf::from(data)`.</summary>
        public static ElfResult From(byte* data, ulong len)
        {
            ElfResult r = default;
            if (len < HeaderMod.SIZEOF_EHDR)
            {
                r.err.kind = ElfErrorKind.NotEnoughData;
                r.err.len = len;
                return r;
            }
            for (ulong i = 0; i < HeaderMod.SELFMAG; i++)
            {
                if (data[i] != (byte)HeaderMod.ELFMAG[(int)i])
                {
                    r.err.kind = ElfErrorKind.InvalidMagic;
                    for (int j = 0; j < 4; j++)
                    {
                        r.err.magic[j] = data[j];
                    }
                    return r;
                }
            }
            if (data[HeaderMod.EI_CLASS] != HeaderMod.ELFCLASS)
            {
                r.err.kind = ElfErrorKind.InvalidArchitecture;
                r.err.magic[0] = data[HeaderMod.EI_CLASS];
                return r;
            }
            r.ok = true;
            r.value.data = data;
            r.value.len = len;
            r.value.header = (Header*)data;
            return r;
        }

        public readonly ElfSections Sections() => new ElfSections { data = data, header = header, i = 0 };

        public readonly ElfSegments Segments() => new ElfSegments { data = data, header = header, i = 0 };

        /// <summary>`symbols()`: the first SHT_SYMTAB section's symbols, or None (false).</summary>
        public readonly bool Symbols(out ElfSymbols symbols)
        {
            symbols = default;
            var sections = Sections();
            SectionHeader* section;
            while ((section = sections.Next()) != null)
            {
                if (section->sh_type == SectionHeaderMod.SHT_SYMTAB)
                {
                    symbols = new ElfSymbols { data = data, header = header, symtab = section, i = 0 };
                    return true;
                }
            }
            return false;
        }

        /// <summary>`entry()`: the header's e_entry.</summary>
        public readonly ulong Entry() => header->e_entry;
    }

    /// <summary>`ElfSections`: `e_shnum` headers, `e_shentsize` apart from `e_shoff` (unchecked).</summary>
    public unsafe struct ElfSections
    {
        internal byte* data;
        internal Header* header;
        internal ulong i;

        /// <summary>`next()`: the next section header, or null (None).</summary>
        public SectionHeader* Next()
        {
            if (i < header->e_shnum)
            {
                var item = (SectionHeader*)((ulong)data + header->e_shoff + i * header->e_shentsize);
                i += 1;
                return item;
            }
            return null;
        }
    }

    /// <summary>`ElfSegments`: `e_phnum` program headers, `e_phentsize` apart from `e_phoff` (unchecked).</summary>
    public unsafe struct ElfSegments
    {
        internal byte* data;
        internal Header* header;
        internal ulong i;

        /// <summary>`next()`: the next program header, or null (None).</summary>
        public ProgramHeader* Next()
        {
            if (i < header->e_phnum)
            {
                var item = (ProgramHeader*)((ulong)data + header->e_phoff + i * header->e_phentsize);
                i += 1;
                return item;
            }
            return null;
        }
    }

    /// <summary>`ElfSymbols`: `sh_size / 24` symbols from the symbol table's `sh_offset` (unchecked).</summary>
    public unsafe struct ElfSymbols
    {
        internal byte* data;
        internal Header* header;
        internal SectionHeader* symtab;
        internal ulong i;

        /// <summary>`next()`: the next symbol, or null (None).</summary>
        public Sym* Next()
        {
            if (i < symtab->sh_size / SymMod.SIZEOF_SYM)
            {
                var item = (Sym*)((ulong)data + symtab->sh_offset + i * SymMod.SIZEOF_SYM);
                i += 1;
                return item;
            }
            return null;
        }
    }
}
