using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using goblin.elf64;
using Kernel.arch.x86_64.debug;
using Kernel.elf;
using Kernel.Hal;

namespace Kernel.Tests.syscall;

/// <summary>elf.rs (csharp-kernel/src/elf.cs) with goblin 0.0.10's ELF64 layout (crates/goblin/elf64.cs).</summary>
public unsafe class ElfTests
{
    [Fact]
    public void Goblin_layouts_are_the_elf64_sizes()
    {
        Assert.Equal(64, sizeof(Header));
        Assert.Equal(56, sizeof(ProgramHeader));
        Assert.Equal(64, sizeof(SectionHeader));
        Assert.Equal(24, sizeof(Sym));
        Assert.Equal(0x18, (int)Marshal.OffsetOf<Header>(nameof(Header.e_entry)));
        Assert.Equal(0x20, (int)Marshal.OffsetOf<Header>(nameof(Header.e_phoff)));
        Assert.Equal(0x36, (int)Marshal.OffsetOf<Header>(nameof(Header.e_phentsize)));
        Assert.Equal(0x38, (int)Marshal.OffsetOf<Header>(nameof(Header.e_phnum)));
        Assert.Equal(0x3C, (int)Marshal.OffsetOf<Header>(nameof(Header.e_shnum)));
        Assert.Equal(0x10, (int)Marshal.OffsetOf<ProgramHeader>(nameof(ProgramHeader.p_vaddr)));
        Assert.Equal(0x28, (int)Marshal.OffsetOf<ProgramHeader>(nameof(ProgramHeader.p_memsz)));
    }

    /// <summary>An ELF64 header with two program headers (PT_LOAD at 0x400000, PT_TLS), built byte by byte.</summary>
    private static byte[] Minimal(byte cls = 2, ushort machine = 62, ushort phnum = 2)
    {
        var b = new byte[64 + 56 * 3 + 16];
        b[0] = 0x7F; b[1] = (byte)'E'; b[2] = (byte)'L'; b[3] = (byte)'F';
        b[4] = cls; b[5] = 1; b[6] = 1;
        BitConverter.GetBytes((ushort)2).CopyTo(b, 16);          // ET_EXEC
        BitConverter.GetBytes(machine).CopyTo(b, 18);
        BitConverter.GetBytes(0x401000ul).CopyTo(b, 0x18);        // e_entry
        BitConverter.GetBytes(64ul).CopyTo(b, 0x20);              // e_phoff
        BitConverter.GetBytes((ushort)56).CopyTo(b, 0x36);        // e_phentsize
        BitConverter.GetBytes(phnum).CopyTo(b, 0x38);
        // PT_LOAD R-X at 0x400000, PT_TLS
        BitConverter.GetBytes(1u).CopyTo(b, 64);
        BitConverter.GetBytes(5u).CopyTo(b, 68);
        BitConverter.GetBytes(0x400000ul).CopyTo(b, 64 + 0x10);
        BitConverter.GetBytes(0x1234ul).CopyTo(b, 64 + 0x28);
        BitConverter.GetBytes(7u).CopyTo(b, 64 + 56);
        BitConverter.GetBytes(0x10ul).CopyTo(b, 64 + 56 + 0x30);  // p_align
        return b;
    }

    private static string Message(ElfError e)
    {
        Machine.Reset();
        using (var w = Writer.New())
        {
            e.Display(w);
        }
        return Machine.Serial;
    }

    [Fact]
    public void From_accepts_an_elf64_and_reads_entry_and_segments_in_place()
    {
        var b = Minimal();
        fixed (byte* p = b)
        {
            var r = Elf.From(p, (ulong)b.Length);
            Assert.True(r.ok);
            Assert.Equal(0x401000ul, r.value.Entry());
            var segs = r.value.Segments();
            var list = new List<(uint, ulong)>();
            ProgramHeader* ph;
            while ((ph = segs.Next()) != null)
            {
                list.Add((ph->p_type, ph->p_vaddr));
                Assert.True((byte*)ph >= p && (byte*)ph < p + b.Length);    // in place, not copied
            }
            Assert.Equal(new[] { (ProgramHeaderMod.PT_LOAD, 0x400000ul), (ProgramHeaderMod.PT_TLS, 0ul) }, list);
            Assert.False(r.value.Symbols(out _));                            // e_shnum 0: no symbol table
        }
    }

    [Theory]
    [InlineData(0, "Elf: Not enough data: 0 < 64")]
    [InlineData(63, "Elf: Not enough data: 63 < 64")]
    public void Too_short_data_is_refused_with_the_original_text(int length, string text)
    {
        var b = Minimal();
        fixed (byte* p = b)
        {
            var r = Elf.From(p, (ulong)length);
            Assert.False(r.ok);
            Assert.Equal(text, Message(r.err));
        }
    }

    [Fact]
    public void A_bad_magic_prints_both_byte_lists_as_rust_debug()
    {
        var b = Minimal();
        b[0] = (byte)'#'; b[1] = (byte)'!'; b[2] = (byte)'/'; b[3] = (byte)'b';
        fixed (byte* p = b)
        {
            var r = Elf.From(p, (ulong)b.Length);
            Assert.False(r.ok);
            Assert.Equal("Elf: Invalid magic: [35, 33, 47, 98] != [127, 69, 76, 70]", Message(r.err));
        }
    }

    [Fact]
    public void A_32_bit_elf_is_refused_as_an_invalid_architecture()
    {
        var b = Minimal(cls: 1);
        fixed (byte* p = b)
        {
            var r = Elf.From(p, (ulong)b.Length);
            Assert.False(r.ok);
            // as the original printed it on user-exec (tests/userspace/original/user-exec.log): the u8 ELFCLASS is not an Option
            Assert.Equal("Elf: Invalid architecture: Some(1) != 2", Message(r.err));
        }
    }

    /// <summary>Quirk E1: only the length, the magic and the class are checked: any machine, byte order or type passes.</summary>
    [Fact]
    public void Quirk_E1_an_elf64_for_another_machine_is_accepted()
    {
        var b = Minimal(machine: 183);   // EM_AARCH64
        b[5] = 2;                        // big-endian
        BitConverter.GetBytes((ushort)1).CopyTo(b, 16);   // ET_REL
        fixed (byte* p = b)
        {
            Assert.True(Elf.From(p, (ulong)b.Length).ok);
        }
    }

    /// <summary>Quirk E2: the program and section tables are read where the header says, past the data's end too.</summary>
    [Fact]
    public void Quirk_E2_segments_are_not_bounds_checked_against_the_data()
    {
        var b = Minimal(phnum: 3);
        fixed (byte* p = b)
        {
            var r = Elf.From(p, 64);    // the data ends with the header; three headers follow it in memory
            Assert.True(r.ok);
            var segs = r.value.Segments();
            int n = 0;
            ProgramHeader* ph;
            while ((ph = segs.Next()) != null)
            {
                Assert.True((byte*)ph >= p + 64);
                n++;
            }
            Assert.Equal(3, n);
        }
    }

    /// <summary>Quirk E3: e_phentsize is the stride, whatever it is; each entry is still read as 56 bytes.</summary>
    [Fact]
    public void Quirk_E3_e_phentsize_is_the_stride()
    {
        var b = Minimal();
        BitConverter.GetBytes((ushort)8).CopyTo(b, 0x36);
        fixed (byte* p = b)
        {
            var segs = Elf.From(p, (ulong)b.Length).value.Segments();
            var first = segs.Next();
            var second = segs.Next();
            Assert.Equal(8L, (long)((byte*)second - (byte*)first));
        }
    }

    [Fact]
    public void Symbols_come_from_the_first_symtab_section()
    {
        // header, then 2 section headers (NULL, SYMTAB at 0x100 of 48 bytes = 2 symbols), then the symbols
        var b = new byte[0x200];
        Minimal(phnum: 0).AsSpan(0, 64).CopyTo(b);
        BitConverter.GetBytes(0x80ul).CopyTo(b, 0x28);          // e_shoff
        BitConverter.GetBytes((ushort)64).CopyTo(b, 0x3A);      // e_shentsize
        BitConverter.GetBytes((ushort)2).CopyTo(b, 0x3C);       // e_shnum
        BitConverter.GetBytes(2u).CopyTo(b, 0x80 + 64 + 4);     // sh_type SYMTAB
        BitConverter.GetBytes(0x100ul).CopyTo(b, 0x80 + 64 + 0x18);
        BitConverter.GetBytes(48ul).CopyTo(b, 0x80 + 64 + 0x20);
        BitConverter.GetBytes(0xAAul).CopyTo(b, 0x100 + 8);
        BitConverter.GetBytes(0xBBul).CopyTo(b, 0x100 + 24 + 8);
        fixed (byte* p = b)
        {
            var r = Elf.From(p, (ulong)b.Length);
            Assert.True(r.value.Symbols(out var syms));
            Assert.Equal(0xAAul, syms.Next()->st_value);
            Assert.Equal(0xBBul, syms.Next()->st_value);
            Assert.True(syms.Next() == null);
        }
    }
}
