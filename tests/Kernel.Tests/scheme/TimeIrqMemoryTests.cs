#nullable enable
using System.Text;
using Kernel.common;
using Kernel.Hal;
using Kernel.context.@event;
using Kernel.context.timeout;
using Kernel.scheme.irq;
using Kernel.syscall;
using Kernel.Tests.memory;
using Kernel.time;
using spin;
using syscall.data;
using syscall.error;
using syscall.flag;
using syscall.number;

namespace Kernel.Tests.scheme;

/// <summary>scheme/time.rs (with context/timeout.rs), scheme/irq.rs and scheme/memory.rs.</summary>
[Collection(KernelGlobals.Name)]
public unsafe class TimeIrqMemoryTests : SchemeHost
{
    public TimeIrqMemoryTests()
    {
        using (var g = TimeMod.OFFSET.Lock()) g.Value = Time.Of(5, 100);
        using (var g = TimeMod.START.Lock()) g.Value = Time.Of(1_500_000_000, 0);
    }

    [Theory]
    [InlineData("time:4", 0)]
    [InlineData("time:1", 0)]
    [InlineData("time:+4", 0)] // usize::from_str takes one leading '+'
    [InlineData("time:2", -2)]
    [InlineData("time:0", -2)]
    [InlineData("time:", -2)]
    [InlineData("time:x", -2)]
    [InlineData("time:-4", -2)]
    [InlineData("time:18446744073709551620", -2)] // overflows usize
    public void Time_opens_the_two_clocks_only(string path, long expected)
    {
        long fd = Open(path);
        Assert.Equal(expected, fd < 0 ? fd : 0);
    }

    [Fact]
    public void Time_reads_whole_timespecs_of_the_clock_and_names_it_in_fpath()
    {
        long mono = Open("time:4");
        long real = Open("time:1");
        TimeSpec* t = stackalloc TimeSpec[2];
        Assert.Equal(32, Read(mono, (byte*)t, 40));
        Assert.Equal(5L, t[0].tv_sec);
        Assert.Equal(100, t[1].tv_nsec);
        Assert.Equal(0, Read(mono, (byte*)t, 8));
        Assert.Equal(16, Read(real, (byte*)t, 16));
        Assert.Equal(1_500_000_005L, t[0].tv_sec);
        Assert.Equal("time:4", Fpath(mono));
        Assert.Equal("time:", Fpath(mono, 5));
        Assert.Equal((long)mono, Mux(Fs.FileOp(Number.SYS_FEVENT, FileHandle.From((ulong)mono), 0, 0)));
    }

    [Fact]
    public void A_written_timespec_fires_the_handles_event_once_its_clock_reaches_it()
    {
        long ev = Open("event:");
        long mono = Open("time:4");
        Assert.Equal(0, Mux(Fs.Fevent(FileHandle.From((ulong)mono), Flag.EVENT_READ)));
        TimeSpec* when = stackalloc TimeSpec[1];
        when[0].tv_sec = 5;
        when[0].tv_nsec = 30_000_000;
        Assert.Equal(16, Write(mono, (byte*)when, 20));
        TimeoutMod.Trigger();
        Event* e = stackalloc Event[1];
        using (var reg = EventMod.RegistryMut()) Assert.Equal(1UL, reg.Value.Len()); // not fired yet: still registered, queue empty
        using (var g = TimeMod.OFFSET.Lock()) g.Value = Time.Of(5, 30_000_000);
        TimeoutMod.Trigger();
        Assert.Equal(24, Read(ev, (byte*)e, 24));
        Assert.Equal((ulong)mono, e[0].id);
        Assert.Equal(16UL, e[0].data); // size_of::<TimeSpec>()
        TimeoutMod.Trigger(); // fired once, removed
    }

    [Fact]
    public void A_timeout_on_an_unknown_clock_is_printed_and_fires_at_once()
    {
        EventMod.Register(FileHandle.From(4), SchemeId.From(6), 0);
        TimeoutMod.Register(SchemeId.From(6), 0, 7, default);
        Machine.Reset();
        TimeoutMod.Trigger();
        Assert.Equal("timeout::trigger: unknown clock 7\n", Machine.Serial);
        long ev = Open("event:");
        Event* e = stackalloc Event[1];
        Assert.Equal(24, Read(ev, (byte*)e, 24));
        Assert.Equal(4UL, e[0].id);
    }

    [Fact]
    public void Irq_is_root_only_below_16_and_hands_out_the_count_until_it_is_acknowledged()
    {
        Assert.Equal(-Error.ENOENT, Open("irq:"));
        Assert.Equal(-Error.ENOENT, Open("irq:16"));
        Assert.Equal(-Error.ENOENT, Open("irq:x"));
        long fd = Open("irq:5");
        Assert.True(fd >= 0);
        Assert.Equal("irq:5", Fpath(fd));
        ulong* v = stackalloc ulong[1];
        Assert.Equal(-Error.EINVAL, Write(fd, (byte*)v, 4));
        Assert.Equal(-Error.EINVAL, Read(fd, (byte*)v, 4));
        Assert.Equal(0, Read(fd, (byte*)v, 8)); // nothing new
        Assert.Equal(5, Mux(Fs.FileOp(Number.SYS_FEVENT, FileHandle.From((ulong)fd), 0, 0)));
        IrqScheme.IrqTrigger(5);
        IrqScheme.IrqTrigger(5);
        Assert.Equal(8, Read(fd, (byte*)v, 8));
        Assert.Equal(2UL, *v);
        *v = 1;
        Assert.Equal(0, Write(fd, (byte*)v, 8)); // not the current count: nothing acknowledged
        *v = 2;
        Assert.Equal(8, Write(fd, (byte*)v, 8));
        Assert.Equal(0, Read(fd, (byte*)v, 8));
        Assert.Equal(0, Close(fd));
        SetUid(Current, 1000);
        Assert.Equal(-Error.EACCES, Open("irq:5"));
    }

    [Fact]
    public void Memory_opens_anything_names_itself_and_has_no_read()
    {
        long fd = Open("memory:whatever");
        Assert.True(fd >= 0);
        Assert.Equal("memory:", Fpath(fd));
        byte* b = stackalloc byte[8];
        Assert.Equal(-Error.EBADF, Read(fd, b, 8));
        Assert.Equal(-Error.EBADF, Mux(Fs.FileOp(Number.SYS_FMAP, FileHandle.From((ulong)fd), 0, 4096)));
        Assert.Equal(0, Close(fd));
    }

    [Fact]
    public void Memory_fstatvfs_counts_the_frame_allocators_frames_in_4096_byte_blocks()
    {
        MemoryMaps.Init(0, 0x101000, MemoryMaps.Area(0, 0x3000), MemoryMaps.Area(0x100000, 0x8000));
        long fd = Open("memory:");
        StatVfs st = default;
        Assert.Equal(-Error.EFAULT, Mux(Fs.FileOp(Number.SYS_FSTATVFS, FileHandle.From((ulong)fd), (ulong)&st, 31)));
        Assert.Equal(0, Mux(Fs.FileOp(Number.SYS_FSTATVFS, FileHandle.From((ulong)fd), (ulong)&st, 32)));
        Assert.Equal(4096u, st.f_bsize);
        Assert.Equal(11UL, st.f_blocks); // used 5 + free 6
        Assert.Equal(6UL, st.f_bfree);
        Assert.Equal(6UL, st.f_bavail);
    }
}
