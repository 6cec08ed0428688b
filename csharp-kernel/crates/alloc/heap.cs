using System.Runtime.CompilerServices;
using alloc.allocator;
using KernelAllocator = Kernel.allocator.linked_list.Allocator;

namespace alloc.heap
{
    /// <summary>
    /// liballoc's `heap::Heap` of early 2018: the handle every `Vec`, `Box`... allocates through.
    /// Each method is what the compiler's `__rust_*` shim did for `#[global_allocator]`: call the
    /// kernel's `Alloc` impl for `&amp;Allocator` (src/allocator/linked_list.cs). That impl provides
    /// only alloc, dealloc, oom and usable_size; realloc, grow_in_place and shrink_in_place are the
    /// trait's default bodies, re-expressed here over it. Every entry point stays a real call.
    /// </summary>
    public static unsafe class Heap
    {
        /// <summary>`__rust_alloc`.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static AllocResult Alloc(Layout layout)
        {
            return KernelAllocator.Alloc(layout);
        }

        /// <summary>`__rust_dealloc`.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Dealloc(byte* ptr, Layout layout)
        {
            KernelAllocator.Dealloc(ptr, layout);
        }

        /// <summary>`__rust_usable_size`.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static UsableSize UsableSizeOf(Layout layout)
        {
            return KernelAllocator.UsableSize(layout);
        }

        /// <summary>`__rust_oom`: never returns.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Oom(AllocErr err)
        {
            KernelAllocator.Oom(err);
        }

        /// <summary>
        /// `__rust_realloc` = the trait's default `realloc`: same alignment and not smaller → ask
        /// `grow_in_place`; same alignment and smaller → ask `shrink_in_place`; either answering
        /// yes keeps the block. Otherwise allocate the new block while the old one is still held,
        /// copy min(old, new) bytes, then free the old block.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static AllocResult Realloc(byte* ptr, Layout layout, Layout new_layout)
        {
            ulong new_size = new_layout.Size();
            ulong old_size = layout.Size();
            bool aligns_match = layout.align == new_layout.align;

            if (new_size >= old_size && aligns_match)
            {
                if (GrowInPlace(ptr, layout, new_layout))
                {
                    return AllocResult.Ok(ptr);
                }
            }
            else if (new_size < old_size && aligns_match)
            {
                if (ShrinkInPlace(ptr, layout, new_layout))
                {
                    return AllocResult.Ok(ptr);
                }
            }

            AllocResult result = Alloc(new_layout);
            if (result.is_ok)
            {
                ulong n = old_size < new_size ? old_size : new_size;
                CopyNonoverlapping(ptr, result.ok, n);
                Dealloc(ptr, layout);
            }
            return result;
        }

        /// <summary>`__rust_alloc_zeroed` = the default: alloc, then zero `size` bytes.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static AllocResult AllocZeroed(Layout layout)
        {
            ulong size = layout.Size();
            AllocResult p = Alloc(layout);
            if (p.is_ok)
            {
                for (ulong i = 0; i < size; i++)
                {
                    p.ok[i] = 0;
                }
            }
            return p;
        }

        /// <summary>The default `grow_in_place`: yes when the new size is within usable_size's upper bound.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static bool GrowInPlace(byte* ptr, Layout layout, Layout new_layout)
        {
            UsableSize u = UsableSizeOf(layout);
            return new_layout.size <= u.upper;
        }

        /// <summary>The default `shrink_in_place`: yes when usable_size's lower bound is within the new size.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static bool ShrinkInPlace(byte* ptr, Layout layout, Layout new_layout)
        {
            UsableSize u = UsableSizeOf(layout);
            return u.lower <= new_layout.size;
        }

        /// <summary>`__rust_alloc(size, align)` in the shim's argument shape.</summary>
        public static AllocResult Alloc(ulong size, ulong align) => Alloc(Layout.FromSizeAlignUnchecked(size, align));

        /// <summary>`__rust_dealloc(ptr, size, align)` in the shim's argument shape.</summary>
        public static void Dealloc(byte* ptr, ulong size, ulong align) => Dealloc(ptr, Layout.FromSizeAlignUnchecked(size, align));

        /// <summary>`__rust_realloc(ptr, old_size, align, new_size)` (same alignment, as every caller of 2018 passes).</summary>
        public static AllocResult Realloc(byte* ptr, ulong old_size, ulong align, ulong new_size) =>
            Realloc(ptr, Layout.FromSizeAlignUnchecked(old_size, align), Layout.FromSizeAlignUnchecked(new_size, align));

        /// <summary>`ptr::copy_nonoverlapping` of bytes.</summary>
        internal static void CopyNonoverlapping(byte* src, byte* dst, ulong count)
        {
            for (ulong i = 0; i < count; i++)
            {
                dst[i] = src[i];
            }
        }
    }
}
