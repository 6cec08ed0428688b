#nullable enable
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
    }
}
