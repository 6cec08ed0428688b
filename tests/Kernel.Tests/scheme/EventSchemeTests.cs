#nullable enable
using System.Text;
using Kernel.common;
using Kernel.Hal;
using Kernel.context;
using Kernel.context.@event;
using Kernel.syscall;
using Kernel.Tests.memory;
using syscall.data;
using syscall.error;
using syscall.flag;
using syscall.number;

namespace Kernel.Tests.scheme;

/// <summary>scheme/event.rs with context/event.rs: fevent registers a descriptor; a trigger queues an Event on the context's queue, which event: reads.</summary>
[Collection(KernelGlobals.Name)]
public unsafe class EventSchemeTests : SchemeHost
{
    private static long Fevent(long fd, ulong flags) => Mux(Fs.Fevent(FileHandle.From((ulong)fd), flags));

    private (long Read, long Write) Pipe()
    {
        ulong* fds = stackalloc ulong[2];
        Assert.True(Fs.Pipe2(fds, 2, 0).is_ok);
        return ((long)fds[0], (long)fds[1]);
    }

    [Fact]
    public void A_pipe_write_reaches_event_as_the_read_ends_descriptor_with_the_queued_length()
    {
        long ev = Open("event:");
        Assert.Equal(0, ev);
        var (r, w) = Pipe();
        Assert.Equal(0, Fevent(r, Flag.EVENT_READ));
        byte* data = stackalloc byte[3] { 1, 2, 3 };
        Assert.Equal(3, Write(w, data, 3));
        Event* e = stackalloc Event[2];
        Assert.Equal(24, Read(ev, (byte*)e, 2 * 24));
        Assert.Equal((ulong)r, e[0].id);
        Assert.Equal(Flag.EVENT_READ, e[0].flags);
        Assert.Equal(3UL, e[0].data);
        Assert.Equal("event:", Fpath(ev));
        Assert.Equal(-Error.EBADF, Write(ev, (byte*)e, 24)); // event: has no write
    }

    [Fact]
    public void A_second_fevent_unregisters_the_first_with_a_line_saying_so()
    {
        var (r, w) = Pipe();
        Assert.Equal(0, Fevent(r, Flag.EVENT_READ));
        Machine.Reset();
        Assert.Equal(0, Fevent(r, Flag.EVENT_READ));
        // {:?} of the FileHandle and the SchemeId: pipe: is scheme 10 of the root namespace
        Assert.Equal("FileHandle(" + r + "): SchemeId(10):0: events already registered: 0\n", Machine.Serial);
    }

    [Fact]
    public void Closing_the_descriptor_unregisters_it_and_the_entry_goes_with_its_last_listener()
    {
        var (r, w) = Pipe();
        Assert.Equal(0, Fevent(r, Flag.EVENT_READ));
        using (var reg = EventMod.RegistryMut()) Assert.Equal(1UL, reg.Value.Len());
        Assert.Equal(0, Close(r));
        using (var reg = EventMod.RegistryMut()) Assert.Equal(0UL, reg.Value.Len());
    }

    [Fact]
    public void Register_refuses_a_descriptor_already_listening_and_trigger_skips_dead_queues()
    {
        SchemeId s = SchemeId.From(42);
        Assert.True(EventMod.Register(FileHandle.From(7), s, 9));
        Assert.False(EventMod.Register(FileHandle.From(7), s, 9));
        Assert.True(EventMod.Register(FileHandle.From(8), s, 9));
        EventMod.Trigger(s, 9, 2, 5);
        EventMod.Trigger(s, 10, 2, 5); // nobody listens
        long ev = Open("event:");
        Event* e = stackalloc Event[4];
        Assert.Equal(48, Read(ev, (byte*)e, 4 * 24));
        Assert.Equal(7UL, e[0].id);
        Assert.Equal(8UL, e[1].id);
        Assert.Equal(5UL, e[1].data);
    }

    [Fact]
    public void Dup_with_a_buffer_is_EINVAL_and_a_dup_reads_the_same_queue()
    {
        long ev = Open("event:");
        byte* b = stackalloc byte[1];
        Assert.Equal(Error.EINVAL, Fs.Dup(FileHandle.From((ulong)ev), b, 1).errno);
        var d = Fs.Dup(FileHandle.From((ulong)ev), null, 0);
        Assert.True(d.is_ok);
        EventMod.Register(FileHandle.From(3), SchemeId.From(5), 1);
        EventMod.Trigger(SchemeId.From(5), 1, 1, 1);
        Event* e = stackalloc Event[1];
        Assert.Equal(24, Read((long)d.ok.Into(), (byte*)e, 24));
    }
}
