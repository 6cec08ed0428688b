#nullable enable
using System;
using System.Collections.Generic;
using System.Text;
using Kernel.arch.x86_64.interrupt;
using Kernel.arch.x86_64.paging.entry;
using Kernel.common;
using Kernel.context;
using Kernel.context.context;
using Kernel.syscall;
using Kernel.syscall.validate;
using Kernel.Tests.context;
using Kernel.Tests.Host;
using Kernel.Tests.memory;
using syscall.data;
using syscall.error;
using syscall.flag;
using syscall.number;

namespace Kernel.Tests.syscall;

/// <summary>
/// syscall/mod.rs: the dispatcher with the original's register convention (rax the call; rbx, rcx,
/// rdx, rsi, rdi the arguments; -errno back), every user pointer validated first. The host stands
/// in for the page tables: only the pages a test marks are user pages.
/// </summary>
[Collection(KernelGlobals.Name)]
public unsafe class DispatcherTests : UserMemoryHost
{
    public DispatcherTests()
    {
        // the scheme list made first, as kmain has it before any system call: pipe2 takes pipe:'s id from it
        using (Kernel.scheme.SchemeList.Schemes()) { }
        using var contexts = ContextMod.ContextsMut();
        var r = contexts.Value.NewContext();
        ref var c = ref r.ok.Value.data;
        c.ens = SchemeNamespace.From(1);
        c.status = Status.Runnable;
        c.running = true;
        ContextMod.SetContextId(c.id);
    }

    /// <summary>A user buffer: its pages marked as the user's.</summary>
    private static byte* User(int size, bool writable = true)
    {
        byte* p = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)size, 4096);
        for (ulong page = (ulong)p & ~0xFFFUL; page < (ulong)p + (ulong)size; page += 4096)
        {
            MarkUserPage(page, writable);
        }
        return p;
    }

    private static byte* UserString(string s, bool writable = true)
    {
        byte* p = User(Math.Max(s.Length, 1), writable);
        for (int i = 0; i < s.Length; i++) p[i] = (byte)s[i];
        return p;
    }

    private static long Call(ulong a, ulong b = 0, ulong c = 0, ulong d = 0, ulong e = 0, ulong f = 0)
    {
        SyscallStack stack = default;
        return (long)SyscallMod.Syscall(a, b, c, d, e, f, 0, &stack);
    }

    [Fact]
    public void Getpid_returns_the_context_id_in_rax()
    {
        Assert.Equal(1L, Call(Number.SYS_GETPID));
        Assert.Equal(0L, Call(Number.SYS_GETUID));
        Assert.Equal(1L, Call(Number.SYS_GETENS));
    }

    [Fact]
    public void Open_write_and_close_through_the_dispatcher_with_user_buffers()
    {
        byte* path = UserString("debug:");
        long fd = Call(Number.SYS_OPEN, (ulong)path, 6, Flag.O_WRONLY);
        Assert.Equal(0L, fd);
        byte* msg = UserString("hi\n", writable: false);
        Kernel.Hal.Machine.Reset();
        Assert.Equal(3L, Call(Number.SYS_WRITE, (ulong)fd, (ulong)msg, 3));
        Assert.Equal("hi\n", Kernel.Hal.Machine.Serial);
        Assert.Equal(0L, Call(Number.SYS_CLOSE, (ulong)fd));
        Assert.Equal(-Error.EBADF, Call(Number.SYS_CLOSE, (ulong)fd));
    }

    [Fact]
    public void A_kernel_pointer_or_a_read_only_buffer_for_a_read_is_EFAULT()
    {
        byte* path = UserString("debug:");
        long fd = Call(Number.SYS_OPEN, (ulong)path, 6, Flag.O_RDONLY);
        byte[] kernel = Encoding.ASCII.GetBytes("debug:");
        fixed (byte* k = kernel) Assert.Equal(-Error.EFAULT, Call(Number.SYS_OPEN, (ulong)k, 6, Flag.O_RDONLY));
        byte* ro = User(16, writable: false);
        Assert.Equal(-Error.EFAULT, Call(Number.SYS_READ, (ulong)fd, (ulong)ro, 16));
        Assert.Equal(-Error.EFAULT, Call(Number.SYS_PIPE2, (ulong)ro, 0));
        Assert.Equal(-Error.EFAULT, Call(Number.SYS_CLOCK_GETTIME, Flag.CLOCK_MONOTONIC, 0x1000));
    }

    [Fact]
    public void Pipe2_writes_the_descriptors_into_user_memory()
    {
        ulong* fds = (ulong*)User(16);
        Assert.Equal(0L, Call(Number.SYS_PIPE2, (ulong)fds, 0));
        Assert.Equal((0UL, 1UL), (fds[0], fds[1]));
        byte* msg = UserString("abc");
        Assert.Equal(3L, Call(Number.SYS_WRITE, fds[1], (ulong)msg, 3));
        byte* buf = User(8);
        Assert.Equal(3L, Call(Number.SYS_READ, fds[0], (ulong)buf, 8));
        Assert.Equal("abc", Encoding.ASCII.GetString(buf, 3));
    }

    [Fact]
    public void An_unknown_number_is_ENOSYS_in_each_class()
    {
        Assert.Equal(-Error.ENOSYS, Call(12345));
        Assert.Equal(-Error.ENOSYS, Call(Number.SYS_CLASS_PATH | 12345, (ulong)UserString("x"), 1));
        Assert.Equal(-Error.EBADF, Call(Number.SYS_CLASS_FILE | 12345, 77)); // a file call checks its descriptor first
    }

    [Fact]
    public void The_context_holds_the_call_while_it_runs_and_none_after()
    {
        Call(Number.SYS_GETPID);
        using var contexts = ContextMod.Contexts();
        Assert.False(contexts.Value.Current()->Value.data.syscall.is_some);
    }

    [Fact]
    public void Chdir_and_getcwd_through_user_memory()
    {
        byte* path = UserString("initfs:");
        Assert.Equal(0L, Call(Number.SYS_CHDIR, (ulong)path, 7));
        byte* buf = User(32);
        Assert.Equal(7L, Call(Number.SYS_GETCWD, (ulong)buf, 32));
        Assert.Equal("initfs:", Encoding.ASCII.GetString(buf, 7));
    }
}
