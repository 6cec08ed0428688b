using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kernel.consts;
using Kernel.Hal;

namespace Kernel.arch.x86_64.gdt
{
    /// <summary>The x86 crate's `dtables::DescriptorTablePointer`: the packed operand of lgdt/lidt.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct DescriptorTablePointer
    {
        public ushort limit;
        public ulong @base;
    }

    /// <summary>The x86 crate's (0.7) `task::TaskStateSegment`: the packed 104-byte 64-bit TSS.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public unsafe struct TaskStateSegment
    {
        public uint reserved;
        public fixed ulong rsp[3];
        public ulong reserved2;
        public fixed ulong ist[7];
        public ulong reserved3;
        public ushort reserved4;
        public ushort iomap_base;
    }

    /// <summary>gdt.rs: a GDT entry (8 bytes, packed).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct GdtEntry
    {
        public ushort limitl;
        public ushort offsetl;
        public byte offsetm;
        public byte access;
        public byte flags_limith;
        public byte offseth;

        public static GdtEntry New(uint offset, uint limit, byte access, byte flags)
        {
            return new GdtEntry
            {
                limitl = (ushort)limit,
                offsetl = (ushort)offset,
                offsetm = (byte)(offset >> 16),
                access = access,
                flags_limith = (byte)((flags & 0xF0) | ((byte)(limit >> 16) & 0x0F)),
                offseth = (byte)(offset >> 24),
            };
        }

        public void SetOffset(uint offset)
        {
            offsetl = (ushort)offset;
            offsetm = (byte)(offset >> 16);
            offseth = (byte)(offset >> 24);
        }

        public void SetLimit(uint limit)
        {
            limitl = (ushort)limit;
            flags_limith = (byte)((flags_limith & 0xF0) | ((byte)(limit >> 16) & 0x0F));
        }
    }

    /// <summary>
    /// gdt.rs: the global descriptor table. A first GDT in the kernel image (INIT_GDT) carries the
    /// TLS segment so that FS reaches this CPU's block; then the per-CPU GDT, GDTR and TSS (the
    /// original's #[thread_local] statics, in asm/tls.asm) are filled in and loaded.
    /// </summary>
    public static unsafe class Gdt
    {
        public const int GDT_NULL = 0;
        public const int GDT_KERNEL_CODE = 1;
        public const int GDT_KERNEL_DATA = 2;
        public const int GDT_KERNEL_TLS = 3;
        public const int GDT_USER_CODE = 4;
        public const int GDT_USER_DATA = 5;
        public const int GDT_USER_TLS = 6;
        public const int GDT_TSS = 7;
        public const int GDT_TSS_HIGH = 8;

        public const byte GDT_A_PRESENT = 1 << 7;
        public const byte GDT_A_RING_0 = 0 << 5;
        public const byte GDT_A_RING_1 = 1 << 5;
        public const byte GDT_A_RING_2 = 2 << 5;
        public const byte GDT_A_RING_3 = 3 << 5;
        public const byte GDT_A_SYSTEM = 1 << 4;
        public const byte GDT_A_EXECUTABLE = 1 << 3;
        public const byte GDT_A_CONFORMING = 1 << 2;
        public const byte GDT_A_PRIVILEGE = 1 << 1;
        public const byte GDT_A_DIRTY = 1;

        public const byte GDT_A_TSS_AVAIL = 0x9;
        public const byte GDT_A_TSS_BUSY = 0xB;

        public const byte GDT_F_PAGE_SIZE = 1 << 7;
        public const byte GDT_F_PROTECTED_MODE = 1 << 6;
        public const byte GDT_F_LONG_MODE = 1 << 5;

        /// <summary>Number of entries of the per-CPU GDT (GDT in asm/tls.asm).</summary>
        public const int GDT_LEN = 9;

        /// <summary>The initial GDT: null, kernel code, kernel data, kernel TLS (DPL 3, as in the original).</summary>
        public struct InitGdt
        {
            public GdtEntry null_;
            public GdtEntry kernel_code;
            public GdtEntry kernel_data;
            public GdtEntry kernel_tls;

            public const int LEN = 4;
        }

        private static DescriptorTablePointer INIT_GDTR;

        private static InitGdt INIT_GDT = new InitGdt
        {
            null_ = GdtEntry.New(0, 0, 0, 0),
            kernel_code = GdtEntry.New(0, 0, GDT_A_PRESENT | GDT_A_RING_0 | GDT_A_SYSTEM | GDT_A_EXECUTABLE | GDT_A_PRIVILEGE, GDT_F_LONG_MODE),
#if MUTATION_GDT_KERNEL_DATA_RING3 // NOT the original: the kernel data segment with DPL 3 (make mutants)
            kernel_data = GdtEntry.New(0, 0, GDT_A_PRESENT | GDT_A_RING_3 | GDT_A_SYSTEM | GDT_A_PRIVILEGE, GDT_F_LONG_MODE),
#else
            kernel_data = GdtEntry.New(0, 0, GDT_A_PRESENT | GDT_A_RING_0 | GDT_A_SYSTEM | GDT_A_PRIVILEGE, GDT_F_LONG_MODE),
#endif
            kernel_tls = GdtEntry.New(0, 0, GDT_A_PRESENT | GDT_A_RING_3 | GDT_A_SYSTEM | GDT_A_PRIVILEGE, GDT_F_LONG_MODE),
        };

        /// <summary>This CPU's GDTR (thread-local).</summary>
        public static DescriptorTablePointer* GDTR => (DescriptorTablePointer*)Registers.ThreadLocal(Registers.TLS_GDTR);

        /// <summary>This CPU's GDT, 9 entries (thread-local).</summary>
        public static GdtEntry* GDT => (GdtEntry*)Registers.ThreadLocal(Registers.TLS_GDT);

        /// <summary>This CPU's TSS (thread-local).</summary>
        public static TaskStateSegment* TSS => (TaskStateSegment*)Registers.ThreadLocal(Registers.TLS_TSS);

        /// <summary>The stack the CPU switches to when coming back from userspace (`pti` off).</summary>
        public static void SetTssStack(ulong stack)
        {
            TSS->rsp[0] = stack;
        }

        /// <summary>The initial GDT's address (the tests' view).</summary>
        public static InitGdt* InitGdtPointer()
        {
            fixed (InitGdt* p = &INIT_GDT)
            {
                return p;
            }
        }

        /// <summary>Initialize GDT.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Init(ulong tcb_offset, ulong stack_offset)
        {
            // The initial GDT carries the TLS segment, so that the per-CPU GDT (a thread local) can be reached
            fixed (DescriptorTablePointer* init_gdtr = &INIT_GDTR)
            fixed (InitGdt* init_gdt = &INIT_GDT)
            {
                init_gdtr->limit = (ushort)(InitGdt.LEN * sizeof(GdtEntry) - 1);
                init_gdtr->@base = (ulong)init_gdt;

                // Set the TLS segment to the offset of the Thread Control Block
                init_gdt->kernel_tls.SetOffset((uint)tcb_offset);

                // Load the initial GDT, before we have access to thread locals
                Registers.Lgdt(init_gdtr);
            }

            // Load the segment descriptors
            Registers.LoadCs(Selector(GDT_KERNEL_CODE));
            Registers.LoadDs(Selector(GDT_KERNEL_DATA));
            Registers.LoadEs(Selector(GDT_KERNEL_DATA));
            Registers.LoadFs(Selector(GDT_KERNEL_TLS));
            Registers.LoadGs(Selector(GDT_KERNEL_DATA));
            Registers.LoadSs(Selector(GDT_KERNEL_DATA));

            // Thread locals are reachable now: set up this CPU's own GDT
            GdtEntry* gdt = GDT;
            DescriptorTablePointer* gdtr = GDTR;
            gdtr->limit = (ushort)(GDT_LEN * sizeof(GdtEntry) - 1);
            gdtr->@base = (ulong)gdt;

            // Set the TLS segment to the offset of the Thread Control Block
            gdt[GDT_KERNEL_TLS].SetOffset((uint)tcb_offset);

            // Set the User TLS segment to the offset of the user TCB
            gdt[GDT_USER_TLS].SetOffset((uint)Consts.USER_TCB_OFFSET);

            // The TSS, a thread local too. The limit is its size, 0x68, one more than its last
            // byte: an off-by-one of the original, kept (FIDELITY.md §3)
            gdt[GDT_TSS].SetOffset((uint)(ulong)TSS);
#if MUTATION_TSS_LIMIT_EXACT // NOT the original: quirk undone: the TSS limit 0x67 instead of the original's 0x68 (make mutants)
            gdt[GDT_TSS].SetLimit((uint)sizeof(TaskStateSegment) - 1);
#else
            gdt[GDT_TSS].SetLimit((uint)sizeof(TaskStateSegment));
#endif

            // Set the stack pointer when coming back from userspace
#if MUTATION_TSS_IOMAP_BASE // NOT the original: the TSS's I/O map base set past its end (make mutants)
            SetTssStack(stack_offset);
            TSS->iomap_base = (ushort)sizeof(TaskStateSegment);
#else
            SetTssStack(stack_offset);
#endif

            // Load the new GDT, which is correctly located in thread local storage
            Registers.Lgdt(gdtr);

            // Reload the segment descriptors
            Registers.LoadCs(Selector(GDT_KERNEL_CODE));
            Registers.LoadDs(Selector(GDT_KERNEL_DATA));
            Registers.LoadEs(Selector(GDT_KERNEL_DATA));
            Registers.LoadFs(Selector(GDT_KERNEL_TLS));
            Registers.LoadGs(Selector(GDT_KERNEL_DATA));
            Registers.LoadSs(Selector(GDT_KERNEL_DATA));

            // Load the task register
            Registers.Ltr(Selector(GDT_TSS));
        }

        /// <summary>The x86 crate's `SegmentSelector::new(index)`: index &lt;&lt; 3, RPL 0, GDT.</summary>
        public static ushort Selector(int index) => (ushort)(index << 3);
    }
}
