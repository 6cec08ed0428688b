using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using core.fmt;
using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.paging;
using Kernel.memory.bump;
using Kernel.memory.recycle;
using spin;

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

    /// <summary>
    /// Walks the copied memory map from its first entry, yielding the entries of one type (the
    /// bump allocator clones it for every walk).
    /// </summary>
    public unsafe struct MemoryAreaIter
    {
        internal uint _type;
        internal ulong i;

        internal static MemoryAreaIter New(uint type)
        {
            MemoryAreaIter it;
            it._type = type;
            it.i = 0;
            return it;
        }

        public readonly MemoryAreaIter Clone() => this;

        /// <summary>The next entry of the type, or null (None) at the end of the 512 entries.</summary>
        public MemoryArea* Next()
        {
            while (i < (ulong)Memory.MEMORY_MAP_ENTRIES)
            {
                MemoryArea* entry = Memory.Entry((int)i);
                i += 1;
                if (entry->_type == _type)
                {
                    return entry;
                }
            }
            return null;
        }
    }

    /// <summary>`Option&lt;RecycleAllocator&lt;BumpAllocator&gt;&gt;`.</summary>
    public struct FrameAllocatorSlot
    {
        public bool is_some;
        public RecycleAllocator value;
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
        /// `ALLOCATOR: Mutex&lt;Option&lt;RecycleAllocator&lt;BumpAllocator&gt;&gt;&gt;`, None until <see cref="Init"/>.
        /// </summary>
        internal static Mutex<FrameAllocatorSlot> ALLOCATOR;

        /// <summary>
        /// Init memory module; must be called once, and only once. Copies the loader's map from
        /// <see cref="MEMORY_MAP_ADDRESS"/>, printing every non-null entry with `{:?}`, then sets up
        /// the frame allocator.
        /// </summary>
        public static void Init(ulong kernel_start, ulong kernel_end)
        {
            InitFrom((MemoryArea*)MEMORY_MAP_ADDRESS, kernel_start, kernel_end);
        }

        /// <summary>
        /// <see cref="Init"/> reading the loader's map from <paramref name="source"/> (the host tests'
        /// buffer). After the copy: a RecycleAllocator (noncore off, empty list) over a
        /// BumpAllocator of the free areas, with frames kernel_start..=kernel_end the kernel's.
        /// </summary>
        public static void InitFrom(MemoryArea* source, ulong kernel_start, ulong kernel_end)
        {
#if MUTATION_MEMORY_MAP_511_ENTRIES // NOT the original: the 512th E820 entry is not copied (make mutants)
            for (int i = 0; i < MEMORY_MAP_ENTRIES - 1; i++)
            {
                MemoryArea* entry = Entry(i);
                *entry = source[i];
#else
            for (int i = 0; i < MEMORY_MAP_ENTRIES; i++)
            {
                MemoryArea* entry = Entry(i);
                *entry = source[i];
#endif
                if (entry->_type != MEMORY_AREA_NULL)
                {
                    using (var w = Writer.New())
                    {
                        entry->Debug(w);
                        w.Str("\n");
                    }
                }
            }

            RecycleAllocator allocator = RecycleAllocator.New(BumpAllocator.New(kernel_start, kernel_end, MemoryAreaIter.New(MEMORY_AREA_FREE)));
            using (var guard = ALLOCATOR.Lock())
            {
                // the assignment drops the previous value (None at boot)
                if (guard.Value.is_some)
                {
                    guard.Value.value.Dispose();
                }
                guard.Value.value = allocator;
                guard.Value.is_some = true;
            }
        }

        /// <summary>
        /// Host tests only: forget the frame allocator without dropping it (as a fresh boot has
        /// none), so that a test can start over after its heap buffer is gone.
        /// </summary>
        internal static void ForgetForTests()
        {
            ALLOCATOR = default;
        }

        /// <summary>Init memory module after core (the heap exists): frees are kept from now on.</summary>
        public static void InitNoncore()
        {
            using (var guard = ALLOCATOR.Lock())
            {
                if (guard.Value.is_some)
                {
                    guard.Value.value.SetNoncore(true);
                }
                else
                {
                    Panic.Fail("frame allocator not initialized", "src/memory/mod.rs", 91);
                }
            }
        }

        /// <summary>Get the number of frames available.</summary>
        public static ulong FreeFrames()
        {
            using (var guard = ALLOCATOR.Lock())
            {
                if (!guard.Value.is_some)
                {
                    Panic.Fail("frame allocator not initialized", "src/memory/mod.rs", 100);
                }
                return guard.Value.value.FreeFrames();
            }
        }

        /// <summary>Get the number of frames used.</summary>
        public static ulong UsedFrames()
        {
            using (var guard = ALLOCATOR.Lock())
            {
                if (!guard.Value.is_some)
                {
                    Panic.Fail("frame allocator not initialized", "src/memory/mod.rs", 109);
                }
                return guard.Value.value.UsedFrames();
            }
        }

        /// <summary>Allocate a range of frames (None when there are none left).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Frame? AllocateFrames(ulong count)
        {
            using (var guard = ALLOCATOR.Lock())
            {
                if (!guard.Value.is_some)
                {
                    Panic.Fail("frame allocator not initialized", "src/memory/mod.rs", 118);
                }
                return guard.Value.value.AllocateFrames(count);
            }
        }

        /// <summary>Deallocate a range of frames.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void DeallocateFrames(Frame frame, ulong count)
        {
            using (var guard = ALLOCATOR.Lock())
            {
                if (!guard.Value.is_some)
                {
                    Panic.Fail("frame allocator not initialized", "src/memory/mod.rs", 127);
                }
                guard.Value.value.DeallocateFrames(frame, count);
            }
        }
    }

    /// <summary>A frame, allocated by the frame allocator.</summary>
    public struct Frame
    {
        internal ulong number;

        internal Frame(ulong number) { this.number = number; }

        /// <summary>Get the address of this frame.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly PhysicalAddress StartAddress() => new PhysicalAddress(number * Paging.PAGE_SIZE);

        public readonly Frame Clone() => new Frame(number);

        /// <summary>Create a frame containing `address`.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Frame ContainingAddress(PhysicalAddress address) => new Frame(address.Get() / Paging.PAGE_SIZE);

        /// <summary>The frames from `start` to `end`, both included.</summary>
        public static FrameIter RangeInclusive(Frame start, Frame end) => new FrameIter(start, end);

        /// <summary>The derived `{:?}`: `Frame { number: N }`.</summary>
        public readonly void Debug(Writer w)
        {
            w.Str("Frame { number: ");
            w.Dec(number);
            w.Str(" }");
        }

        /// <summary>The derived PartialEq: by number.</summary>
        public readonly bool Eq(Frame other) => number == other.number;

        // The derived Ord: by number.
        public static bool operator <(Frame a, Frame b) => a.number < b.number;
        public static bool operator >(Frame a, Frame b) => a.number > b.number;
        public static bool operator <=(Frame a, Frame b) => a.number <= b.number;
        public static bool operator >=(Frame a, Frame b) => a.number >= b.number;
    }

    /// <summary>An inclusive range of frames, walked upward.</summary>
    public struct FrameIter
    {
        internal Frame start;
        internal Frame end;

        internal FrameIter(Frame start, Frame end)
        {
            this.start = start;
            this.end = end;
        }

        /// <summary>The next frame while start &lt;= end (Rust's `Iterator::next`).</summary>
        public bool Next(out Frame frame)
        {
            if (start <= end)
            {
                frame = start.Clone();
                start.number += 1;
                return true;
            }
            frame = default;
            return false;
        }
    }

    // The FrameAllocator trait (set_noncore, free_frames, used_frames, allocate_frames,
    // deallocate_frames) is not declared as an interface: its two implementors, BumpAllocator and
    // RecycleAllocator, carry those methods under the same names, and the only composition the
    // kernel makes (a recycle allocator over a bump allocator) is fixed in RecycleAllocator.
}
