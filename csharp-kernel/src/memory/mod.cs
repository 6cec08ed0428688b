using System.Runtime.InteropServices;
using core.fmt;
using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.paging;

namespace Kernel.memory
{
    /// <summary>A memory map area, as the BIOS's E820 call writes it (24 bytes, packed).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct MemoryArea
    {
        public ulong base_addr;
        public ulong length;
        public uint _type;
        public uint acpi;

        /// <summary>Rust's derived `{:?}`: `MemoryArea { base_addr: 0, length: 654336, _type: 1, acpi: 0 }`.</summary>
        public readonly void Debug(Writer w)
        {
            w.Str("MemoryArea { base_addr: ");
            w.Dec(base_addr);
            w.Str(", length: ");
            w.Dec(length);
            w.Str(", _type: ");
            w.Dec(_type);
            w.Str(", acpi: ");
            w.Dec(acpi);
            w.Str(" }");
        }
    }

    /// <summary>A frame, allocated by the frame allocator.</summary>
    public struct Frame
    {
        internal ulong number;

        internal Frame(ulong number) { this.number = number; }

        /// <summary>Get the address of this frame.</summary>
        public readonly PhysicalAddress StartAddress() => new PhysicalAddress(number * Paging.PAGE_SIZE);

        public readonly Frame Clone() => new Frame(number);

        /// <summary>Create a frame containing `address`.</summary>
        public static Frame ContainingAddress(PhysicalAddress address) => new Frame(address.Get() / Paging.PAGE_SIZE);
    }

    /// <summary>memory/mod.rs: the memory map and the frame allocator behind it.</summary>
    public static unsafe class Memory
    {
        /// <summary>Where the loader writes the E820 map (0x500 .. 0x5000).</summary>
        public const ulong MEMORY_MAP_ADDRESS = 0x500;

        /// <summary>How many entries the kernel copies: 512 (the area holds 800).</summary>
        public const int MEMORY_MAP_ENTRIES = 512;

        /// <summary>Memory does not exist.</summary>
        public const uint MEMORY_AREA_NULL = 0;

        /// <summary>Memory is free to use.</summary>
        public const uint MEMORY_AREA_FREE = 1;

        /// <summary>Memory is reserved.</summary>
        public const uint MEMORY_AREA_RESERVED = 2;

        /// <summary>Memory is used by ACPI, and can be reclaimed.</summary>
        public const uint MEMORY_AREA_ACPI = 3;

        /// <summary>The current memory map: 512 entries copied from the loader's.</summary>
        private struct MemoryMap
        {
            public fixed byte bytes[MEMORY_MAP_ENTRIES * 24];
        }

        private static MemoryMap MEMORY_MAP;

        /// <summary>Entry <paramref name="i"/> of the copied map.</summary>
        public static MemoryArea* Entry(int i)
        {
            fixed (MemoryMap* map = &MEMORY_MAP)
            {
                return (MemoryArea*)map->bytes + i;
            }
        }

        /// <summary>
        /// Init memory module; must be called once, and only once. Copies the loader's map from
        /// <see cref="MEMORY_MAP_ADDRESS"/>, printing every non-null entry with `{:?}`.
        /// </summary>
        public static void Init(ulong kernel_start, ulong kernel_end)
        {
            InitFrom((MemoryArea*)MEMORY_MAP_ADDRESS, kernel_start, kernel_end);
        }

        /// <summary>Allocate a range of frames.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        public static Frame? AllocateFrames(ulong count)
        {
            Panic.Fail("frame allocator not initialized", "src/memory/mod.rs", 0);
            return null;
        }

        /// <summary>Deallocate a range of frames.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        public static void DeallocateFrames(Frame frame, ulong count)
        {
            Panic.Fail("frame allocator not initialized", "src/memory/mod.rs", 0);
        }

        /// <summary><see cref="Init"/> reading the loader's map from <paramref name="source"/> (the host tests' buffer).</summary>
        public static void InitFrom(MemoryArea* source, ulong kernel_start, ulong kernel_end)
        {
            for (int i = 0; i < MEMORY_MAP_ENTRIES; i++)
            {
                MemoryArea* entry = Entry(i);
                *entry = source[i];
                if (entry->_type != MEMORY_AREA_NULL)
                {
                    using (var w = Writer.New())
                    {
                        entry->Debug(w);
                        w.Str("\n");
                    }
                }
            }
        }
    }
}
