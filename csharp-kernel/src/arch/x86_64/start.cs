using System.Runtime;
using System.Runtime.InteropServices;
using core.fmt;
using core.sync.atomic;
using Kernel.allocator;
using Kernel.acpi;
using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.device;
using Kernel.arch.x86_64.graphical_debug;
using Kernel.arch.x86_64.gdt;
using Kernel.arch.x86_64.idt;
using Kernel.arch.x86_64.paging;
using Kernel.Hal;
using Kernel.memory;

namespace Kernel.arch.x86_64.start
{
    /// <summary>The arguments the loader hands over (packed, six u64).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct KernelArgs
    {
        public ulong kernel_base;
        public ulong kernel_size;
        public ulong stack_base;
        public ulong stack_size;
        public ulong env_base;
        public ulong env_size;
    }

    /// <summary>
    /// What an AP's entry is handed (packed, four u64): the trampoline's fields from cpu_id on
    /// (acpi/madt.cs writes them, the loader passes their address).
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct KernelArgsAp
    {
        public ulong cpu_id;
        public ulong page_table;
        public ulong stack_start;
        public ulong stack_end;
    }

    /// <summary>
    /// start.rs: where the kernel begins. The loader calls `kstart` with rdi = the packed args;
    /// it runs every init step in the original's order and then enters kmain.
    /// </summary>
    public static unsafe class Start
    {
        /// <summary>Test of zero values in BSS.</summary>
#pragma warning disable CS0649 // never written: that is the test
        private static ulong BSS_TEST_ZERO;
#pragma warning restore CS0649

        /// <summary>Test of non-zero values in data.</summary>
        private static ulong DATA_TEST_NONZERO = 0xFFFF_FFFF_FFFF_FFFF;

        /// <summary>Test of zero values in thread BSS (a per-CPU variable of asm/tls.asm).</summary>
        private static ulong* TBSS_TEST_ZERO => (ulong*)Registers.ThreadLocal(Registers.TLS_TBSS_TEST_ZERO);

        /// <summary>Test of non-zero values in thread data (a per-CPU variable of asm/tls.asm).</summary>
        private static ulong* TDATA_TEST_NONZERO => (ulong*)Registers.ThreadLocal(Registers.TLS_TDATA_TEST_NONZERO);

        public static AtomicUsize KERNEL_BASE;
        public static AtomicUsize KERNEL_SIZE;
        public static AtomicUsize CPU_COUNT;
        public static AtomicBool AP_READY;
        private static AtomicBool BSP_READY;

        /// <summary>The entry to C#, all things must be initialized.</summary>
        [RuntimeExport("kstart")]
        public static void KStart(KernelArgs* args_ptr)
        {
            ulong kernel_base = args_ptr->kernel_base;
            ulong kernel_size = args_ptr->kernel_size;
            ulong stack_base = args_ptr->stack_base;
            ulong stack_size = args_ptr->stack_size;
            ulong env_base = args_ptr->env_base;
            ulong env_size = args_ptr->env_size;

            // BSS should already be zero
            AssertEq(BSS_TEST_ZERO, 0, 64);
            AssertEq(DATA_TEST_NONZERO, 0xFFFF_FFFF_FFFF_FFFF, 65);

            KERNEL_BASE.Store((nuint)kernel_base);
            KERNEL_SIZE.Store((nuint)kernel_size);

            using (var w = Writer.New())
            {
#if MUTATION_SERIAL_KERNEL_LINE_TYPO // NOT the original: the first serial line with another separator (make mutants)
                w.Str("Kernel: "); w.UpperHex(kernel_base); w.Str("-"); w.UpperHex(kernel_base + kernel_size); w.Str("\n");
#else
                w.Str("Kernel: "); w.UpperHex(kernel_base); w.Str(":"); w.UpperHex(kernel_base + kernel_size); w.Str("\n");
#endif
            }
            using (var w = Writer.New())
            {
                w.Str("Stack: "); w.UpperHex(stack_base); w.Str(":"); w.UpperHex(stack_base + stack_size); w.Str("\n");
            }
            using (var w = Writer.New())
            {
                w.Str("Env: "); w.UpperHex(env_base); w.Str(":"); w.UpperHex(env_base + env_size); w.Str("\n");
            }

            // Initialize memory management
            Memory.Init(0, kernel_base + ((kernel_size + 4095) / 4096) * 4096);

            // Initialize paging
            ActivePageTable active_table = Paging.Init(0, kernel_base, kernel_base + kernel_size, stack_base, stack_base + stack_size, out ulong tcb_offset);

            // Set up GDT
            Gdt.Init(tcb_offset, stack_base + stack_size);

            // Set up IDT
            Idt.Init();

            // Test tdata and tbss
            {
                AssertEq(*TBSS_TEST_ZERO, 0, 89);
                *TBSS_TEST_ZERO += 1;
                AssertEq(*TBSS_TEST_ZERO, 1, 91);
                AssertEq(*TDATA_TEST_NONZERO, 0xFFFF_FFFF_FFFF_FFFF, 92);
                *TDATA_TEST_NONZERO -= 1;
                AssertEq(*TDATA_TEST_NONZERO, 0xFFFF_FFFF_FFFF_FFFE, 94);
            }

            // Reset AP variables
            CPU_COUNT.Store(1);
            AP_READY.Store(false);
            BSP_READY.Store(false);

            // Setup kernel heap
            Allocator.Init(ref active_table);

            // Use graphical debug
            GraphicalDebug.Init(ref active_table);

            // Initialize devices
            Device.Init(ref active_table);

            // Read ACPI tables, starts APs (with multi_core, off by default as in the original)
            Acpi.Init(ref active_table);

            // Initialize all of the non-core devices not otherwise needed to complete initialization
            Device.InitNoncore();

            // Initialize memory functions after core has loaded
            Memory.InitNoncore();

            // Stop graphical debug
            GraphicalDebug.Fini(ref active_table);

            BSP_READY.Store(true);

            Lib.Kmain(CPU_COUNT.Load(), (byte*)env_base, env_size);
        }

        /// <summary>
        /// The entry to C# for an AP (asm/ap.asm's stub calls it with the trampoline's fields from
        /// cpu_id on): its own paging view, GDT and IDT, the per-CPU test, its local APIC; then it
        /// reports ready and waits for the BSP before kmain_ap.
        /// </summary>
        [RuntimeExport("kstart_ap")]
        public static void KStartAp(KernelArgsAp* args_ptr)
        {
            ulong cpu_id;
            {
                cpu_id = args_ptr->cpu_id;
                ulong bsp_table = args_ptr->page_table;
                ulong stack_start = args_ptr->stack_start;
                ulong stack_end = args_ptr->stack_end;

                AssertEq(BSS_TEST_ZERO, 0, 151);
                AssertEq(DATA_TEST_NONZERO, 0xFFFF_FFFF_FFFF_FFFF, 152);

                // Initialize paging
                ulong tcb_offset = Paging.InitAp(cpu_id, bsp_table, stack_start, stack_end);

                // Set up GDT for AP
                Gdt.Init(tcb_offset, stack_end);

                // Set up IDT for AP
                Idt.Init();

                // Test tdata and tbss
                {
                    AssertEq(*TBSS_TEST_ZERO, 0, 165);
                    *TBSS_TEST_ZERO += 1;
                    AssertEq(*TBSS_TEST_ZERO, 1, 167);
                    AssertEq(*TDATA_TEST_NONZERO, 0xFFFF_FFFF_FFFF_FFFF, 168);
                    *TDATA_TEST_NONZERO -= 1;
                    AssertEq(*TDATA_TEST_NONZERO, 0xFFFF_FFFF_FFFF_FFFE, 170);
                }

                // Initialize devices (for AP)
                Device.InitAp();

                AP_READY.Store(true);
            }

            while (!BSP_READY.Load())
            {
                Cpu.Pause();
            }

            Lib.KmainAp(cpu_id);
        }

        /// <summary>
        /// `usermode(ip, sp, arg)`: into ring 3 at <paramref name="ip"/> with the stack
        /// <paramref name="sp"/>, interrupts enabled (RFLAGS = IF), the user code and data segments,
        /// FS = the user TLS segment, every general register zero but rdi = <paramref name="arg"/>, a
        /// fresh FPU (fninit); pti::unmap first. Never returns (asm/start.asm hal_usermode).
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        public static void Usermode(ulong ip, ulong sp, ulong arg)
        {
            // Unmap kernel
            Kernel.arch.x86_64.pti.Pti.Unmap();

            // Go to usermode
            UserMode.Enter(ip, sp, arg,
                (ulong)(Gdt.GDT_USER_DATA << 3 | 3),
                (ulong)(Gdt.GDT_USER_CODE << 3 | 3),
                (ulong)(Gdt.GDT_USER_TLS << 3 | 3));
            Panic.Fail("internal error: entered unreachable code", "src/arch/x86_64/start.rs", 237);
        }

        /// <summary>`assert_eq!(left, right)` in start.rs at the given line.</summary>
        private static void AssertEq(ulong left, ulong right, uint line)
        {
            if (left != right)
            {
                var w = Panic.Begin();
                w.Str("assertion failed: `(left == right)`\n  left: `");
                w.Dec(left);
                w.Str("`,\n right: `");
                w.Dec(right);
                w.Str("`");
                Panic.End(w, "src/arch/x86_64/start.rs", line);
            }
        }
    }
}
