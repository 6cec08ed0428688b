using System.Buffers.Binary;
using System.Text;

namespace Harness.Elf;

/// <summary>
/// Reads the structures of an ELF64 little-endian x86-64 file: the file header, the section
/// and program header tables, section names, and <c>.symtab</c> with its string table.
/// Every problem is an <see cref="ElfException"/> naming the file.
/// </summary>
internal sealed class ElfReader
{
    private const int HeaderSize = 64;
    private const int SectionHeaderSize = 64;
    private const int ProgramHeaderSize = 56;
    private const int SymbolSize = 24;
    private const ushort MachineX86_64 = 62;

    private static readonly byte[] Magic = [0x7f, (byte)'E', (byte)'L', (byte)'F'];

    private readonly byte[] _data;
    private readonly string _file;

    public ElfReader(byte[] data, string file)
    {
        _data = data;
        _file = file;
    }

    /// <summary>The fields of the file header this library uses.</summary>
    public sealed record Header(ushort Type, ushort Machine, ulong Entry, ulong ProgramHeaderOffset, ulong SectionHeaderOffset,
        int ProgramHeaderCount, int SectionHeaderCount, int SectionNameIndex);

    public Header ReadHeader()
    {
        if (_data.Length < 4 || !_data.AsSpan(0, 4).SequenceEqual(Magic))
        {
            throw Fail("not an ELF file (no \\x7fELF magic)");
        }
        if (_data.Length < 6)
        {
            throw Fail("truncated: the file ends inside the ELF identification");
        }
        if (_data[4] != 2)
        {
            throw Fail(_data[4] == 1 ? "is a 32-bit ELF (ELFCLASS32); expected ELF64 x86-64" : $"unknown ELF class {_data[4]}; expected ELF64");
        }
        if (_data[5] != 1)
        {
            throw Fail("is big-endian; expected little-endian x86-64");
        }
        if (_data.Length < HeaderSize)
        {
            throw Fail($"truncated: {_data.Length} bytes, shorter than the 64-byte ELF64 header");
        }
        var machine = U16(18);
        if (machine != MachineX86_64)
        {
            throw Fail($"is not an x86-64 ELF (e_machine {machine}; expected {MachineX86_64})");
        }
        return new Header(U16(16), machine, U64(24), U64(32), U64(40), U16(56), U16(60), U16(62));
    }

    public List<ElfSection> ReadSections(Header header)
    {
        var count = header.SectionHeaderCount;
        if (count == 0)
        {
            return [];
        }
        RequireRange(header.SectionHeaderOffset, (ulong)count * SectionHeaderSize, "the section header table");
        var raw = new List<(uint Name, uint Type, ulong Flags, ulong Addr, ulong Offset, ulong Size, uint Link, ulong EntSize)>();
        for (var i = 0; i < count; i++)
        {
            var at = (int)header.SectionHeaderOffset + i * SectionHeaderSize;
            raw.Add((U32(at), U32(at + 4), U64(at + 8), U64(at + 16), U64(at + 24), U64(at + 32), U32(at + 40), U64(at + 56)));
        }
        if (header.SectionNameIndex >= count)
        {
            throw Fail($"section name table index {header.SectionNameIndex} is past the {count} sections");
        }
        var names = raw[header.SectionNameIndex];
        RequireRange(names.Offset, names.Size, "the section name table");
        var sections = new List<ElfSection>(count);
        for (var i = 0; i < count; i++)
        {
            var s = raw[i];
            var name = ReadString(names.Offset, names.Size, s.Name, "section name");
            if (s.Type != ElfSection.TypeNoBits && s.Type != 0)
            {
                RequireRange(s.Offset, s.Size, $"section {name}");
            }
            sections.Add(new ElfSection(i, name, s.Type, (ElfSectionFlags)s.Flags, s.Addr, s.Offset, s.Size, s.Link, s.EntSize));
        }
        return sections;
    }

    public List<ElfSegment> ReadSegments(Header header)
    {
        RequireRange(header.ProgramHeaderOffset, (ulong)header.ProgramHeaderCount * ProgramHeaderSize, "the program header table");
        var segments = new List<ElfSegment>(header.ProgramHeaderCount);
        for (var i = 0; i < header.ProgramHeaderCount; i++)
        {
            var at = (int)header.ProgramHeaderOffset + i * ProgramHeaderSize;
            segments.Add(new ElfSegment(U32(at), U32(at + 4), U64(at + 8), U64(at + 16), U64(at + 24), U64(at + 32), U64(at + 40), U64(at + 48)));
        }
        return segments;
    }

    /// <summary>The symbols of <c>.symtab</c>, or null when the file has none.</summary>
    public List<ElfSymbol>? ReadSymbols(IReadOnlyList<ElfSection> sections)
    {
        var table = sections.FirstOrDefault(s => s.Type == ElfSection.TypeSymbolTable);
        if (table is null)
        {
            return null;
        }
        if (table.Link >= sections.Count)
        {
            throw Fail($"symbol table links to string table {table.Link}, past the {sections.Count} sections");
        }
        var strings = sections[(int)table.Link];
        var count = (int)(table.Size / SymbolSize);
        var symbols = new List<ElfSymbol>(count);
        for (var i = 1; i < count; i++)
        {
            var at = (int)table.Offset + i * SymbolSize;
            var info = _data[at + 4];
            var shndx = U16(at + 6);
            var name = ReadString(strings.Offset, strings.Size, U32(at), "symbol name");
            var sectionName = shndx > 0 && shndx < sections.Count ? sections[shndx].Name : null;
            symbols.Add(new ElfSymbol(name, U64(at + 8), U64(at + 16), (SymbolType)(info & 0xf), (SymbolBinding)(info >> 4), shndx, sectionName));
        }
        return symbols;
    }

    private string ReadString(ulong tableOffset, ulong tableSize, uint index, string what)
    {
        if (index >= tableSize)
        {
            throw Fail($"{what} offset {index} is past its string table ({tableSize} bytes)");
        }
        var start = (int)(tableOffset + index);
        var end = Array.IndexOf(_data, (byte)0, start, (int)(tableSize - index));
        return end < 0
            ? throw Fail($"{what} at string table offset {index} is not terminated")
            : Encoding.UTF8.GetString(_data, start, end - start);
    }

    private void RequireRange(ulong offset, ulong size, string what)
    {
        if (offset > (ulong)_data.Length || size > (ulong)_data.Length - offset)
        {
            throw Fail($"truncated: {what} (offset 0x{offset:x}, 0x{size:x} bytes) ends past the end of the file (0x{_data.Length:x} bytes)");
        }
    }

    private ElfException Fail(string problem) => new(_file, problem);

    private ushort U16(int at) => BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(at));

    private uint U32(int at) => BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(at));

    private ulong U64(int at) => BinaryPrimitives.ReadUInt64LittleEndian(_data.AsSpan(at));
}
