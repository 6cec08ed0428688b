#nullable enable
using System;
using System.Collections.Generic;
using System.Text;
using Kernel.arch.x86_64.paging.entry;
using Kernel.common;
using Kernel.context;
using Kernel.context.context;
using spin;
using Kernel.syscall;
using Kernel.syscall.validate;
using Kernel.Tests.context;
using Kernel.Tests.Host;
using Kernel.Tests.memory;
using syscall.error;
using syscall.number;

namespace Kernel.Tests.scheme;

/// <summary>
/// A kernel with one running context (namespace 1, uid 0) for the scheme tests, and user pages the
/// host marks as such (validate.rs's page walk), as DispatcherTests does.
/// </summary>
public abstract unsafe class SchemeHost : UserMemoryHost
{
    protected SchemeHost()
    {
        Current = NewContext();
        ContextMod.SetContextId(ContextId.From(Current));
        using (Kernel.scheme.SchemeList.Schemes()) { } // the scheme list made (and pipe:'s id set) as the kernel's first open does
    }


    /// <summary>The running context's id.</summary>
    protected ulong Current;

    /// <summary>A new runnable context in namespace 1 (the first one is the running one).</summary>
    protected static ulong NewContext()
    {
        using var contexts = ContextMod.ContextsMut();
        var r = contexts.Value.NewContext();
        ref var c = ref r.ok.Value.data;
        c.ens = SchemeNamespace.From(1);
        c.rns = SchemeNamespace.From(1);
        c.status = Status.Runnable;
        c.running = true;
        return c.id.Into();
    }

    /// <summary>Runs <paramref name="f"/> on the current context's fields.</summary>
    protected static void WithContext(ulong id, Action<IntPtr> f)
    {
        using var contexts = ContextMod.Contexts();
        var lk = contexts.Value.Get(ContextId.From(id));
        using var c = lk->Value.Write();
        f((IntPtr)System.Runtime.CompilerServices.Unsafe.AsPointer(ref c.Value));
    }

    protected static void SetUid(ulong id, uint uid) => WithContext(id, p => { ((Context*)p)->euid = uid; ((Context*)p)->ruid = uid; });

    /// <summary>A user buffer: its pages marked as the user's.</summary>
    protected static byte* User(int size)
    {
        byte* p = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)Math.Max(size, 1), 4096);
        for (ulong page = (ulong)p & ~0xFFFUL; page < (ulong)p + (ulong)Math.Max(size, 1); page += 4096) MarkUserPage(page);
        return p;
    }

    protected static byte* UserString(string s)
    {
        byte* p = User(s.Length);
        for (int i = 0; i < s.Length; i++) p[i] = (byte)s[i];
        return p;
    }

    /// <summary>`open(path, flags)`: the descriptor or -errno.</summary>
    protected static long Open(string path, ulong flags = 0)
    {
        byte[] b = Encoding.ASCII.GetBytes(path);
        FileHandleResult fd;
        fixed (byte* p = b) fd = Fs.Open(p, (ulong)b.Length, flags);
        return fd.is_ok ? (long)fd.ok.Into() : -fd.errno;
    }

    protected static long Mux(Result r) => r.is_ok ? (long)r.ok : -r.err.errno;

    protected static long Read(long fd, byte* buf, ulong len) => Mux(Fs.FileOp(Number.SYS_READ, FileHandle.From((ulong)fd), (ulong)buf, len));

    protected static long Write(long fd, byte* buf, ulong len) => Mux(Fs.FileOp(Number.SYS_WRITE, FileHandle.From((ulong)fd), (ulong)buf, len));

    protected static long Close(long fd) => Mux(Fs.Close(FileHandle.From((ulong)fd)));

    protected static string ReadAll(long fd, int max = 4096)
    {
        byte* buf = stackalloc byte[max];
        long n = Read(fd, buf, (ulong)max);
        Assert.True(n >= 0, "read = " + n);
        return Encoding.Latin1.GetString(buf, (int)n);
    }

    protected static string Fpath(long fd, int len = 64)
    {
        byte* buf = stackalloc byte[len];
        long n = Mux(Fs.FileOp(Number.SYS_FPATH, FileHandle.From((ulong)fd), (ulong)buf, (ulong)len));
        Assert.True(n >= 0, "fpath = " + n);
        return Encoding.Latin1.GetString(buf, (int)n);
    }

    protected static string Cat(string path)
    {
        long fd = Open(path);
        Assert.True(fd >= 0, path + ": " + fd);
        string text = ReadAll(fd, 8192);
        Close(fd);
        return text;
    }
}
