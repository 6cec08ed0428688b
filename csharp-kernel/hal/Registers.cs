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
    }
}
