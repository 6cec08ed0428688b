using alloc.allocator;
using Kernel;

namespace linked_list_allocator.hole
{
    /// <summary>
    /// linked_list_allocator 0.5.0's hole list: free blocks, sorted by address, each holding its
    /// own node (size, next) in its first 16 bytes. `first` is a dummy head of size 0 that is not
    /// in the heap. The head's `next` is null for None, as Rust's Option&lt;&amp;mut Hole&gt;.
    /// </summary>
    public unsafe struct HoleList
    {
        internal Hole first;

        /// <summary>`HoleList::empty()`: no hole.</summary>
        public static HoleList Empty()
        {
            HoleList l;
            l.first.size = 0;
            l.first.next = null;
            return l;
        }

        /// <summary>`HoleList::new`: one hole covering [hole_addr, hole_addr + hole_size), its node written there.</summary>
        public static HoleList New(ulong hole_addr, ulong hole_size)
        {
            if ((ulong)sizeof(Hole) != MinSize())
            {
                Panic.Fail("assertion failed: size_of::<Hole>() == Self::min_size()", "src/hole.rs", 26);
            }
            Hole* ptr = (Hole*)hole_addr;
            ptr->size = hole_size;
            ptr->next = null;

            HoleList l;
            l.first.size = 0;
            l.first.next = ptr;
            return l;
        }

        /// <summary>
        /// First fit: the first hole (in address order) that can hold the layout once aligned is
        /// taken out of the list; its front and back padding are then freed again from the head.
        /// Returns Exhausted with the layout when no hole fits.
        /// </summary>
        public AllocResult AllocateFirstFit(Layout layout)
        {
            if (layout.Size() < MinSize())
            {
                Panic.Fail("assertion failed: layout.size() >= Self::min_size()", "src/hole.rs", 46);
            }
            fixed (Hole* head = &first)
            {
                Allocation allocation;
                if (!Holes.AllocateFirstFit(head, layout, out allocation))
                {
                    return AllocResult.Err(AllocErr.Exhausted(layout));
                }
                if (allocation.has_front_padding)
                {
                    Holes.Deallocate(head, allocation.front_padding.addr, allocation.front_padding.size);
                }
                if (allocation.has_back_padding)
                {
                    Holes.Deallocate(head, allocation.back_padding.addr, allocation.back_padding.size);
                }
                return AllocResult.Ok((byte*)allocation.info.addr);
            }
        }

        /// <summary>Frees [ptr, ptr + layout.size) into the list, merging with neighbours.</summary>
        public void Deallocate(byte* ptr, Layout layout)
        {
            fixed (Hole* head = &first)
            {
                Holes.Deallocate(head, (ulong)ptr, layout.Size());
            }
        }

        /// <summary>The smallest block: two usizes (a hole's node).</summary>
        public static ulong MinSize() => 8 * 2;

        /// <summary>The first real hole (address, size), or None (for tests and observers).</summary>
        public readonly Hole* FirstHole() => first.next;
    }

    /// <summary>A free block: its size and the next hole (null = None).</summary>
    public unsafe struct Hole
    {
        public ulong size;
        public Hole* next;

        /// <summary>`info()`: the address and size of the hole at <paramref name="hole"/>.</summary>
        internal static HoleInfo Info(Hole* hole)
        {
            HoleInfo i;
            i.addr = (ulong)hole;
            i.size = hole->size;
            return i;
        }
    }

    /// <summary>Address and size of a block.</summary>
    internal struct HoleInfo
    {
        public ulong addr;
        public ulong size;
    }

    /// <summary>What split_hole / allocate_first_fit give: the block, and the padding around it to free again.</summary>
    internal struct Allocation
    {
        public HoleInfo info;
        public bool has_front_padding;
        public HoleInfo front_padding;
        public bool has_back_padding;
        public HoleInfo back_padding;
    }

    /// <summary>hole.rs's free functions.</summary>
    internal static unsafe class Holes
    {
        /// <summary>
        /// split_hole: an aligned hole start is used as is; otherwise the allocation starts at the
        /// first aligned address at least min_size past the hole's start (the gap is front padding).
        /// The hole must reach past the allocation's end; what remains behind it is back padding,
        /// and a remainder smaller than min_size makes the hole unusable.
        /// </summary>
        internal static bool SplitHole(HoleInfo hole, Layout required_layout, out Allocation result)
        {
            result = default;
            ulong required_size = required_layout.Size();
            ulong required_align = required_layout.Align();

            ulong aligned_addr;
            bool has_front = false;
            HoleInfo front = default;
            if (hole.addr == LinkedListAllocator.AlignUp(hole.addr, required_align))
            {
                aligned_addr = hole.addr;
            }
            else
            {
                aligned_addr = LinkedListAllocator.AlignUp(hole.addr + HoleList.MinSize(), required_align);
                has_front = true;
                front.addr = hole.addr;
                front.size = aligned_addr - hole.addr;
            }

            if (aligned_addr + required_size > hole.addr + hole.size)
            {
                return false;
            }
            HoleInfo aligned_hole;
            aligned_hole.addr = aligned_addr;
            aligned_hole.size = hole.size - (aligned_addr - hole.addr);

            bool has_back;
            HoleInfo back = default;
            if (aligned_hole.size == required_size)
            {
                has_back = false;
            }
            else if (aligned_hole.size - required_size < HoleList.MinSize())
            {
                return false;
            }
            else
            {
                has_back = true;
                back.addr = aligned_hole.addr + required_size;
                back.size = aligned_hole.size - required_size;
            }

            result.info.addr = aligned_hole.addr;
            result.info.size = required_size;
            result.has_front_padding = has_front;
            result.front_padding = front;
            result.has_back_padding = has_back;
            result.back_padding = back;
            return true;
        }

        /// <summary>
        /// Walks from `previous`'s successor; the first hole split_hole accepts is unlinked and its
        /// allocation returned. False when the end of the list is reached.
        /// </summary>
        internal static bool AllocateFirstFit(Hole* previous, Layout layout, out Allocation allocation)
        {
            while (true)
            {
                Hole* current = previous->next;
                if (current != null && SplitHole(Hole.Info(current), layout, out allocation))
                {
                    previous->next = current->next;
                    current->next = null;
                    return true;
                }
                if (current != null)
                {
                    previous = current;
                    continue;
                }
                allocation = default;
                return false;
            }
        }

        /// <summary>
        /// Frees (addr, size) starting at `hole` and walking forward (the list is sorted): the
        /// block may close the gap to the next hole (three merge into one), extend this hole,
        /// prepend to the next hole (which is unlinked and freed again, grown, from here), belong
        /// further on, or become a new hole between this and the next.
        /// </summary>
        internal static void Deallocate(Hole* hole, ulong addr, ulong size)
        {
            while (true)
            {
                if (size < HoleList.MinSize())
                {
                    Panic.Fail("assertion failed: size >= HoleList::min_size()", "src/hole.rs", 212);
                }

                // The dummy head (size 0) counts as a hole at address 0.
                ulong hole_addr = hole->size == 0 ? 0 : (ulong)hole;

                if (!(hole_addr + hole->size <= addr))
                {
                    Panic.Fail("invalid deallocation (probably a double free)", "src/hole.rs", 226);
                }

                Hole* next = hole->next;
                bool has_next = next != null;
                ulong next_addr = has_next ? (ulong)next : 0;
                ulong next_size = has_next ? next->size : 0;

                if (has_next && hole_addr + hole->size == addr && addr + size == next_addr)
                {
                    // fills the gap exactly: this hole swallows the block and the next hole
                    hole->size += size + next_size;
                    hole->next = next->next;
                    next->next = null;
                }
                else if (hole_addr + hole->size == addr)
                {
                    // right behind this hole
                    hole->size += size;
                }
                else if (has_next && addr + size == next_addr)
                {
                    // right before the next hole: take it out, free the union from here again
                    hole->next = next->next;
                    next->next = null;
                    size += next_size;
                    continue;
                }
                else if (has_next && next_addr <= addr)
                {
                    // further on
                    hole = next;
                    continue;
                }
                else
                {
                    // a new hole between this one and the next
                    Hole* ptr = (Hole*)addr;
                    ptr->size = size;
                    ptr->next = hole->next;
                    hole->next = ptr;
                }
                break;
            }
        }
    }
}
