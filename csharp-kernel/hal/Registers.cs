using System.Runtime;
using System.Runtime.CompilerServices;

namespace Kernel.Hal
{
    /// <summary>
    /// Control registers, MSRs, the TLB, the descriptor-table and segment registers
    /// (asm/registers.asm) — what the x86 crate's `controlregs`, `msr`, `tlb`, `dtables` and
    /// `segmentation` modules give the original. The host build has its own.
    /// </summary>
    public static unsafe class Registers
    {
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_read_cr0")]
        public static extern ulong ReadCr0();

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_write_cr0")]
        public static extern void WriteCr0(ulong value);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_read_cr2")]
        public static extern ulong ReadCr2();

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_read_cr3")]
        public static extern ulong ReadCr3();

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_write_cr3")]
        public static extern void WriteCr3(ulong value);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_read_cr4")]
        public static extern ulong ReadCr4();

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_write_cr4")]
        public static extern void WriteCr4(ulong value);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_rdmsr")]
        public static extern ulong Rdmsr(uint msr);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_wrmsr")]
        public static extern void Wrmsr(uint msr, ulong value);

        /// <summary>Invalidate the TLB entry of one page.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_invlpg")]
        public static extern void Invlpg(ulong address);

        /// <summary>Flush the whole (non-global) TLB by reloading CR3.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_flush_tlb")]
        public static extern void FlushTlb();

        /// <summary>Load the GDT register from a packed {u16 limit; u64 base}.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_lgdt")]
        public static extern void Lgdt(void* pointer);

        /// <summary>Load the IDT register from a packed {u16 limit; u64 base}.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_lidt")]
        public static extern void Lidt(void* pointer);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_sgdt")]
        public static extern void Sgdt(void* pointer);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_sidt")]
        public static extern void Sidt(void* pointer);

        /// <summary>Load the task register.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_ltr")]
        public static extern void Ltr(ushort selector);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_load_cs")]
        public static extern void LoadCs(ushort selector);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_load_ds")]
        public static extern void LoadDs(ushort selector);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_load_es")]
        public static extern void LoadEs(ushort selector);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_load_fs")]
        public static extern void LoadFs(ushort selector);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_load_gs")]
        public static extern void LoadGs(ushort selector);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_load_ss")]
        public static extern void LoadSs(ushort selector);
            // The linker script's section bounds (asm/registers.asm): which of them LinkerSymbol returns.
        public const uint TEXT_START = 0, TEXT_END = 1, RODATA_START = 2, RODATA_END = 3;
        public const uint DATA_START = 4, DATA_END = 5, TDATA_START = 6, TDATA_END = 7;
        public const uint TBSS_START = 8, TBSS_END = 9, BSS_START = 10, BSS_END = 11;

        /// <summary>The address of a linker-script symbol (`__text_start`...), one of the constants above.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_linker_symbol")]
        public static extern ulong LinkerSymbol(uint which);

        // The per-CPU variables of asm/tls.asm (the original's #[thread_local] statics).
        public const uint TLS_TDATA_TEST_NONZERO = 0, TLS_GDT = 1, TLS_TSS = 2, TLS_GDTR = 3;
        public const uint TLS_TBSS_TEST_ZERO = 4, TLS_CPU_ID = 5, TLS_CONTEXT_ID = 6;

        /// <summary>
        /// The running CPU's copy of a per-CPU variable (one of TLS_*): fs:0 + (its place in the
        /// TLS image - the image's end), the addressing of the original's initial-exec TLS code.
        /// Valid once FS holds the per-CPU block (gdt::init).
        /// </summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_thread_local")]
        public static extern void* ThreadLocal(uint which);

        /// <summary>The address of the entry stub for IDT vector <paramref name="vector"/> (asm/interrupt.asm), 0 if none.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_interrupt_entry")]
        public static extern ulong InterruptEntry(uint vector);
    }
}
