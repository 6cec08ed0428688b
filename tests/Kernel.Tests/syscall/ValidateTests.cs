#nullable enable
using System.Collections.Generic;
using Kernel.arch.x86_64.paging.entry;
using Kernel.syscall.validate;

namespace Kernel.Tests.syscall;

/// <summary>syscall/validate.rs (csharp-kernel/src/syscall/validate.cs) over a stand-in page table.</summary>
[Collection(ValidateGlobals.Name)]
public unsafe class ValidateTests
{
    // page start address -> leaf flags; absent: translate_page_flags gives None
    [System.ThreadStatic] private static Dictionary<ulong, EntryFlags>? pages;

    private static bool Translate(ulong page, EntryFlags* flags)
    {
        if (pages != null && pages.TryGetValue(page, out var f))
        {
            *flags = f;
            return true;
        }
        return false;
    }

    private const EntryFlags User = EntryFlags.PRESENT | EntryFlags.USER_ACCESSIBLE;
    private const EntryFlags UserRw = User | EntryFlags.WRITABLE;

    private static void With(Dictionary<ulong, EntryFlags> map, System.Action test)
    {
        pages = map;
        Validate.HostTranslatePageFlagsHook = &Translate;
        try { test(); }
        finally { Validate.HostTranslatePageFlagsHook = null; pages = null; }
    }

    [Fact]
    public void A_range_is_valid_when_every_page_it_touches_has_the_flags()
    {
        With(new() { [0x400000] = User, [0x401000] = UserRw }, () =>
        {
            var r = Validate.ValidateSlice((byte*)0x400ff0, 0x20);
            Assert.True(r.ok);
            Assert.Equal(0x400ff0ul, (ulong)r.ptr);
            Assert.Equal(0x20ul, r.len);
            // mut needs WRITABLE on every page: the first is read-only
            Assert.Equal(Validate.EFAULT, Validate.ValidateSliceMut((byte*)0x400ff0, 0x20).err);
            Assert.True(Validate.ValidateSliceMut((byte*)0x401000, 0x1000).ok);
            // one byte past the last mapped page
            Assert.Equal(Validate.EFAULT, Validate.ValidateSlice((byte*)0x401000, 0x1001).err);
        });
    }

    [Fact]
    public void Kernel_pages_without_user_access_and_missing_pages_are_efault()
    {
        With(new() { [0xFFFFFF0000080000] = EntryFlags.PRESENT | EntryFlags.WRITABLE, [0x500000] = EntryFlags.USER_ACCESSIBLE }, () =>
        {
            Assert.Equal(Validate.EFAULT, Validate.ValidateSlice((byte*)0xFFFFFF0000080000, 8).err);
            Assert.Equal(Validate.EFAULT, Validate.ValidateSlice((byte*)0x500000, 8).err);   // not PRESENT
            Assert.Equal(Validate.EFAULT, Validate.ValidateSlice((byte*)0x600000, 8).err);   // no entry
        });
    }

    [Fact]
    public void Length_zero_is_ok_without_any_mapping_and_an_empty_slice()
    {
        With(new(), () =>
        {
            var r = Validate.ValidateSlice((ulong*)0xDEAD0000, 0);
            Assert.True(r.ok);
            Assert.Equal(0ul, r.len);
            Assert.Equal(8ul, (ulong)r.ptr);   // the dangling pointer of an empty slice, not the user's
            Assert.True(Validate.ValidateSliceMut((byte*)0, 0).ok);
        });
    }

    [Fact]
    public void An_end_that_wraps_past_the_address_space_is_efault()
    {
        With(new() { [0xFFFFFFFFFFFFF000] = User, [0] = User }, () =>
        {
            Assert.Equal(Validate.EFAULT, Validate.ValidateSlice((byte*)0xFFFFFFFFFFFFF000, 0x2000).err);
            Assert.True(Validate.ValidateSlice((byte*)0xFFFFFFFFFFFFF000, 0x1000).ok);
        });
    }

    /// <summary>Quirk V1: `len * size_of::&lt;T&gt;()` wraps; the slice keeps the full length.</summary>
    [Fact]
    public void Quirk_V1_the_byte_size_wraps_and_the_slice_keeps_its_length()
    {
        With(new() { [0x400000] = User }, () =>
        {
            // [usize; 2] is 16 bytes: (2^60 + 1) * 16 = 2^64 + 16 wraps to 16
            ulong len = (1ul << 60) + 1;
            var r = Validate.ValidateSlice((Pair*)0x400000, len);
            Assert.True(r.ok);
            Assert.Equal(len, r.len);
            // 2^60 * 16 wraps to 0: size 0 fails checked_sub(1)
            Assert.Equal(Validate.EFAULT, Validate.ValidateSlice((Pair*)0x400000, 1ul << 60).err);
        });
    }

    /// <summary>Quirk V2: only the last level's flags count (the upper levels' USER_ACCESSIBLE is not read).</summary>
    [Fact]
    public void Quirk_V2_only_the_leaf_entry_flags_count()
    {
        // the stand-in is handed the page and answers with the leaf's flags: what the walk returns
        With(new() { [0x400000] = User }, () => Assert.True(Validate.ValidateSlice((byte*)0x400000, 1).ok));
    }

    /// <summary>Quirk V3: the page is address / 4096 with no canonical check: bits 48.. are ignored by the walk.</summary>
    [Fact]
    public void Quirk_V3_a_non_canonical_pointer_walks_to_the_user_page_below_it()
    {
        // translate_page_flags indexes the tables with bits 12..47 only: 0x0001_0000_0040_0000 walks to the
        // entry of 0x400000, so the original validates it as that user page (and then the kernel's access to
        // the non-canonical address faults: tests/userspace/programs/efault.asm)
        var alias = Kernel.arch.x86_64.paging.Page.ContainingAddress(new Kernel.arch.x86_64.paging.VirtualAddress(0x0001_0000_0040_0000));
        var user = Kernel.arch.x86_64.paging.Page.ContainingAddress(new Kernel.arch.x86_64.paging.VirtualAddress(0x400000));
        Assert.Equal(user.P4Index(), alias.P4Index());
        Assert.Equal(user.P3Index(), alias.P3Index());
        Assert.Equal(user.P2Index(), alias.P2Index());
        Assert.Equal(user.P1Index(), alias.P1Index());
        Assert.NotEqual(user.StartAddress().Get(), alias.StartAddress().Get());
    }

    private struct Pair
    {
        public ulong a, b;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ValidateGlobals
{
    public const string Name = "validate's host hook (a static)";
}
