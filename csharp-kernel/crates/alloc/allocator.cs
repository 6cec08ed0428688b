using core.fmt;
using Kernel;
using Kernel.arch.x86_64.debug;

namespace alloc.allocator
{
    /// <summary>
    /// liballoc's `Layout` of early 2018: a size and a power-of-two alignment, two usizes in that
    /// order. Its derived `{:?}` is `Layout { size: N, align: M }`.
    /// </summary>
    public struct Layout
    {
        internal ulong size;
        internal ulong align;

        /// <summary>`Layout::from_size_align_unchecked`: no check at all.</summary>
        public static Layout FromSizeAlignUnchecked(ulong size, ulong align)
        {
            Layout l;
            l.size = size;
            l.align = align;
            return l;
        }

        /// <summary>
        /// `Layout::from_size_align`: None when the alignment is not a power of two, is above 2^31,
        /// or when rounding the size up to it would overflow.
        /// </summary>
        public static Layout? FromSizeAlign(ulong size, ulong align)
        {
            if (align == 0 || (align & (align - 1)) != 0)
            {
                return null;
            }
            if (align > (1UL << 31))
            {
                return null;
            }
            if (size > ~0UL - (align - 1))
            {
                return null;
            }
            return FromSizeAlignUnchecked(size, align);
        }

        public readonly ulong Size() => size;

        public readonly ulong Align() => align;

        /// <summary>`Layout::new::&lt;T&gt;()`.</summary>
        public static unsafe Layout New<T>() where T : unmanaged
        {
            return FromSizeAlignUnchecked((ulong)sizeof(T), AlignOf<T>());
        }

        /// <summary>
        /// `Layout::array::&lt;T&gt;(n)`: n elements, each padded to the alignment (sizes are already
        /// multiples of it), None on overflow.
        /// </summary>
        public static unsafe Layout? Array<T>(ulong n) where T : unmanaged
        {
            Layout one = New<T>();
            ulong padded = one.size + (((one.size + one.align - 1) & ~(one.align - 1)) - one.size);
            if (padded < one.size)
            {
                return null;
            }
            if (n != 0 && padded > ~0UL / n)
            {
                return null;
            }
            return FromSizeAlign(padded * n, one.align);
        }

        /// <summary>`mem::align_of::&lt;T&gt;()`, measured as the offset of a T placed after one byte.</summary>
        public static unsafe ulong AlignOf<T>() where T : unmanaged
        {
            return (ulong)(sizeof(AlignProbe<T>) - sizeof(T));
        }

#pragma warning disable CS0649 // only measured, never used
        private struct AlignProbe<T> where T : unmanaged
        {
            public byte first;
            public T value;
        }
#pragma warning restore CS0649

        /// <summary>The derived `{:?}`.</summary>
        public readonly void Debug(Writer w)
        {
            w.Str("Layout { size: ");
            w.Dec(size);
            w.Str(", align: ");
            w.Dec(align);
            w.Str(" }");
        }
    }

    /// <summary>
    /// liballoc's `AllocErr` of early 2018: `Exhausted { request: Layout }` or
    /// `Unsupported { details: &amp;'static str }`.
    /// </summary>
    public struct AllocErr
    {
        /// <summary>True for `Exhausted`, false for `Unsupported`.</summary>
        public bool exhausted;
        public Layout request;
        public string details;

        public static AllocErr Exhausted(Layout request)
        {
            AllocErr e = default;
            e.exhausted = true;
            e.request = request;
            return e;
        }

        public static AllocErr Unsupported(string details)
        {
            AllocErr e = default;
            e.exhausted = false;
            e.details = details;
            return e;
        }

        /// <summary>The derived `{:?}`: `Exhausted { request: Layout { .. } }` / `Unsupported { details: ".." }`.</summary>
        public readonly void Debug(Writer w)
        {
            if (exhausted)
            {
                w.Str("Exhausted { request: ");
                request.Debug(w);
                w.Str(" }");
            }
            else
            {
                w.Str("Unsupported { details: \"");
                w.Str(details);
                w.Str("\" }");
            }
        }
    }

    /// <summary>`Result&lt;*mut u8, AllocErr&gt;`.</summary>
    public unsafe struct AllocResult
    {
        public bool is_ok;
        public byte* ok;
        public AllocErr err;

        public static AllocResult Ok(byte* ptr)
        {
            AllocResult r = default;
            r.is_ok = true;
            r.ok = ptr;
            return r;
        }

        public static AllocResult Err(AllocErr err)
        {
            AllocResult r = default;
            r.is_ok = false;
            r.err = err;
            return r;
        }
    }

    /// <summary>`(usize, usize)` as `usable_size` returns it: lower and upper bound.</summary>
    public struct UsableSize
    {
        public ulong lower;
        public ulong upper;

        public UsableSize(ulong lower, ulong upper)
        {
            this.lower = lower;
            this.upper = upper;
        }
    }

    /// <summary>
    /// `.unwrap()` of an `Option&lt;Layout&gt;` (the trait's default methods over the kernel's global
    /// allocator are in <see cref="alloc.heap.Heap"/>).
    /// </summary>
    public static class LayoutOption
    {
        /// <summary>`Layout::from_size_align(..).unwrap()`: a None panics as core's `Option::unwrap` does.</summary>
        public static Layout Unwrap(Layout? layout)
        {
            if (!layout.HasValue)
            {
                Panic.Fail("called `Option::unwrap()` on a `None` value", "libcore/option.rs", 335);
            }
            return layout.GetValueOrDefault();
        }
    }
}
