using System.Runtime.CompilerServices;
using core.fmt;
using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.paging;
using Kernel.arch.x86_64.start;
using Kernel.consts;
using Kernel.Hal;

namespace Kernel.arch.x86_64.interrupt
{
    /// <summary>interrupt/trace.rs: the stack trace a panic prints, with function names from the kernel's own ELF.</summary>
    public static unsafe class Trace
    {
        /// <summary>
        /// "TRACE: {rbp}", then up to 64 frames: each frame whose rbp and return-address slot are
        /// mapped prints "  {rbp}: {rip}" and the function containing rip; an unmapped one ends
        /// the walk with "GUARD PAGE", a zero return address with "EMPTY RETURN". (On the host the
        /// walk stops after the first line: it has no page tables to translate through.)
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void StackTrace()
        {
            ulong rbp = Cpu.ReadRbp();
            using (var w = Writer.New())
            {
                w.Str("TRACE: ");
                w.UpperHexPadded(rbp, 16);
                w.Str("\n");
            }
            if (!Platform.IsBareMetal)
            {
                return;
            }

            ActivePageTable active_table = ActivePageTable.New();
            for (int frame = 0; frame < 64; frame++)
            {
                if (rbp > 0xFFFF_FFFF_FFFF_FFF7)
                {
                    using (var w = Writer.New())
                    {
                        w.Str("  "); w.UpperHexPadded(rbp, 16); w.Str(": RBP OVERFLOW\n");
                    }
                    continue;
                }
                ulong rip_rbp = rbp + 8;
                if (active_table.mapper.Translate(new VirtualAddress(rbp)).HasValue
                    && active_table.mapper.Translate(new VirtualAddress(rip_rbp)).HasValue)
                {
                    ulong rip = *(ulong*)rip_rbp;
                    if (rip == 0)
                    {
                        using (var w = Writer.New())
                        {
                            w.Str(" "); w.UpperHexPadded(rbp, 16); w.Str(": EMPTY RETURN\n");
                        }
                        break;
                    }
                    using (var w = Writer.New())
                    {
                        w.Str("  "); w.UpperHexPadded(rbp, 16); w.Str(": "); w.UpperHexPadded(rip, 16); w.Str("\n");
                    }
                    rbp = *(ulong*)rbp;
                    SymbolTrace(rip);
                }
                else
                {
                    using (var w = Writer.New())
                    {
                        w.Str("  "); w.UpperHexPadded(rbp, 16); w.Str(": GUARD PAGE\n");
                    }
                    break;
                }
            }
        }

        private const uint SHT_SYMTAB = 2;
        private const uint SHT_STRTAB = 3;
        private const byte STT_FUNC = 2;

        /// <summary>
        /// Names the function containing <paramref name="addr"/> from the kernel's ELF as the loader
        /// left it in memory: "    {st_value}+{offset:>04X}", then the name ("_ZN" names shown as
        /// a::b::c). Like the original, the string table is the FIRST SHT_STRTAB section.
        /// </summary>
        public static void SymbolTrace(ulong addr)
        {
            byte* elf = (byte*)(Start.KERNEL_BASE.Load() + Consts.KERNEL_OFFSET);
            ulong size = Start.KERNEL_SIZE.Load();
            if (size < 64 || elf[0] != 0x7F || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            {
                return;
            }
            ulong shoff = *(ulong*)(elf + 0x28);
            ushort shentsize = *(ushort*)(elf + 0x3A);
            ushort shnum = *(ushort*)(elf + 0x3C);
            if (shoff + (ulong)shnum * shentsize > size)
            {
                return;
            }

            byte* strtab = null;
            for (int i = 0; i < shnum; i++)
            {
                byte* sh = elf + shoff + (ulong)i * shentsize;
                if (*(uint*)(sh + 4) == SHT_STRTAB)
                {
                    strtab = sh;
                    break;
                }
            }

            for (int i = 0; i < shnum; i++)
            {
                byte* sh = elf + shoff + (ulong)i * shentsize;
                if (*(uint*)(sh + 4) != SHT_SYMTAB)
                {
                    continue;
                }
                ulong sym_off = *(ulong*)(sh + 24);
                ulong sym_size = *(ulong*)(sh + 32);
                for (ulong s = 0; s + 24 <= sym_size && sym_off + s + 24 <= size; s += 24)
                {
                    byte* sym = elf + sym_off + s;
                    ulong value = *(ulong*)(sym + 8);
                    ulong length = *(ulong*)(sym + 16);
                    if ((sym[4] & 0xF) == STT_FUNC && addr >= value && addr < value + length)
                    {
                        using (var w = Writer.New())
                        {
                            w.Str("    "); w.UpperHexPadded(value, 16); w.Str("+"); w.UpperHexPadded(addr - value, 4); w.Str("\n");
                        }
                        if (strtab != null)
                        {
                            PrintName(elf, size, *(ulong*)(strtab + 24) + *(uint*)sym);
                        }
                    }
                }
            }
        }

        private static void PrintName(byte* elf, ulong size, ulong start)
        {
            ulong end = start;
            while (end < size)
            {
                byte b = elf[end];
                end++;
                if (b == 0)
                {
                    break;
                }
            }
            if (end <= start)
            {
                return;
            }
            byte* name = elf + start;
            ulong len = end - start;
            using (var w = Writer.New())
            {
                w.Str("    ");
                if (len >= 3 && name[0] == (byte)'_' && name[1] == (byte)'Z' && name[2] == (byte)'N')
                {
                    // Legacy Rust mangling: length-prefixed path segments up to 'E'.
                    ulong i = 3;
                    bool first = true;
                    while (i < len && name[i] != (byte)'E')
                    {
                        ulong seg = 0;
                        while (i < len && name[i] >= (byte)'0' && name[i] <= (byte)'9')
                        {
                            seg = seg * 10 + (ulong)(name[i] - (byte)'0');
                            i++;
                        }
                        if (!first)
                        {
                            w.Str("::");
                        }
                        first = false;
                        ulong stop = i + seg;
                        while (i < len && i < stop)
                        {
                            w.Char(name[i]);
                            i++;
                        }
                    }
                }
                else
                {
                    // The name and its terminating NUL, as the original prints the slice.
                    w.WriteBytes(name, (int)len);
                }
                w.Str("\n");
            }
        }
    }
}
