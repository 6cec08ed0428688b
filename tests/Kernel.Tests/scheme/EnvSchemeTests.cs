#nullable enable
using System;
using System.Text;
using Kernel.common;
using Kernel.context;
using Kernel.context.context;
using Kernel.scheme;
using Kernel.syscall;
using Kernel.Tests.context;
using Kernel.Tests.memory;
using syscall.data;
using syscall.error;
using syscall.flag;
using syscall.number;
using spin;

namespace Kernel.Tests.scheme;

/// <summary>scheme/env.rs over a context's environment, as kmain fills it from the environment block.</summary>
[Collection(KernelGlobals.Name)]
public unsafe class EnvSchemeTests : IDisposable
{
    private readonly HostHeap heap = HostHeap.Install();

    public EnvSchemeTests()
    {
        KernelState.Reset();
        using var contexts = ContextMod.ContextsMut();
        var r = contexts.Value.NewContext();
        ref var c = ref r.ok.Value.data;
        c.ens = SchemeNamespace.From(1);
        c.status = Status.Runnable;
        c.running = true;
        ContextMod.SetContextId(c.id);
        byte[] block = Encoding.ASCII.GetBytes("RUST_BACKTRACE=1\nHOME=/home/user\nNOEQUALS\nA=b=c\n");
        using var env = c.env.Value.Lock();
        fixed (byte* p = block) Lib.ParseEnv(ref env.Value, p, (ulong)block.Length);
    }

    public void Dispose()
    {
        KernelState.Reset();
        heap.Dispose();
    }

    private static FileHandleResult Open(string path, ulong flags = 0)
    {
        byte[] b = Encoding.ASCII.GetBytes(path);
        fixed (byte* p = b) return Fs.Open(p, (ulong)b.Length, flags);
    }

    private static string ReadAll(FileHandle fd)
    {
        byte* buf = stackalloc byte[256];
        Result r = Fs.FileOp(Number.SYS_READ, fd, (ulong)buf, 256);
        Assert.True(r.is_ok);
        return Encoding.ASCII.GetString(buf, (int)r.ok);
    }

    private static Result Write(FileHandle fd, string s)
    {
        byte[] b = Encoding.ASCII.GetBytes(s);
        fixed (byte* p = b) return Fs.FileOp(Number.SYS_WRITE, fd, (ulong)p, (ulong)b.Length);
    }

    [Fact]
    public void The_listing_is_every_variable_in_name_order_and_lines_without_equals_are_dropped()
    {
        var fd = Open("env:");
        Assert.Equal("A=b=c\nHOME=/home/user\nRUST_BACKTRACE=1", ReadAll(fd.ok));
    }

    [Fact]
    public void A_variable_reads_its_value_and_writes_overwrite_then_append()
    {
        var fd = Open("env:/HOME/");
        Assert.Equal("/home/user", ReadAll(fd.ok));
        Assert.Equal(6UL, Fs.FileOp(Number.SYS_LSEEK, fd.ok, 6, Flag.SEEK_SET).ok); // the new position
        Assert.Equal(6UL, Write(fd.ok, "root/x").ok);
        Assert.Equal("/home/root/x", ReadAll(Open("env:HOME").ok));
        Stat st = default;
        st.st_uid = 77;
        Assert.True(Fs.FileOp(Number.SYS_FSTAT, fd.ok, (ulong)&st, (ulong)sizeof(Stat)).is_ok);
        Assert.Equal(Flag.MODE_FILE, st.st_mode);
        Assert.Equal(12UL, st.st_size);
        Assert.Equal(77u, st.st_uid); // not touched
    }

    [Fact]
    public void A_missing_variable_is_ENOENT_unless_created_and_unlink_removes_it()
    {
        Assert.Equal(Error.ENOENT, Open("env:NEW").errno);
        var fd = Open("env:NEW", Flag.O_CREAT);
        Assert.True(fd.is_ok);
        Write(fd.ok, "v");
        Assert.True(Fs.FileOp(Number.SYS_FTRUNCATE, fd.ok, 3, 0).is_ok);
        Assert.Equal("v\0\0", ReadAll(Open("env:NEW").ok));
        byte[] name = Encoding.ASCII.GetBytes("env:NEW");
        fixed (byte* p = name)
        {
            Assert.True(Fs.Unlink(p, (ulong)name.Length).is_ok);
            Assert.Equal(Error.ENOENT, Fs.Unlink(p, (ulong)name.Length).err.errno);
        }
        Assert.Equal(Error.ENOENT, Open("env:NEW").errno);
        // the open handle keeps the removed value's bytes
        Assert.Equal(0UL, Fs.FileOp(Number.SYS_LSEEK, fd.ok, 0, Flag.SEEK_SET).ok);
        Assert.Equal("v\0\0", ReadAll(fd.ok));
    }

    /// <summary>QUIRK ENV1: unlink takes the path as given, while open trims '/': "env:/HOME" opens but does not unlink.</summary>
    [Fact]
    public void Unlink_does_not_trim_slashes_as_open_does()
    {
        Assert.True(Open("env:/HOME").is_ok);
        byte[] name = Encoding.ASCII.GetBytes("env:/HOME");
        fixed (byte* p = name) Assert.Equal(Error.ENOENT, Fs.Unlink(p, (ulong)name.Length).err.errno);
        Assert.True(Open("env:HOME").is_ok);
    }

    [Fact]
    public void Kmains_env_line_is_the_blocks_str_debug()
    {
        // what `println!("Env: {:?}", str::from_utf8(env))` prints, through the port's Writer on the host
        Kernel.Hal.Machine.Reset();
        byte[] block = Encoding.ASCII.GetBytes("A=1\n\"q\"\t\\");
        fixed (byte* p = block)
        {
            using var w = Kernel.arch.x86_64.debug.Writer.New();
            Lib.DebugUtf8(w, p, (ulong)block.Length);
        }
        Assert.Equal("Ok(\"A=1\\n\\\"q\\\"\\t\\\\\")", Kernel.Hal.Machine.Serial);
    }
}
