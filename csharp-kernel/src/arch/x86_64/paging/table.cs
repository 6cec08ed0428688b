using System.Runtime.CompilerServices;
using Kernel.arch.x86_64.paging.entry;
using Kernel.memory;

namespace Kernel.arch.x86_64.paging.table
{
    /// <summary>A table level (the original's TableLevel marker trait).</summary>
    public interface ITableLevel { }

    /// <summary>A level whose entries point to tables of level <typeparamref name="TNext"/> (HierarchicalLevel).</summary>
    public interface IHierarchicalLevel<TNext> : ITableLevel where TNext : struct, ITableLevel { }

    public struct Level4 : IHierarchicalLevel<Level3> { }
    public struct Level3 : IHierarchicalLevel<Level2> { }
    public struct Level2 : IHierarchicalLevel<Level1> { }
    public struct Level1 : ITableLevel { }

    /// <summary>
    /// paging/table.rs: a page table of level <typeparamref name="L"/>: 512 entries, always reached
    /// through a pointer (the recursive mapping, or the temporary page). Entry 0's bits 52-61 count
    /// the table's used entries.
    /// </summary>
    public unsafe struct Table<L> where L : struct, ITableLevel
    {
        private fixed ulong entries[512];

        /// <summary>`self[index]`.</summary>
        public ref Entry this[ulong index]
        {
            get
            {
                fixed (ulong* e = entries)
                {
                    return ref ((Entry*)e)[index];
                }
            }
        }

        /// <summary>The table's own (virtual) address.</summary>
        public ulong Address()
        {
            fixed (ulong* e = entries)
            {
                return (ulong)e;
            }
        }

        public bool IsUnused()
        {
            if (EntryCount() > 0)
            {
                return false;
            }
            return true;
        }

        public void Zero()
        {
            for (ulong i = 0; i < Paging.ENTRY_COUNT; i++)
            {
                this[i].SetZero();
            }
        }

        /// <summary>Set number of entries in first table entry.</summary>
        private void SetEntryCount(ulong count)
        {
            // debug_assert!(count <= ENTRY_COUNT): off in the original's release build
            this[0].SetCounterBits(count);
        }

        /// <summary>Get number of entries in first table entry.</summary>
        private ulong EntryCount() => this[0].CounterBits();

        public void IncrementEntryCount()
        {
            ulong current_count = EntryCount();
            SetEntryCount(current_count + 1);
        }

        /// <summary>Decrements the count; a zero count wraps (release arithmetic), as in the original.</summary>
        public void DecrementEntryCount()
        {
            ulong current_count = EntryCount();
            SetEntryCount(unchecked(current_count - 1));
        }
    }

    /// <summary>paging/table.rs: the table constants and the methods of hierarchical levels.</summary>
    public static unsafe class TableOps
    {
        /// <summary>The PML4, through the recursive mapping at PML4[511].</summary>
        public const ulong P4 = 0xffff_ffff_ffff_f000;

        /// <summary>`next_table` / `next_table_mut`: the table entry <paramref name="index"/> points to, if any.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Table<N>* NextTable<L, N>(Table<L>* self, ulong index)
            where L : struct, IHierarchicalLevel<N> where N : struct, ITableLevel
        {
            ulong? address = NextTableAddress(self, index);
            if (address.HasValue)
            {
                return (Table<N>*)address.Value;
            }
            return null;
        }

        /// <summary>The next table, created (a fresh zeroed frame, PRESENT | WRITABLE | USER_ACCESSIBLE) if missing.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Table<N>* NextTableCreate<L, N>(Table<L>* self, ulong index)
            where L : struct, IHierarchicalLevel<N> where N : struct, ITableLevel
        {
            if (NextTable<L, N>(self, index) == null)
            {
                if ((*self)[index].Flags().Contains(EntryFlags.HUGE_PAGE))
                {
                    Panic.Fail("next_table_create does not support huge pages", "src/arch/x86_64/paging/table.rs", 95);
                }
                Frame? frame = Memory.AllocateFrames(1);
                if (!frame.HasValue)
                {
                    Panic.Fail("no frames available", "src/arch/x86_64/paging/table.rs", 97);
                }
                self->IncrementEntryCount();
                // users may walk down the tables; permissions are set at the page level
                (*self)[index].Set(frame.Value, EntryFlags.PRESENT | EntryFlags.WRITABLE | EntryFlags.USER_ACCESSIBLE);
                NextTable<L, N>(self, index)->Zero();
            }
            return NextTable<L, N>(self, index);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong? NextTableAddress<L>(Table<L>* self, ulong index) where L : struct, ITableLevel
        {
            EntryFlags entry_flags = (*self)[index].Flags();
            if (entry_flags.Contains(EntryFlags.PRESENT) && !entry_flags.Contains(EntryFlags.HUGE_PAGE))
            {
                ulong table_address = (ulong)self;
                return (table_address << 9) | (index << 12);
            }
            return null;
        }
    }
}
