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

namespace Kernel.Tests.scheme;

/// <summary>scheme/pipe.rs and the descriptor calls of syscall/fs.rs (pipe2, dup, dup2, fcntl, file_op) on a host kernel heap.</summary>
[Collection(KernelGlobals.Name)]
public unsafe class PipeTests : IDisposable
{
    private readonly HostHeap heap = HostHeap.Install();

    public PipeTests()
    {
        KernelState.Reset();
        using var contexts = ContextMod.ContextsMut();
        var r = contexts.Value.NewContext();
        r.ok.Value.data.ens = SchemeNamespace.From(1);
        r.ok.Value.data.status = Status.Runnable;
        r.ok.Value.data.running = true;
        ContextMod.SetContextId(r.ok.Value.data.id);
        using (var s = SchemeList.Schemes()) { } // the scheme list (and pipe:'s id) exists
    }

    public void Dispose()
    {
        KernelState.Reset();
        heap.Dispose();
    }

    private static (ulong R, ulong W) Pipe(ulong flags = 0)
    {
        ulong* fds = stackalloc ulong[2];
        Result r = Fs.Pipe2(fds, 2, flags);
        Assert.True(r.is_ok, r.is_ok ? "" : r.err.Text());
        return (fds[0], fds[1]);
    }

    private static Result Write(ulong fd, string s)
    {
        byte[] b = Encoding.ASCII.GetBytes(s);
        fixed (byte* p = b) return Fs.FileOp(Number.SYS_WRITE, FileHandle.From(fd), (ulong)p, (ulong)b.Length);
    }

    private static (Result R, string S) Read(ulong fd, int max = 64)
    {
        byte* buf = stackalloc byte[max];
        Result r = Fs.FileOp(Number.SYS_READ, FileHandle.From(fd), (ulong)buf, (ulong)max);
        return (r, r.is_ok ? Encoding.ASCII.GetString(buf, (int)r.ok) : "");
    }

    [Fact]
    public void Pipe2_takes_the_two_lowest_descriptors_and_bytes_come_out_in_order()
    {
        var (r, w) = Pipe();
        Assert.Equal((0UL, 1UL), (r, w));
        Assert.Equal(5UL, Write(w, "hello").ok);
        Assert.Equal(6UL, Write(w, " world").ok);
        Assert.Equal("hello", Read(r, 5).S);
        Assert.Equal(" world", Read(r).S);
    }

    [Fact]
    public void Reading_an_empty_pipe_is_EAGAIN_with_O_NONBLOCK_and_end_of_file_once_the_writer_is_closed()
    {
        var (r, w) = Pipe(Flag.O_NONBLOCK);
        Assert.Equal(Error.EAGAIN, Read(r).R.err.errno);
        Assert.Equal(Flag.O_RDONLY | Flag.O_NONBLOCK, Fs.Fcntl(FileHandle.From(r), Flag.F_GETFL, 0).ok);
        Assert.Equal(Flag.O_WRONLY | Flag.O_NONBLOCK, Fs.Fcntl(FileHandle.From(w), Flag.F_GETFL, 0).ok);
        Write(w, "x");
        Assert.True(Fs.Close(FileHandle.From(w)).is_ok);
        Assert.Equal("x", Read(r).S); // what was written is still read
        var eof = Read(r);
        Assert.True(eof.R.is_ok);
        Assert.Equal(0UL, eof.R.ok);
    }

    [Fact]
    public void Writing_after_the_read_side_is_closed_is_EPIPE()
    {
        var (r, w) = Pipe();
        Assert.True(Fs.Close(FileHandle.From(r)).is_ok);
        Assert.Equal(Error.EPIPE, Write(w, "x").err.errno);
    }

    [Fact]
    public void A_dup_of_the_write_side_keeps_the_pipe_open_until_both_are_closed()
    {
        var (r, w) = Pipe(Flag.O_NONBLOCK);
        var w2 = Fs.Dup(FileHandle.From(w), null, 0);
        Assert.Equal(2UL, w2.ok.Into());
        Assert.True(Fs.Close(FileHandle.From(w)).is_ok);
        Assert.Equal(Error.EAGAIN, Read(r).R.err.errno); // a writer is left
        Assert.Equal(1UL, Write(w2.ok.Into(), "z").ok);
        Assert.Equal("z", Read(r).S);
        // a dup through the scheme (non-empty buf) is refused by pipe: with EINVAL
        byte b = 0;
        Assert.Equal(Error.EINVAL, Fs.Dup(FileHandle.From(r), &b, 1).errno);
        Assert.True(Fs.Close(w2.ok).is_ok);
        Assert.Equal(0UL, Read(r).R.ok);
    }

    [Fact]
    public void The_wrong_side_is_EBADF_and_pipe_seek_is_ESPIPE_and_fstat_is_a_fifo()
    {
        var (r, w) = Pipe();
        Assert.Equal(Error.EBADF, Write(r, "x").err.errno);
        Assert.Equal(Error.EBADF, Read(w).R.err.errno);
        Assert.Equal(Error.ESPIPE, Fs.FileOp(Number.SYS_LSEEK, FileHandle.From(r), 0, 0).err.errno);
        Stat st = default;
        st.st_size = 99;
        Assert.True(Fs.FileOp(Number.SYS_FSTAT, FileHandle.From(w), (ulong)&st, (ulong)sizeof(Stat)).is_ok);
        Assert.Equal((ushort)(Flag.MODE_FIFO | 0x1B6), st.st_mode);
        Assert.Equal(0UL, st.st_size); // every other field zeroed
        Assert.Equal(Error.EFAULT, Fs.FileOp(Number.SYS_FSTAT, FileHandle.From(w), (ulong)&st, 8).err.errno);
    }

    /// <summary>QUIRK WAIT1: a blocking wait with no other runnable context returns at once, unwoken (EINTR here), and leaves the caller marked Blocked.</summary>
    [Fact]
    public void A_blocking_read_with_no_other_context_to_run_is_EINTR_and_leaves_the_reader_blocked()
    {
        var (r, _) = Pipe();
        Assert.Equal(Error.EINTR, Read(r).R.err.errno);
        using var contexts = ContextMod.Contexts();
        Assert.True(contexts.Value.Current()->Value.data.status.Is(Status.Blocked));
    }

    /// <summary>QUIRK PIPE1: pipe2 with room for the read side only returns EMFILE and keeps the read descriptor.</summary>
    [Fact]
    public void Pipe2_with_room_for_one_descriptor_is_EMFILE_and_keeps_the_read_side()
    {
        using (var contexts = ContextMod.Contexts())
        {
            ref var files = ref contexts.Value.Current()->Value.data.files.Value.data;
            for (ulong i = 0; i < Kernel.context.context.Context.CONTEXT_MAX_FILES - 1; i++)
            {
                var fd = default(Kernel.context.file.FileDescriptor);
                fd.description = alloc.arc.Arc<spin.RwLock<Kernel.context.file.FileDescription>>.New(new spin.RwLock<Kernel.context.file.FileDescription>(default));
                files.Push(fd);
            }
        }
        ulong* fds = stackalloc ulong[2];
        fds[0] = fds[1] = 7;
        Result r = Fs.Pipe2(fds, 2, 0);
        Assert.Equal(Error.EMFILE, r.err.errno);
        Assert.Equal(7UL, fds[0]);
        using var cs = ContextMod.Contexts();
        ref var c = ref cs.Value.Current()->Value.data;
        Assert.Equal(Kernel.context.context.Context.CONTEXT_MAX_FILES, c.files.Value.data.Len());
        Assert.Equal(PipeSchemeId(), c.files.Value.data[Kernel.context.context.Context.CONTEXT_MAX_FILES - 1].description.Value.data.scheme.Into());
    }

    private static ulong PipeSchemeId() => Kernel.scheme.pipe.PipeScheme.PIPE_SCHEME_ID.Into();

    [Fact]
    public void Pipe2_with_fewer_than_two_slots_is_EFAULT()
    {
        ulong* fds = stackalloc ulong[1];
        Assert.Equal(Error.EFAULT, Fs.Pipe2(fds, 1, 0).err.errno);
    }

    [Fact]
    public void Dup2_replaces_the_target_and_fcntl_moves_and_flags_descriptors()
    {
        var (r, w) = Pipe(Flag.O_NONBLOCK);
        // dup2 onto itself is a no-op, onto an open fd closes it first
        Assert.Equal(r, Fs.Dup2(FileHandle.From(r), FileHandle.From(r), null, 0).ok.Into());
        Assert.Equal(r, Fs.Dup2(FileHandle.From(w), FileHandle.From(r), null, 0).ok.Into()); // the read side is gone
        // fd 0 is now the write side too, and with the read side closed both writes are EPIPE
        Assert.Equal(Error.EPIPE, Write(r, "a").err.errno);
        Assert.Equal(Error.EPIPE, Write(w, "a").err.errno);
        Assert.Equal(5UL, Fs.Fcntl(FileHandle.From(w), Flag.F_DUPFD, 5).ok);
        Assert.Equal(0UL, Fs.Fcntl(FileHandle.From(5), Flag.F_GETFD, 0).ok);
        Assert.Equal(0UL, Fs.Fcntl(FileHandle.From(5), Flag.F_SETFD, Flag.O_CLOEXEC).ok);
        Assert.Equal(Flag.O_CLOEXEC, Fs.Fcntl(FileHandle.From(5), Flag.F_GETFD, 0).ok);
        // F_SETFL keeps the access mode; the pipe's own flags follow arg without it
        Assert.Equal(0UL, Fs.Fcntl(FileHandle.From(5), Flag.F_SETFL, Flag.O_RDWR).ok);
        Assert.Equal(Flag.O_WRONLY, Fs.Fcntl(FileHandle.From(5), Flag.F_GETFL, 0).ok);
        Assert.Equal(Error.EINVAL, Fs.Fcntl(FileHandle.From(5), 99, 0).err.errno);
        Assert.Equal(Error.EBADF, Fs.Fcntl(FileHandle.From(9), Flag.F_GETFL, 0).err.errno);
    }

    [Fact]
    public void Debug_handles_dup_with_their_flags_and_fpath_is_the_scheme_name()
    {
        byte[] name = Encoding.ASCII.GetBytes("debug:");
        FileHandleResult fd;
        fixed (byte* p = name) fd = Fs.Open(p, 6, Flag.O_RDWR | Flag.O_NONBLOCK);
        // F_GETFL is the description's flags (the access mode included) once debug: agrees
        Assert.Equal(Flag.O_RDWR | Flag.O_NONBLOCK, Fs.Fcntl(fd.ok, Flag.F_GETFL, 0).ok);
        var d = Fs.Dup(fd.ok, (byte*)1, 0);
        byte* buf = stackalloc byte[4];
        Result r = Fs.FileOp(Number.SYS_FPATH, d.ok, (ulong)buf, 4);
        Assert.Equal("debu", Encoding.ASCII.GetString(buf, (int)r.ok));
        // an empty non-blocking read of debug: gives nothing
        Assert.Equal(0UL, Fs.FileOp(Number.SYS_READ, d.ok, (ulong)buf, 4).ok);
        Assert.Equal(Error.ENOSYS, Fs.FileOp(0x2000_0000 | 12345, d.ok, 0, 0).err.errno);
    }
}
