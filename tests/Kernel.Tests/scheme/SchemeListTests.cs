#nullable enable
using System;
using System.Text;
using Kernel.common;
using Kernel.context;
using Kernel.scheme;
using Kernel.syscall;
using Kernel.Tests.context;
using Kernel.Tests.memory;
using syscall.error;
using syscall.flag;

namespace Kernel.Tests.scheme;

/// <summary>scheme/mod.rs's list, and the system calls userspace_init makes through it (syscall/fs.rs, process.rs).</summary>
[Collection(KernelGlobals.Name)]
public unsafe class SchemeListTests : IDisposable
{
    private readonly HostHeap heap = HostHeap.Install();

    public SchemeListTests() => KernelState.Reset();

    public void Dispose()
    {
        KernelState.Reset();
        heap.Dispose();
    }

    [Fact]
    public void The_root_namespace_holds_the_ten_kernel_schemes_with_ids_in_the_originals_insertion_order()
    {
        string[] order = { "", "event", "env", "memory", "sys", "time", "debug", "initfs", "irq", "pipe" };
        using var schemes = SchemeList.Schemes();
        for (int i = 0; i < order.Length; i++)
        {
            byte[] name = Encoding.ASCII.GetBytes(order[i]);
            fixed (byte* p = name)
            {
                Assert.True(schemes.Value.GetName(SchemeNamespace.From(1), p, (ulong)name.Length, out SchemeId id, out SchemeRef s), order[i]);
                Assert.Equal((ulong)(i + 1), id.Into());
            }
        }
        Assert.Equal(10UL, schemes.Value.map.Len());
        Assert.Equal(2UL, schemes.Value.next_ns);
        Assert.Equal(11UL, schemes.Value.next_id);
        fixed (byte* p = Encoding.ASCII.GetBytes("disk"))
        {
            Assert.False(schemes.Value.GetName(SchemeNamespace.From(1), p, 4, out _, out _));
        }
        Assert.Equal(7UL, Kernel.scheme.debug.DebugScheme.DEBUG_SCHEME_ID.Into());
        Assert.Equal(10UL, Kernel.scheme.pipe.PipeScheme.PIPE_SCHEME_ID.Into());
        Assert.Equal(9UL, Kernel.scheme.irq.IrqScheme.IRQ_SCHEME_ID.Into());
    }

    /// <summary>A context in the root namespace, current, as kmain makes userspace_init's.</summary>
    private static void Current()
    {
        using var contexts = ContextMod.ContextsMut();
        var r = contexts.Value.NewContext();
        r.ok.Value.data.ens = SchemeNamespace.From(1);
        r.ok.Value.data.rns = SchemeNamespace.From(1);
        ContextMod.SetContextId(r.ok.Value.data.id);
    }

    private static Result Chdir(string path)
    {
        byte[] b = Encoding.ASCII.GetBytes(path);
        fixed (byte* p = b) return Fs.Chdir(p, (ulong)b.Length);
    }

    private static FileHandleResult Open(string path, ulong flags)
    {
        byte[] b = Encoding.ASCII.GetBytes(path);
        fixed (byte* p = b) return Fs.Open(p, (ulong)b.Length, flags);
    }

    private static string Cwd()
    {
        byte* buf = stackalloc byte[64];
        Result r = Fs.Getcwd(buf, 64);
        return Encoding.ASCII.GetString(buf, (int)r.ok);
    }

    [Fact]
    public void Userspace_inits_calls_chdir_initfs_then_debug_as_0_1_2_then_exec_of_a_missing_file_is_ENOENT()
    {
        Current();
        Result chdir = Chdir("initfs:");
        Assert.True(chdir.is_ok);
        Assert.Equal("initfs:", Cwd());
        Assert.Equal(0UL, Open("debug:", Flag.O_RDONLY).ok.Into());
        Assert.Equal(1UL, Open("debug:", Flag.O_WRONLY).ok.Into());
        Assert.Equal(2UL, Open("debug:", Flag.O_WRONLY).ok.Into());
        byte[] path = Encoding.ASCII.GetBytes("/no/such/file");
        fixed (byte* p = path)
        {
            Result r = Process.Exec(p, (ulong)path.Length, null, 0);
            Assert.False(r.is_ok);
            Assert.Equal(Error.ENOENT, r.err.errno);
            Assert.Equal("No such file or directory", r.err.Text());
        }
        // the chdir's own descriptor was closed again: fd 3 is the next free one
        Assert.Equal(3UL, Open("debug:", Flag.O_WRONLY).ok.Into());
    }

    [Fact]
    public void Open_of_an_unknown_scheme_is_ENODEV_and_a_path_without_scheme_uses_the_cwds()
    {
        Current();
        Assert.Equal(Error.ENODEV, Open("nosuch:file", Flag.O_RDONLY).errno);
        Assert.Equal(Error.ENODEV, Open("file", Flag.O_RDONLY).errno); // cwd "" → scheme "" → "/file"... no: no ':' at all
        Assert.True(Chdir("debug:").is_ok == false); // debug has no fstat: EBADF from the trait's default
    }

    [Fact]
    public void Close_of_a_free_slot_is_EBADF()
    {
        Current();
        Assert.Equal(Error.EBADF, Fs.Close(FileHandle.From(0)).err.errno);
        var fd = Open("debug:", 0);
        Assert.True(Fs.Close(fd.ok).is_ok);
        Assert.Equal(Error.EBADF, Fs.Close(fd.ok).err.errno);
    }

    [Fact]
    public void Error_text_and_demux_follow_the_syscall_crates_table()
    {
        Assert.Equal("Operation not permitted", Error.Text(1));
        Assert.Equal("No such file or directory", Error.Text(Error.ENOENT));
        Assert.Equal("Unknown Error", Error.Text(1000));
        Assert.False(Error.Demux(unchecked((ulong)-2L)).is_ok);
        Assert.True(Error.Demux(5).is_ok);
        Assert.Equal(unchecked((ulong)-9L), Error.Mux(Result.Err(Error.EBADF)));
    }
}
