using core.fmt;
using Kernel.arch.x86_64.debug;
using Kernel.memory;

namespace Kernel.arch.x86_64.paging.entry
{
    /// <summary>paging/entry.rs: the flag bits of a page table entry (a bitflags! type of the original).</summary>
    [System.Flags]
    public enum EntryFlags : ulong
    {
        PRESENT = 1,
        WRITABLE = 1 << 1,
        USER_ACCESSIBLE = 1 << 2,
        WRITE_THROUGH = 1 << 3,
        NO_CACHE = 1 << 4,
        ACCESSED = 1 << 5,
        DIRTY = 1 << 6,
        HUGE_PAGE = 1 << 7,
        GLOBAL = 1 << 8,
        NO_EXECUTE = 1ul << 63,
    }

    /// <summary>What bitflags 1.0 gives EntryFlags besides the bits.</summary>
    public static class EntryFlagsExt
    {
        /// <summary>Every defined bit: what `from_bits_truncate` keeps.</summary>
        public const ulong ALL = 0x1FF | (1ul << 63);

        /// <summary>`contains`: all bits of <paramref name="other"/> are set.</summary>
        public static bool Contains(this EntryFlags self, EntryFlags other) => (self & other) == other;

        /// <summary>`from_bits_truncate`.</summary>
        public static EntryFlags FromBitsTruncate(ulong bits) => (EntryFlags)(bits & ALL);

        /// <summary>bitflags 1.0's `{:?}`: the set flags' names in declaration order joined by " | ", or "(empty)".</summary>
        public static void Debug(this EntryFlags self, Writer w)
        {
            bool first = true;
            Name(w, self, EntryFlags.PRESENT, "PRESENT", ref first);
            Name(w, self, EntryFlags.WRITABLE, "WRITABLE", ref first);
            Name(w, self, EntryFlags.USER_ACCESSIBLE, "USER_ACCESSIBLE", ref first);
            Name(w, self, EntryFlags.WRITE_THROUGH, "WRITE_THROUGH", ref first);
            Name(w, self, EntryFlags.NO_CACHE, "NO_CACHE", ref first);
            Name(w, self, EntryFlags.ACCESSED, "ACCESSED", ref first);
            Name(w, self, EntryFlags.DIRTY, "DIRTY", ref first);
            Name(w, self, EntryFlags.HUGE_PAGE, "HUGE_PAGE", ref first);
            Name(w, self, EntryFlags.GLOBAL, "GLOBAL", ref first);
            Name(w, self, EntryFlags.NO_EXECUTE, "NO_EXECUTE", ref first);
            if (first)
            {
                w.Str("(empty)");
            }
        }

        private static void Name(Writer w, EntryFlags self, EntryFlags flag, string name, ref bool first)
        {
            if ((self & flag) == flag)
            {
                if (!first)
                {
                    w.Str(" | ");
                }
                first = false;
                w.Str(name);
            }
        }
    }

    /// <summary>paging/entry.rs: a page table entry.</summary>
    public struct Entry
    {
        public const ulong ADDRESS_MASK = 0x000f_ffff_ffff_f000;
        public const ulong COUNTER_MASK = 0x3ff0_0000_0000_0000;

        private ulong value;

        public Entry(ulong raw) { value = raw; }

        /// <summary>The raw 64 bits (the tests' and the observer's view).</summary>
        public readonly ulong Raw => value;

        /// <summary>Clear entry.</summary>
        public void SetZero()
        {
            value = 0;
        }

        /// <summary>Is the entry unused? (only counter bits may be set)</summary>
        public readonly bool IsUnused() => value == (value & COUNTER_MASK);

        /// <summary>Make the entry unused, keeping the counter bits.</summary>
        public void SetUnused()
        {
            value &= COUNTER_MASK;
        }

        /// <summary>Get the address this page references.</summary>
        public readonly PhysicalAddress Address() => new PhysicalAddress(value & ADDRESS_MASK);

        /// <summary>Get the current entry flags.</summary>
        public readonly EntryFlags Flags() => EntryFlagsExt.FromBitsTruncate(value);

        /// <summary>Get the associated frame, if available.</summary>
        public readonly Frame? PointedFrame()
        {
            if (Flags().Contains(EntryFlags.PRESENT))
            {
                return Frame.ContainingAddress(Address());
            }
            return null;
        }

        /// <summary>Points the entry at <paramref name="frame"/> with <paramref name="flags"/>, keeping the counter bits.</summary>
        public void Set(Frame frame, EntryFlags flags)
        {
            // debug_assert! on the address's alignment: off in the original's release build
            value = frame.StartAddress().Get() | (ulong)flags | (value & COUNTER_MASK);
        }

        /// <summary>Get bits 52-61 in entry, used as counter for page table.</summary>
        public readonly ulong CounterBits() => (value & COUNTER_MASK) >> 52;

        /// <summary>
        /// Set bits 52-61 in entry, used as counter for page table. A count wider than 10 bits (the
        /// wrapped decrement of a zero count) spills into bits 62-63, NO_EXECUTE included, as in the original.
        /// </summary>
        public void SetCounterBits(ulong count)
        {
            value = (value & ~COUNTER_MASK) | (count << 52);
        }
    }
}
