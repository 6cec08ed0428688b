using Kernel.arch.x86_64.paging;
using Kernel.arch.x86_64.paging.entry;

namespace Kernel.syscall.validate
{
    /// <summary>
    /// `Result&lt;&amp;'static [T]&gt;` of validate_slice: on success the slice (ptr, len), else the errno.
    /// NOTE for the lead: the smallest stand-in for the syscall crate's `Result`/`Error` (crates/syscall, being
    /// written by #13); `err` is `Error::errno` (EFAULT = 14), 0 on success. Reconcile with `syscall::error::Result`.
    /// </summary>
    public unsafe struct SliceResult<T> where T : unmanaged
    {
        public bool ok;
        public T* ptr;
        public ulong len;
        public int err;

        public static SliceResult<T> Ok(T* ptr, ulong len) => new SliceResult<T> { ok = true, ptr = ptr, len = len };

        public static SliceResult<T> Err(int errno) => new SliceResult<T> { ok = false, err = errno };
    }

    /// <summary>
    /// syscall/validate.rs: whether a user pointer and length may be used by the kernel, by the flags of the
    /// last-level entries of every page the range touches in the active page table. Quirks V1-V3
    /// (redox-0.3.5/QUIRKS.md): `len * size_of::&lt;T&gt;()` wraps, only the leaf entries' flags are read, and
    /// the page number is the address / 4096 with no canonical check, so bits 48.. of a pointer are ignored.
    /// </summary>
    public static unsafe class Validate
    {
        /// <summary>syscall::error::EFAULT.</summary>
        public const int EFAULT = 14;

        /// <summary>
        /// Host tests only (null in the kernel): a stand-in for `active_table.translate_page_flags(page)`
        /// (page = its start address; false = None), which on the host has no recursive mapping to walk.
        /// </summary>
        public static delegate*<ulong, EntryFlags*, bool> HostTranslatePageFlagsHook;

        /// <summary>`validate(address, size, flags)`: 0, or EFAULT.</summary>
        private static int Check(ulong address, ulong size, EntryFlags flags)
        {
            // size.checked_sub(1), address.checked_add(end_offset): EFAULT on either overflow
            if (size == 0)
            {
                return EFAULT;
            }
            ulong end_offset = size - 1;
            ulong end_address = address + end_offset;
            if (end_address < address)
            {
                return EFAULT;
            }

            ActivePageTable active_table = ActivePageTable.New();

            Page start_page = Page.ContainingAddress(new VirtualAddress(address));
            Page end_page = Page.ContainingAddress(new VirtualAddress(end_address));
            PageIter pages = Page.RangeInclusive(start_page, end_page);
            Page? next;
            while ((next = pages.Next()).HasValue)
            {
                Page page = next.Value;
                EntryFlags page_flags;
                bool found;
                if (HostTranslatePageFlagsHook != null)
                {
                    found = HostTranslatePageFlagsHook(page.StartAddress().Get(), &page_flags);
                }
                else
                {
                    EntryFlags? f = active_table.mapper.TranslatePageFlags(page);
                    found = f.HasValue;
                    page_flags = f.GetValueOrDefault();
                }
                if (!found || !page_flags.Contains(flags))
                {
                    return EFAULT;
                }
            }

            return 0;
        }

        /// <summary>`validate_slice(ptr, len)`: readable by the user (PRESENT | USER_ACCESSIBLE); len 0 is always Ok.</summary>
        public static SliceResult<T> ValidateSlice<T>(T* ptr, ulong len) where T : unmanaged
        {
            if (len == 0)
            {
                // `Ok(&[])`: an empty slice that is not the user's pointer
                return SliceResult<T>.Ok((T*)EmptySlicePtr<T>(), 0);
            }
            // Quirk V1: the byte size wraps (release arithmetic), the slice keeps the full len
            int e = Check((ulong)ptr, unchecked(len * (ulong)sizeof(T)), EntryFlags.PRESENT | EntryFlags.USER_ACCESSIBLE);
            return e == 0 ? SliceResult<T>.Ok(ptr, len) : SliceResult<T>.Err(e);
        }

        /// <summary>`validate_slice_mut(ptr, len)`: writable by the user (PRESENT | WRITABLE | USER_ACCESSIBLE).</summary>
        public static SliceResult<T> ValidateSliceMut<T>(T* ptr, ulong len) where T : unmanaged
        {
            if (len == 0)
            {
                return SliceResult<T>.Ok((T*)EmptySlicePtr<T>(), 0);
            }
            int e = Check((ulong)ptr, unchecked(len * (ulong)sizeof(T)), EntryFlags.PRESENT | EntryFlags.WRITABLE | EntryFlags.USER_ACCESSIBLE);
            return e == 0 ? SliceResult<T>.Ok(ptr, len) : SliceResult<T>.Err(e);
        }

        /// <summary>Rust's dangling pointer of an empty slice: the type's alignment (never dereferenced).</summary>
        private static ulong EmptySlicePtr<T>() where T : unmanaged => sizeof(T) >= 8 ? 8ul : (ulong)sizeof(T) >= 4 ? 4ul : (ulong)sizeof(T) >= 2 ? 2ul : 1ul;
    }
}
