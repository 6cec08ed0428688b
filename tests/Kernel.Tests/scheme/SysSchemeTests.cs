#nullable enable
using System;
using System.Text;
using Kernel.common;
using Kernel.context;
using Kernel.context.context;
using Kernel.syscall;
using Kernel.Tests.context;
using Kernel.Tests.memory;
using spin;
using syscall.data;
using syscall.error;
using syscall.flag;
using syscall.number;

namespace Kernel.Tests.scheme;

/// <summary>scheme/sys/: the listing and the ported resources (uname, scheme, scheme_num, exe).</summary>
[Collection(KernelGlobals.Name)]
public unsafe class SysSchemeTests : IDisposable
{
    private readonly HostHeap heap = HostHeap.Install();

    public SysSchemeTests()
    {
        KernelState.Reset();
        using var contexts = ContextMod.ContextsMut();
        var r = contexts.Value.NewContext();
        ref var c = ref r.ok.Value.data;
        c.ens = SchemeNamespace.From(1);
        c.status = Status.Runnable;
        c.running = true;
        ContextMod.SetContextId(c.id);
    }

    public void Dispose()
    {
        KernelState.Reset();
        heap.Dispose();
    }

    private static (FileHandleResult Fd, string Text) Cat(string path)
    {
        byte[] b = Encoding.ASCII.GetBytes(path);
        FileHandleResult fd;
        fixed (byte* p = b) fd = Fs.Open(p, (ulong)b.Length, 0);
        if (!fd.is_ok) return (fd, "");
        byte* buf = stackalloc byte[512];
        Result r = Fs.FileOp(Number.SYS_READ, fd.ok, (ulong)buf, 512);
        return (fd, Encoding.ASCII.GetString(buf, (int)r.ok));
    }

    [Fact]
    public void The_listing_names_every_file_in_name_order()
    {
        Assert.Equal("context\ncpu\nexe\niostat\nscheme\nscheme_num\nsyscall\nuname", Cat("sys:").Text);
        Assert.Equal("context\ncpu\nexe\niostat\nscheme\nscheme_num\nsyscall\nuname", Cat("sys:///").Text);
    }

    [Fact]
    public void Uname_is_the_kernels_name_version_and_architecture()
    {
        Assert.Equal("Redox\n\n0.1.33\n\nx86_64\n", Cat("sys:uname").Text);
    }

    [Fact]
    public void Scheme_and_scheme_num_list_the_namespace_in_name_order()
    {
        Assert.Equal("\ndebug\nenv\nevent\ninitfs\nirq\nmemory\npipe\nsys\ntime\n", Cat("sys:scheme").Text);
        Assert.Equal("   1: \n   7: debug\n   3: env\n   2: event\n   8: initfs\n   9: irq\n   4: memory\n  10: pipe\n   5: sys\n   6: time\n",
            Cat("sys:scheme_num").Text);
    }

    [Fact]
    public void Exe_is_the_contexts_name_with_a_newline()
    {
        Assert.Equal("\n", Cat("sys:exe").Text); // a new context's name is empty
    }

    [Fact]
    public void Fpath_and_fstat_describe_the_file()
    {
        var (fd, text) = Cat("sys:uname");
        byte* buf = stackalloc byte[32];
        Result r = Fs.FileOp(Number.SYS_FPATH, fd.ok, (ulong)buf, 32);
        Assert.Equal("sys:uname", Encoding.ASCII.GetString(buf, (int)r.ok));
        Stat st = default;
        st.st_uid = 5;
        Assert.True(Fs.FileOp(Number.SYS_FSTAT, fd.ok, (ulong)&st, (ulong)sizeof(Stat)).is_ok);
        Assert.Equal((ushort)(Flag.MODE_FILE | 0x124), st.st_mode);
        Assert.Equal((ulong)text.Length, st.st_size);
        Assert.Equal(0u, st.st_uid);
        var (dir, _) = Cat("sys:");
        Assert.True(Fs.FileOp(Number.SYS_FSTAT, dir.ok, (ulong)&st, (ulong)sizeof(Stat)).is_ok);
        Assert.Equal((ushort)(Flag.MODE_DIR | 0x124), st.st_mode);
    }

    [Fact]
    public void An_unknown_name_is_ENOENT()
    {
        Assert.Equal(Error.ENOENT, Cat("sys:nope").Fd.errno);
        Assert.Equal(Error.ENOENT, Cat("sys:unam").Fd.errno);
    }
}
