using System.Runtime.CompilerServices;
using Kernel.arch.x86_64.paging;

namespace Kernel.memory.bump
{
    /// <summary>
    /// memory/bump.rs: hands out frames upward from `next_free_frame` inside the current free area,
    /// skipping the kernel's frames; never takes anything back.
    /// Layout (for observers): next_free_frame, current_area (pointer into the copied map, null =
    /// None), areas (type, index), kernel_start, kernel_end.
    /// </summary>
    public unsafe struct BumpAllocator
    {
        internal Frame next_free_frame;
        internal MemoryArea* current_area;
        internal MemoryAreaIter areas;
        internal Frame kernel_start;
        internal Frame kernel_end;

        /// <summary>
        /// Host tests only: when non-zero, a chain of re-entries of <see cref="AllocateFrames"/>
        /// this deep panics instead of going on (the original has no limit: 0 = unlimited).
        /// </summary>
#pragma warning disable CS0649 // set by host tests only
        internal static ulong RecursionLimitForTests;
#pragma warning restore CS0649

        /// <summary>How deep the current chain of re-entries of <see cref="AllocateFrames"/> is.</summary>
        internal static ulong RecursionDepth;

        /// <summary>The deepest chain of re-entries seen since the last reset (for tests).</summary>
        internal static ulong MaxRecursionDepth;

        /// <summary>
        /// `BumpAllocator::new`: starts at frame 0 with no area, then chooses the first area.
        /// `kernel_start`/`kernel_end` are byte addresses; both of their frames count as the kernel's.
        /// </summary>
        public static BumpAllocator New(ulong kernel_start, ulong kernel_end, MemoryAreaIter memory_areas)
        {
            BumpAllocator allocator;
            allocator.next_free_frame = Frame.ContainingAddress(new PhysicalAddress(0));
            allocator.current_area = null;
            allocator.areas = memory_areas;
            allocator.kernel_start = Frame.ContainingAddress(new PhysicalAddress(kernel_start));
#if MUTATION_KERNEL_END_EXCLUSIVE
            // NOT the original: the gate's self-test builds the port with quirk M1 broken (the frame
            // at kernel_end no longer counts as the kernel's), to prove that the diff catches it.
            allocator.kernel_end = Frame.ContainingAddress(new PhysicalAddress(kernel_end - 1));
#else
            allocator.kernel_end = Frame.ContainingAddress(new PhysicalAddress(kernel_end));
#endif
            allocator.ChooseNextArea();
            return allocator;
        }

        /// <summary>
        /// Picks, among the free areas whose last frame is at or after next_free_frame, the one with
        /// the lowest base (the first listed on a tie), and moves next_free_frame up to its first
        /// frame if it is below. None when there is no such area.
        /// QUIRK: an area's last byte is base + length - 1 in wrapping u64 arithmetic, so a
        /// zero-length area ends one byte before its base — at base 0 it ends at 2^64-1 and
        /// "holds" every frame (test Bump_zero_length_area_at_base_0_wraps_and_holds_every_frame).
        /// </summary>
        private void ChooseNextArea()
        {
            MemoryAreaIter it = areas.Clone();
            MemoryArea* best = null;
            MemoryArea* area;
            while ((area = it.Next()) != null)
            {
#if MUTATION_BUMP_ZERO_LENGTH_AREAS_SKIPPED // NOT the original: quirk undone: a zero-length area no longer wraps (make mutants)
                if (area->length == 0) continue;
                ulong address = area->base_addr + area->length - 1;
#else
                ulong address = area->base_addr + area->length - 1;
#endif
                if (Frame.ContainingAddress(new PhysicalAddress(address)) >= next_free_frame)
                {
                    // min_by_key keeps the first of equal keys
                    if (best == null || area->base_addr < best->base_addr)
                    {
                        best = area;
                    }
                }
            }
            current_area = best;

            if (current_area != null)
            {
                Frame start_frame = Frame.ContainingAddress(new PhysicalAddress(current_area->base_addr));
                if (next_free_frame < start_frame)
                {
                    next_free_frame = start_frame;
                }
            }
        }

        /// <summary>`set_noncore`: nothing to do for the bump allocator.</summary>
        public void SetNoncore(bool noncore)
        {
        }

        /// <summary>
        /// Frames of all free areas that are neither the kernel's nor below next_free_frame
        /// (walks every frame of every free area, as the original).
        /// </summary>
        public readonly ulong FreeFrames()
        {
            ulong count = 0;
            MemoryAreaIter it = areas.Clone();
            MemoryArea* area;
            while ((area = it.Next()) != null)
            {
                Frame start_frame = Frame.ContainingAddress(new PhysicalAddress(area->base_addr));
                Frame end_frame = Frame.ContainingAddress(new PhysicalAddress(area->base_addr + area->length - 1));
                FrameIter frames = Frame.RangeInclusive(start_frame, end_frame);
                Frame frame;
                while (frames.Next(out frame))
                {
                    if (frame >= kernel_start && frame <= kernel_end)
                    {
                        // the kernel's
                    }
                    else if (frame >= next_free_frame)
                    {
                        count += 1;
                    }
                    else
                    {
                        // already handed out
                    }
                }
            }
            return count;
        }

        /// <summary>Frames of all free areas that are the kernel's or below next_free_frame.</summary>
        public readonly ulong UsedFrames()
        {
            ulong count = 0;
            MemoryAreaIter it = areas.Clone();
            MemoryArea* area;
            while ((area = it.Next()) != null)
            {
                Frame start_frame = Frame.ContainingAddress(new PhysicalAddress(area->base_addr));
                Frame end_frame = Frame.ContainingAddress(new PhysicalAddress(area->base_addr + area->length - 1));
                FrameIter frames = Frame.RangeInclusive(start_frame, end_frame);
                Frame frame;
                while (frames.Next(out frame))
                {
                    if (frame >= kernel_start && frame <= kernel_end)
                    {
                        count += 1;
                    }
                    else if (frame >= next_free_frame)
                    {
                        // free
                    }
                    else
                    {
                        count += 1;
                    }
                }
            }
            return count;
        }

        /// <summary>
        /// `count` frames from next_free_frame. If the range's last frame is past the current area's
        /// last frame, choose the next area and try again; if its first or last frame is the
        /// kernel's, jump past the kernel and try again; otherwise advance and return it.
        /// QUIRKS: only the first and the last frame are checked against the kernel range
        /// (Bump_checks_only_first_and_last_frame_against_kernel); a request of count &gt; 1 that
        /// does not fit the tail of the current area makes ChooseNextArea pick the same area again,
        /// so the retry recurses without end (Bump_multi_frame_request_not_fitting_tail_recurses).
        /// The retry is a real recursive call, as written in the original.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public Frame? AllocateFrames(ulong count)
        {
            if (count == 0)
            {
                return null;
            }
            else if (current_area != null)
            {
                MemoryArea* area = current_area;
                Frame start_frame = new Frame(next_free_frame.number);
                Frame end_frame = new Frame(next_free_frame.number + (count - 1));

                Frame current_area_last_frame = Frame.ContainingAddress(new PhysicalAddress(area->base_addr + area->length - 1));

#if MUTATION_BUMP_AREA_ONE_FRAME_PAST_END // NOT the original: an area ends one frame later than it does (make mutants)
                if (end_frame.number > current_area_last_frame.number + 1)
#elif MUTATION_BUMP_AREA_END_OFF_BY_ONE // NOT the original: an area's last frame is never handed out (make mutants)
                if (end_frame >= current_area_last_frame)
#else
                if (end_frame > current_area_last_frame)
#endif
                {
                    ChooseNextArea();
                }
                else if ((start_frame >= kernel_start && start_frame <= kernel_end)
                    || (end_frame >= kernel_start && end_frame <= kernel_end))
                {
                    next_free_frame = new Frame(kernel_end.number + 1);
                }
                else
                {
                    next_free_frame.number += count;
                    return start_frame;
                }

                RecursionDepth += 1;
                if (RecursionDepth > MaxRecursionDepth)
                {
                    MaxRecursionDepth = RecursionDepth;
                }
                if (RecursionLimitForTests != 0 && RecursionDepth >= RecursionLimitForTests)
                {
                    RecursionDepth = 0;
                    Panic.Fail("bump allocate_frames: test recursion limit reached", "csharp-kernel (host test)", 0);
                }
                Frame? result = AllocateFrames(count);
                RecursionDepth -= 1;
                return result;
            }
            else
            {
                return null;
            }
        }

        /// <summary>Frees are ignored (the original's panic is commented out).</summary>
        public void DeallocateFrames(Frame frame, ulong count)
        {
        }
    }
}
