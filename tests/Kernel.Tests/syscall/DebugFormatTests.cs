#nullable enable
using System.Text;
using Kernel.syscall;
using Kernel.Tests.memory;
using Kernel.Tests.scheme;
using syscall.data;
using syscall.number;
using AllocString = alloc.@string.String;

namespace Kernel.Tests.syscall;

/// <summary>syscall/debug.rs `format_call`: each call's text against the original's format strings.</summary>
[Collection(KernelGlobals.Name)]
public unsafe class DebugFormatTests : SchemeHost
{
    private static string F(ulong a, ulong b = 0, ulong c = 0, ulong d = 0, ulong e = 0, ulong f = 0)
    {
        AllocString s = SyscallDebug.FormatCall(a, b, c, d, e, f);
        string text = Encoding.Latin1.GetString(s.AsPtr(), (int)s.Len());
        s.Dispose();
        return text;
    }

    private static ulong Capacity(ulong a, ulong b = 0, ulong c = 0, ulong d = 0)
    {
        AllocString s = SyscallDebug.FormatCall(a, b, c, d, 0, 0);
        ulong cap = s.Capacity();
        s.Dispose();
        return cap;
    }

    [Fact]
    public void Path_calls_show_the_path_as_an_escaped_byte_string_or_the_validation_error()
    {
        byte* p = UserString("sys:syscall");
        Assert.Equal("open(Ok(\"sys:syscall\"), 0x10000)", F(Number.SYS_OPEN, (ulong)p, 11, 0x10000));
        Assert.Equal("open(Err(Bad address), 0x0)", F(Number.SYS_OPEN, 0x1000, 4, 0));
        Assert.Equal("open(Ok(\"\"), 0x0)", F(Number.SYS_OPEN, 0x1000, 0, 0)); // len 0 is always Ok
        byte* q = UserString("a\tb\"\\'\x01\xff");
        Assert.Equal("unlink(Ok(\"a\\tb\\\"\\\\\\'\\x01\\xff\"))", F(Number.SYS_UNLINK, (ulong)q, 8));
        Assert.Equal("rmdir(Ok(\"sys\"))", F(Number.SYS_RMDIR, (ulong)p, 3));
        Assert.Equal("chdir(Ok(\"sys:\"))", F(Number.SYS_CHDIR, (ulong)p, 4));
    }

    [Fact]
    public void Chmod_shows_the_mode_in_octal_with_its_prefix()
    {
        byte* p = UserString("f");
        Assert.Equal("chmod(Ok(\"f\"), 0o755)", F(Number.SYS_CHMOD, (ulong)p, 1, 0x1ED));
    }

    [Fact]
    public void File_calls_follow_the_originals_format_strings()
    {
        Assert.Equal("close(3)", F(Number.SYS_CLOSE, 3));
        Assert.Equal("read(0, 0x7FFF0, 16)", F(Number.SYS_READ, 0, 0x7FFF0, 16));
        Assert.Equal("write(1, 0x1000, 5)", F(Number.SYS_WRITE, 1, 0x1000, 5));
        Assert.Equal("lseek(3, -2, SEEK_END (2))", F(Number.SYS_LSEEK, 3, unchecked((ulong)-2L), 2));
        Assert.Equal("lseek(3, 4, UNKNOWN (9))", F(Number.SYS_LSEEK, 3, 4, 9));
        Assert.Equal("fcntl(3, F_SETFL (4), 0x40000)", F(Number.SYS_FCNTL, 3, 4, 0x40000));
        Assert.Equal("fcntl(3, UNKNOWN (7), 0x0)", F(Number.SYS_FCNTL, 3, 7, 0));
        Assert.Equal("fevent(5, 0x1)", F(Number.SYS_FEVENT, 5, 1));
        Assert.Equal("fmap(5, 0x0, 4096)", F(Number.SYS_FMAP, 5, 0, 4096));
        Assert.Equal("funmap(0xC0000000)", F(Number.SYS_FUNMAP, 0xC0000000));
        Assert.Equal("fpath(5, 0x10, 64)", F(Number.SYS_FPATH, 5, 0x10, 64));
        Assert.Equal("fstatvfs(5, 0x10, 32)", F(Number.SYS_FSTATVFS, 5, 0x10, 32));
        Assert.Equal("fsync(5)", F(Number.SYS_FSYNC, 5));
        Assert.Equal("ftruncate(5, 100)", F(Number.SYS_FTRUNCATE, 5, 100));
        Assert.Equal("fstat(5, Ok([]))", F(Number.SYS_FSTAT, 5, 0x10, 8)); // fewer bytes than a Stat: an empty slice
        Assert.Equal("dup(5, Ok(\"\"))", F(Number.SYS_DUP, 5, 0, 0));
        Assert.Equal("dup2(5, 6, Err(Bad address))", F(Number.SYS_DUP2, 5, 6, 0x10, 1));
    }

    [Fact]
    public void Fstat_shows_the_stat_structure_as_its_derived_debug()
    {
        Stat* st = (Stat*)User(sizeof(Stat));
        *st = default;
        st->st_mode = 0x8124;
        st->st_size = 22;
        Assert.Equal("fstat(3, Ok([Stat { st_dev: 0, st_ino: 0, st_mode: 33060, st_nlink: 0, st_uid: 0, st_gid: 0, st_size: 22, "
            + "st_blksize: 0, st_blocks: 0, st_mtime: 0, st_mtime_nsec: 0, st_atime: 0, st_atime_nsec: 0, st_ctime: 0, st_ctime_nsec: 0 }]))",
            F(Number.SYS_FSTAT, 3, (ulong)st, (ulong)sizeof(Stat)));
    }

    [Fact]
    public void Process_calls_follow_the_originals_format_strings()
    {
        Assert.Equal("brk(0x0)", F(Number.SYS_BRK, 0));
        Assert.Equal("clone(256)", F(Number.SYS_CLONE, 256));
        Assert.Equal("exit(0)", F(Number.SYS_EXIT));
        Assert.Equal("getpid()", F(Number.SYS_GETPID));
        Assert.Equal("getegid()", F(Number.SYS_GETEGID));
        Assert.Equal("getns()", F(Number.SYS_GETNS));
        Assert.Equal("iopl(3)", F(Number.SYS_IOPL, 3));
        Assert.Equal("kill(2, 9)", F(Number.SYS_KILL, 2, 9));
        Assert.Equal("sigreturn()", F(Number.SYS_SIGRETURN));
        Assert.Equal("sigaction(2, 0x0, 0x10, 0x400000)", F(Number.SYS_SIGACTION, 2, 0, 0x10, 0x400000));
        Assert.Equal("waitpid(0, 0x0, 1)", F(Number.SYS_WAITPID, 0, 0, 1));
        Assert.Equal("yield()", F(Number.SYS_YIELD));
        Assert.Equal("physalloc(8192)", F(Number.SYS_PHYSALLOC, 8192));
        Assert.Equal("physfree(0x1000, 8192)", F(Number.SYS_PHYSFREE, 0x1000, 8192));
        Assert.Equal("physmap(0xB8000, 4096, 0x1)", F(Number.SYS_PHYSMAP, 0xB8000, 4096, 1));
        Assert.Equal("physunmap(0x0)", F(Number.SYS_PHYSUNMAP, 0));
        Assert.Equal("virttophys(0x400000)", F(Number.SYS_VIRTTOPHYS, 0x400000));
        Assert.Equal("setregid(1, 2)", F(Number.SYS_SETREGID, 1, 2));
        Assert.Equal("setrens(1, 2)", F(Number.SYS_SETRENS, 1, 2));
        Assert.Equal("setreuid(1, 2)", F(Number.SYS_SETREUID, 1, 2));
        Assert.Equal("getcwd(0x100, 64)", F(Number.SYS_GETCWD, 0x100, 64));
        Assert.Equal("UNKNOWN999 0x3E7(0x1, 0x2, 0x3, 0x4, 0x5)", F(999, 1, 2, 3, 4, 5));
    }

    [Fact]
    public void Slices_are_shown_as_lists_of_their_elements()
    {
        TimeSpec* t = (TimeSpec*)User(sizeof(TimeSpec));
        t->tv_sec = 1;
        t->tv_nsec = 500;
        Assert.Equal("nanosleep(Ok([TimeSpec { tv_sec: 1, tv_nsec: 500 }]), (0, 0))", F(Number.SYS_NANOSLEEP, (ulong)t));
        Assert.Equal("clock_gettime(4, Ok([TimeSpec { tv_sec: 1, tv_nsec: 500 }]))", F(Number.SYS_CLOCK_GETTIME, 4, (ulong)t));
        ulong* fds = (ulong*)User(16);
        fds[0] = 3; fds[1] = 4;
        Assert.Equal("pipe2(Ok([3, 4]), 0)", F(Number.SYS_PIPE2, (ulong)fds));
        Assert.Equal("mkns(Ok([[3, 4]]))", F(Number.SYS_MKNS, (ulong)fds, 1));
        Assert.Equal("mkns(Err(Bad address))", F(Number.SYS_MKNS, 0x10, 1));
        int* word = (int*)User(4);
        *word = -7;
        Assert.Equal("futex(0x" + ((ulong)word).ToString("X") + " [Ok(-7)], 0, 1, 2, 3)", F(Number.SYS_FUTEX, (ulong)word, 0, 1, 2, 3));
        Assert.Equal("futex(0x10 [Err(Bad address)], 0, 0, 0, 0)", F(Number.SYS_FUTEX, 0x10));
    }

    [Fact]
    public void Execve_shows_each_argument_as_an_optional_str()
    {
        byte* path = UserString("initfs:/bin/x");
        byte* a0 = UserString("x\n\"");
        ulong* args = (ulong*)User(48);
        args[0] = (ulong)a0; args[1] = 3;
        args[2] = 0x10; args[3] = 2; // not the user's: None
        args[4] = (ulong)a0; args[5] = 0;
        Assert.Equal("execve(Ok(\"initfs:/bin/x\"), Ok([Some(\"x\\n\\\"\"), None, Some(\"\")]))", F(Number.SYS_EXECVE, (ulong)path, 13, (ulong)args, 3));
        Assert.Equal("execve(Ok(\"initfs:/bin/x\"), Err(Bad address))", F(Number.SYS_EXECVE, (ulong)path, 13, 0x10, 1));
    }

    [Fact]
    public void The_string_starts_at_formats_estimated_capacity()
    {
        Assert.Equal(14UL, Capacity(Number.SYS_CLOSE, 3)); // pieces "close(" and ")": twice 7; "close(3)" fits
        Assert.Equal(8UL, Capacity(Number.SYS_GETPID)); // no argument: the pieces' length
        Assert.Equal(40UL, Capacity(Number.SYS_READ, 0, 0x1234567890, 123456)); // 20 (twice 10) fills up at the digits, then push_str reserves max(2 × 20, 22)
    }
}
