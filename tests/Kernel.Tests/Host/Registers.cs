#nullable enable
using System;
using System.Collections.Generic;

namespace Kernel.Hal
{
    /// <summary>
    /// The host's registers: plain values the port's code reads and writes, and a log of the
    /// privileged operations (so a test can assert e.g. which MSR value paging::init writes).
    /// </summary>
    public static unsafe class Registers
    {
        [System.ThreadStatic] private static Dictionary<string, ulong>? regs;
        [System.ThreadStatic] private static List<string>? log;

        private static Dictionary<string, ulong> R => regs ??= new();

        /// <summary>Operations in order, e.g. "wrmsr 0x277 0x7040100070406", "invlpg 0x...".</summary>
        public static List<string> Log => log ??= new();

        public static void Reset() { regs = new(); log = new(); }

        public static ulong Get(string name) => R.TryGetValue(name, out var v) ? v : 0;
        public static void Set(string name, ulong value) => R[name] = value;

        public static ulong ReadCr0() => Get("cr0");
        public static void WriteCr0(ulong value) { Set("cr0", value); Log.Add($"cr0 0x{value:X}"); }
        public static ulong ReadCr2() => Get("cr2");
        public static ulong ReadCr3() => Get("cr3");
        public static void WriteCr3(ulong value) { Set("cr3", value); Log.Add($"cr3 0x{value:X}"); }
        public static ulong ReadCr4() => Get("cr4");
        public static void WriteCr4(ulong value) { Set("cr4", value); Log.Add($"cr4 0x{value:X}"); }
        public static ulong Rdmsr(uint msr) => Get($"msr{msr:X}");
        public static void Wrmsr(uint msr, ulong value) { Set($"msr{msr:X}", value); Log.Add($"wrmsr 0x{msr:X} 0x{value:X}"); }
        public static void Invlpg(ulong address) => Log.Add($"invlpg 0x{address:X}");
        public static void FlushTlb() => Log.Add("flush");
        public static void Lgdt(void* pointer) => Log.Add($"lgdt limit=0x{*(ushort*)pointer:X} base=0x{*(ulong*)((byte*)pointer + 2):X}");
        public static void Lidt(void* pointer) => Log.Add($"lidt limit=0x{*(ushort*)pointer:X} base=0x{*(ulong*)((byte*)pointer + 2):X}");
        public static void Sgdt(void* pointer) { }
        public static void Sidt(void* pointer) { }
        public static void Ltr(ushort selector) => Log.Add($"ltr 0x{selector:X}");
        public static void LoadCs(ushort selector) => Log.Add($"cs 0x{selector:X}");
        public static void LoadDs(ushort selector) => Log.Add($"ds 0x{selector:X}");
        public static void LoadEs(ushort selector) => Log.Add($"es 0x{selector:X}");
        public static void LoadFs(ushort selector) => Log.Add($"fs 0x{selector:X}");
        public static void LoadGs(ushort selector) => Log.Add($"gs 0x{selector:X}");
        public static void LoadSs(ushort selector) => Log.Add($"ss 0x{selector:X}");
            // The linker script's section bounds: set by a test with Set("sym{which}", address).
        public const uint TEXT_START = 0, TEXT_END = 1, RODATA_START = 2, RODATA_END = 3;
        public const uint DATA_START = 4, DATA_END = 5, TDATA_START = 6, TDATA_END = 7;
        public const uint TBSS_START = 8, TBSS_END = 9, BSS_START = 10, BSS_END = 11;

        public static ulong LinkerSymbol(uint which) => Get($"sym{which}");

        // The per-CPU variables of asm/tls.asm: on the host, one block per test thread, laid out
        // and initialised as the kernel image's TLS image (tls.asm's offsets after ILCompiler's
        // 0x18 bytes of .tdata).
        public const uint TLS_TDATA_TEST_NONZERO = 0, TLS_GDT = 1, TLS_TSS = 2, TLS_GDTR = 3;
        public const uint TLS_TBSS_TEST_ZERO = 4, TLS_CPU_ID = 5, TLS_CONTEXT_ID = 6;

        /// <summary>Where each TLS_* variable sits in the host's block.</summary>
        public static readonly int[] TlsOffsets = { 0x18, 0x20, 0x68, 0x1000, 0x1010, 0x1018, 0x1020 };

        /// <summary>Size of the host's TLS block (the kernel's: 0x2000).</summary>
        public const int TlsSize = 0x2000;

        [System.ThreadStatic] private static byte[]? tls;

        /// <summary>This test thread's TLS block, initialised as asm/tls.asm's image on first use.</summary>
        public static byte[] TlsBlock => tls ??= NewTlsBlock();

        public static void ResetTls() { tls = NewTlsBlock(); }

        private static byte[] NewTlsBlock()
        {
            var b = GC.AllocateArray<byte>(TlsSize, pinned: true);
            System.BitConverter.TryWriteBytes(b.AsSpan(0x18), ulong.MaxValue);
            // the GDT's initial access/flags bytes (gdt.rs's GDT initialiser)
            byte[] access = { 0, 0x9A, 0x92, 0x92, 0xFA, 0xF2, 0xF2, 0xE9, 0 };
            byte[] flags = { 0, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0, 0 };
            for (int i = 0; i < 9; i++)
            {
                b[0x20 + i * 8 + 5] = access[i];
                b[0x20 + i * 8 + 6] = flags[i];
            }
            b[0x68 + 102] = 0xFF; // TSS iomap_base
            b[0x68 + 103] = 0xFF;
            return b;
        }

        public static void* ThreadLocal(uint which)
        {
            fixed (byte* p = TlsBlock)
            {
                return p + TlsOffsets[which];
            }
        }

        /// <summary>The entry stubs: on the host, a made-up address per vector (0xFFFFFF0000200000 + vector * 0x40).</summary>
        public static ulong InterruptEntry(uint vector)
        {
            uint[] used = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 30, 0x40, 0x41, 0x80 };
            bool isUsed = (vector >= 32 && vector < 48) || System.Array.IndexOf(used, vector) >= 0;
            return isUsed ? 0xFFFFFF0000200000ul + vector * 0x40 : 0;
        }
    }
}
