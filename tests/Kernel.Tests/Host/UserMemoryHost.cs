#nullable enable
using System;
using System.Collections.Generic;
using Kernel.arch.x86_64.paging.entry;
using Kernel.syscall.validate;
using Kernel.Tests.context;
using Kernel.Tests.memory;

namespace Kernel.Tests.Host;

/// <summary>
/// The host kernel a system call test runs on: a fresh kernel heap and global state (KernelState.Reset) around each
/// test, and user memory as validate.rs's page walk sees it — only the pages a test marks are user pages (present,
/// user-accessible; writable unless marked read-only). The system call, exec, futex and scheme tests derive from it.
/// </summary>
public abstract unsafe class UserMemoryHost : IDisposable
{
    private readonly HostHeap heap = HostHeap.Install();
    private static readonly HashSet<ulong> UserPages = new();
    private static readonly HashSet<ulong> ReadOnlyPages = new();

    private static bool Translate(ulong page, EntryFlags* flags)
    {
        if (!UserPages.Contains(page)) return false;
        *flags = EntryFlags.PRESENT | EntryFlags.USER_ACCESSIBLE | (ReadOnlyPages.Contains(page) ? 0 : EntryFlags.WRITABLE);
        return true;
    }

    protected UserMemoryHost()
    {
        KernelState.Reset();
        UserPages.Clear();
        ReadOnlyPages.Clear();
        Validate.HostTranslatePageFlagsHook = &Translate;
    }

    /// <summary>Marks the page holding <paramref name="address"/> as a user page (read-only when not writable).</summary>
    protected static void MarkUserPage(ulong address, bool writable = true)
    {
        UserPages.Add(address & ~0xFFFUL);
        if (!writable) ReadOnlyPages.Add(address & ~0xFFFUL);
    }

    /// <summary>Whether the page holding <paramref name="address"/> is marked as a user page.</summary>
    protected static bool IsUserPage(ulong address) => UserPages.Contains(address & ~0xFFFUL);

    public virtual void Dispose()
    {
        Validate.HostTranslatePageFlagsHook = null;
        KernelState.Reset();
        heap.Dispose();
        GC.SuppressFinalize(this);
    }
}
