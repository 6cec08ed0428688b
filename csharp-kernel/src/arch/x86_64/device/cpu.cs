using Kernel.Hal;
using AllocString = alloc.@string.String;

namespace Kernel.arch.x86_64.device.cpu
{
    /// <summary>
    /// cpu.rs (named CpuModule beside Kernel.Hal.Cpu): a description of the CPU from CPUID (what raw-cpuid 3.0 decodes): vendor, brand
    /// string, frequencies, then the feature flags by their Linux names. `sys:cpu` writes it into
    /// its String (`cpu_info(&mut string)`), each piece one `write_str`.
    /// </summary>
    public static unsafe class CpuModule
    {
        private struct CpuIdResult
        {
            public uint eax, ebx, ecx, edx;
        }

        private static CpuIdResult Query(uint leaf, uint subleaf)
        {
            CpuIdResult r;
            Cpuid.Query(leaf, subleaf, (uint*)&r);
            return r;
        }

        private const uint EXTENDED = 0x8000_0000;

        /// <summary>raw-cpuid's ExtendedFunctionInfo: leaves 0x80000000.. up to 0x80000008 (those the CPU has).</summary>
        private struct ExtendedFunctionInfo
        {
            public uint max_eax_value;
            public fixed uint data[9 * 4];

            public readonly bool LeafIsSupported(uint val) => val <= max_eax_value;

            public readonly uint Reg(int leaf, int reg) => data[leaf * 4 + reg];
        }

        private static bool GetExtendedFunctionInfo(out ExtendedFunctionInfo ef)
        {
            ef = default;
            CpuIdResult res = Query(EXTENDED, 0);
            if (res.eax == 0)
            {
                return false;
            }
            ef.max_eax_value = res.eax - EXTENDED;
            ef.data[0] = res.eax;
            ef.data[1] = res.ebx;
            ef.data[2] = res.ecx;
            ef.data[3] = res.edx;
            uint max = ef.max_eax_value + 1 < 9 ? ef.max_eax_value + 1 : 9;
            for (uint i = 1; i < max; i++)
            {
                CpuIdResult r = Query(EXTENDED + i, 0);
                ef.data[i * 4] = r.eax;
                ef.data[i * 4 + 1] = r.ebx;
                ef.data[i * 4 + 2] = r.ecx;
                ef.data[i * 4 + 3] = r.edx;
            }
            return true;
        }

        private static void Flag(AllocString* w, bool present, string name)
        {
            if (present)
            {
                // write!(w, " name"): one piece, one write_str
                byte* b = stackalloc byte[name.Length + 1];
                b[0] = (byte)' ';
                for (int i = 0; i < name.Length; i++)
                {
                    b[i + 1] = (byte)name[i];
                }
                w->PushStr(b, (ulong)name.Length + 1);
            }
        }

        public static void CpuInfo(AllocString* w)
        {
            // CpuId::new: the highest basic leaf
            uint max_eax_value = Query(0, 0).eax;

            // get_vendor_info (leaf 0 is always supported): EBX, EDX, ECX of leaf 0 as 12 bytes
            {
                CpuIdResult v = Query(0, 0);
                uint* vendor = stackalloc uint[3];
                vendor[0] = v.ebx;
                vendor[1] = v.edx;
                vendor[2] = v.ecx;
                w->PushLit("Vendor: ");
                w->PushStr((byte*)vendor, 12);
                w->PushLit("\n");
            }

            // the brand string: all 48 bytes of leaves 0x80000002..4, NULs included
            if (GetExtendedFunctionInfo(out ExtendedFunctionInfo ef) && ef.LeafIsSupported(4))
            {
                w->PushLit("Model: ");
                w->PushStr((byte*)&ef.data[2 * 4], 48);
                w->PushLit("\n");
            }

            // get_processor_frequency_info: leaf 0x16 (queried before the check, as raw-cpuid does)
            {
                CpuIdResult f = Query(0x16, 0);
                if (0x16 <= max_eax_value)
                {
                    w->PushLit("CPU Base MHz: "); w->PushDec(f.eax & 0xFFFF); w->PushLit("\n");
                    w->PushLit("CPU Max MHz: "); w->PushDec(f.ebx & 0xFFFF); w->PushLit("\n");
                    w->PushLit("Bus MHz: "); w->PushDec(f.ecx & 0xFFFF); w->PushLit("\n");
                }
            }

            w->PushLit("Features:");

            if (1 <= max_eax_value)
            {
                CpuIdResult r = Query(1, 0);
                ulong bits = ((ulong)r.edx << 32) | r.ecx;
                Flag(w, Bit(bits, 32 + 0), "fpu");
                Flag(w, Bit(bits, 32 + 1), "vme");
                Flag(w, Bit(bits, 32 + 2), "de");
                Flag(w, Bit(bits, 32 + 3), "pse");
                Flag(w, Bit(bits, 32 + 4), "tsc");
                Flag(w, Bit(bits, 32 + 5), "msr");
                Flag(w, Bit(bits, 32 + 6), "pae");
                Flag(w, Bit(bits, 32 + 7), "mce");

                Flag(w, Bit(bits, 32 + 8), "cx8");
                Flag(w, Bit(bits, 32 + 9), "apic");
                Flag(w, Bit(bits, 32 + 11), "sep");
                Flag(w, Bit(bits, 32 + 12), "mtrr");
                Flag(w, Bit(bits, 32 + 13), "pge");
                Flag(w, Bit(bits, 32 + 14), "mca");
                Flag(w, Bit(bits, 32 + 15), "cmov");
                Flag(w, Bit(bits, 32 + 16), "pat");

                Flag(w, Bit(bits, 32 + 17), "pse36");
                Flag(w, Bit(bits, 32 + 18), "psn");
                Flag(w, Bit(bits, 32 + 19), "clflush");
                Flag(w, Bit(bits, 32 + 21), "ds");
                Flag(w, Bit(bits, 32 + 22), "acpi");
                Flag(w, Bit(bits, 32 + 23), "mmx");
                Flag(w, Bit(bits, 32 + 24), "fxsr");
                Flag(w, Bit(bits, 32 + 25), "sse");

                Flag(w, Bit(bits, 32 + 26), "sse2");
                Flag(w, Bit(bits, 32 + 27), "ss");
                Flag(w, Bit(bits, 32 + 28), "ht");
                Flag(w, Bit(bits, 32 + 29), "tm");
                Flag(w, Bit(bits, 32 + 31), "pbe");

                Flag(w, Bit(bits, 0), "sse3");
                Flag(w, Bit(bits, 1), "pclmulqdq");
                Flag(w, Bit(bits, 2), "dtes64");
                Flag(w, Bit(bits, 3), "monitor");
                Flag(w, Bit(bits, 4), "ds_cpl");
                Flag(w, Bit(bits, 5), "vmx");
                Flag(w, Bit(bits, 6), "smx");
                Flag(w, Bit(bits, 7), "est");

                Flag(w, Bit(bits, 8), "tm2");
                Flag(w, Bit(bits, 9), "ssse3");
                Flag(w, Bit(bits, 10), "cnxtid");
                Flag(w, Bit(bits, 12), "fma");
                Flag(w, Bit(bits, 13), "cx16");
                Flag(w, Bit(bits, 15), "pdcm");
                Flag(w, Bit(bits, 17), "pcid");
                Flag(w, Bit(bits, 18), "dca");

                Flag(w, Bit(bits, 19), "sse4_1");
                Flag(w, Bit(bits, 20), "sse4_2");
                Flag(w, Bit(bits, 21), "x2apic");
                Flag(w, Bit(bits, 22), "movbe");
                Flag(w, Bit(bits, 23), "popcnt");
                Flag(w, Bit(bits, 24), "tsc_deadline_timer");
                Flag(w, Bit(bits, 25), "aes");
                Flag(w, Bit(bits, 26), "xsave");

                Flag(w, Bit(bits, 27), "xsaveopt");
                Flag(w, Bit(bits, 28), "avx");
                Flag(w, Bit(bits, 29), "f16c");
                Flag(w, Bit(bits, 30), "rdrand");
            }

            if (GetExtendedFunctionInfo(out ExtendedFunctionInfo ext))
            {
                bool leaf1 = ext.LeafIsSupported(1);
                uint ecx = ext.Reg(1, 2);
                uint edx = ext.Reg(1, 3);
                Flag(w, leaf1 && Bit(edx, 29), "lm");
                Flag(w, leaf1 && Bit(edx, 27), "rdtscp");
                Flag(w, leaf1 && Bit(edx, 26), "pdpe1gb");
                Flag(w, leaf1 && Bit(edx, 20), "nx");
                Flag(w, leaf1 && Bit(edx, 11), "syscall");
                Flag(w, leaf1 && Bit(ecx, 8), "prefetchw");
                Flag(w, leaf1 && Bit(ecx, 5), "lzcnt");
                Flag(w, leaf1 && Bit(ecx, 0), "lahf_lm");
                Flag(w, ext.LeafIsSupported(7) && Bit(ext.Reg(7, 3), 8), "constant_tsc");
            }

            if (7 <= max_eax_value)
            {
                CpuIdResult r = Query(7, 0);
                if (!(r.eax == 0))
                {
                    // raw-cpuid 3.0's get_extended_feature_info asserts that leaf 7 has no sub-leaves
                    Panic.Fail("assertion failed: res.eax == 0", "raw-cpuid-3.0.0/src/lib.rs", 279);
                }
                uint ebx = r.ebx;
                Flag(w, Bit(ebx, 0), "fsgsbase");
                Flag(w, Bit(ebx, 1), "tsc_adjust");
                Flag(w, Bit(ebx, 3), "bmi1");
                Flag(w, Bit(ebx, 4), "hle");
                Flag(w, Bit(ebx, 5), "avx2");
                Flag(w, Bit(ebx, 7), "smep");
                Flag(w, Bit(ebx, 8), "bmi2");
                Flag(w, Bit(ebx, 9), "erms");
                Flag(w, Bit(ebx, 10), "invpcid");
                Flag(w, Bit(ebx, 11), "rtm");
                Flag(w, Bit(ebx, 12), "qm");
                Flag(w, Bit(ebx, 13), "fpu_seg");
                Flag(w, Bit(ebx, 14), "mpx");
            }

            w->PushLit("\n");
        }

        private static bool Bit(ulong bits, int bit) => (bits & (1UL << bit)) != 0;
    }
}
