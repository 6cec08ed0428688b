using System.Runtime.CompilerServices;
using alloc.vec;
using Kernel.arch.x86_64.paging;
using Kernel.memory.bump;

namespace Kernel.memory.recycle
{
    /// <summary>Rust's `(usize, usize)` of the free list: start address, frame count.</summary>
    public struct FreeRange
    {
        public ulong _0;
        public ulong _1;

        public FreeRange(ulong address, ulong count)
        {
            _0 = address;
            _1 = count;
        }
    }

    /// <summary>
    /// memory/recycle.rs: freed ranges kept in a Vec on the kernel heap and handed out again,
    /// before the inner allocator is asked. The original is generic over the inner
    /// FrameAllocator; the kernel instantiates it only with BumpAllocator, so this port holds a
    /// BumpAllocator directly (no trait dispatch needed).
    /// Layout (for observers): inner, noncore, free (ptr, cap, len).
    /// </summary>
    public unsafe struct RecycleAllocator
    {
        internal BumpAllocator inner;
        internal bool noncore;
        internal Vec<FreeRange> free;

        /// <summary>`RecycleAllocator::new`: noncore off, an empty Vec (no heap touched).</summary>
        public static RecycleAllocator New(BumpAllocator inner)
        {
            RecycleAllocator r;
            r.inner = inner;
            r.noncore = false;
            r.free = Vec<FreeRange>.New();
            return r;
        }

        /// <summary>Frames held in the free list.</summary>
        private readonly ulong FreeCount()
        {
            ulong count = 0;
            for (ulong i = 0; i < free.Len(); i++)
            {
                count += free[i]._1;
            }
            return count;
        }

        /// <summary>
        /// Joins (address, count) to the first range it touches (just before it: the range starts
        /// earlier; just after it: the range grows), then merges that grown range the same way,
        /// recursively; if the nested merge joined it to another range, removes index i.
        /// QUIRK (FIDELITY §4): the nested merge may itself have removed an entry before i, so
        /// `remove(i)` can drop a different range than the one just merged
        /// (Recycle_merge_removes_shifted_index). Kept.
        /// </summary>
        private bool Merge(ulong address, ulong count)
        {
            for (ulong i = 0; i < free.Len(); i++)
            {
                bool changed;
                {
                    ref FreeRange f = ref free[i];
                    if (address + count * 4096 == f._0)
                    {
                        f._0 = address;
                        f._1 += count;
                        changed = true;
                    }
                    else if (f._0 + f._1 * 4096 == address)
                    {
                        f._1 += count;
                        changed = true;
                    }
                    else
                    {
                        changed = false;
                    }
                }

                if (changed)
                {
                    FreeRange merged = free[i];
                    if (Merge(merged._0, merged._1))
                    {
                        free.Remove(i);
                    }
                    return true;
                }
            }
            return false;
        }

        public void SetNoncore(bool value)
        {
            noncore = value;
        }

        public readonly ulong FreeFrames()
        {
            return inner.FreeFrames() + FreeCount();
        }

        public readonly ulong UsedFrames()
        {
            return inner.UsedFrames() - FreeCount();
        }

        /// <summary>
        /// The smallest free range with at least `count` frames — on a tie the later one (the
        /// comparison is &lt;=) — gives its last `count` frames; an emptied range is removed.
        /// No fitting range: the inner allocator's answer.
        /// QUIRKS: Recycle_prefers_later_range_on_tie, Recycle_takes_frames_from_range_end.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public Frame? AllocateFrames(ulong count)
        {
            bool found = false;
            ulong small_i = 0;
            {
                FreeRange small = new FreeRange(0, 0);
                for (ulong i = 0; i < free.Len(); i++)
                {
                    FreeRange f = free[i];
                    if (f._1 >= count)
                    {
                        if (f._1 <= small._1 || !found)
                        {
                            found = true;
                            small_i = i;
                            small = f;
                        }
                    }
                }
            }

            if (found)
            {
                ulong address;
                bool remove;
                {
                    ref FreeRange f = ref free[small_i];
                    f._1 -= count;
                    address = f._0 + f._1 * 4096;
                    remove = f._1 == 0;
                }

                if (remove)
                {
                    free.Remove(small_i);
                }

                return Frame.ContainingAddress(new PhysicalAddress(address));
            }
            else
            {
                return inner.AllocateFrames(count);
            }
        }

        /// <summary>
        /// Once noncore is on, the range is merged into the free list or pushed onto it (the Vec may
        /// allocate or grow on the kernel heap). Before that it goes to the bump allocator, which
        /// drops it. QUIRK: Frees_before_noncore_are_lost.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void DeallocateFrames(Frame frame, ulong count)
        {
            if (noncore)
            {
                ulong address = frame.StartAddress().Get();
#if MUTATION_RECYCLE_NO_MERGE // NOT the original: freed ranges are never merged (make mutants)
                if (true)
#else
                if (!Merge(address, count))
#endif
                {
                    free.Push(new FreeRange(address, count));
                }
            }
            else
            {
                inner.DeallocateFrames(frame, count);
            }
        }

        /// <summary>Drop: frees the Vec's buffer.</summary>
        public void Dispose()
        {
            free.Dispose();
        }
    }
}
