#nullable enable
using System.Text;
using Kernel.common;
using Kernel.Hal;
using Kernel.context.@event;
using Kernel.scheme;
using Kernel.scheme.user;
using Kernel.syscall;
using Kernel.Tests.memory;
using syscall.data;
using syscall.error;
using syscall.flag;
using syscall.number;

namespace Kernel.Tests.scheme;

/// <summary>scheme/root.rs (`:`) and scheme/user.rs: listing, names, a scheme made with O_CREAT and its packets.</summary>
[Collection(KernelGlobals.Name)]
public unsafe class RootUserSchemeTests : SchemeHost
{
    private const string RootNames = "\ndebug\nenv\nevent\ninitfs\nirq\nmemory\npipe\nsys\ntime\n";

    [Fact]
    public void The_listing_is_the_namespaces_names_each_with_a_newline_as_a_directory()
    {
        long fd = Open(":");
        Assert.Equal(RootNames, ReadAll(fd));
        Assert.Equal("", ReadAll(fd)); // read position kept
        Stat st = default;
        Assert.Equal(0, Mux(Fs.FileOp(Number.SYS_FSTAT, FileHandle.From((ulong)fd), (ulong)&st, (ulong)sizeof(Stat))));
        Assert.Equal((ushort)Flag.MODE_DIR, st.st_mode); // no permission bits
        Assert.Equal((ulong)RootNames.Length, st.st_size);
        Assert.Equal(":", Fpath(fd));
        Assert.Equal(RootNames, Cat(":///"));
    }

    [Fact]
    public void A_name_without_O_CREAT_is_a_file_that_only_knows_its_name()
    {
        long fd = Open(":/made/");
        Assert.True(fd >= 0);
        Assert.Equal(":made", Fpath(fd));
        Assert.Equal(":ma", Fpath(fd, 3));
        byte* b = stackalloc byte[4];
        Assert.Equal(-Error.EBADF, Read(fd, b, 4));
        Assert.Equal(-Error.EBADF, Write(fd, b, 4));
        Stat st = default;
        Assert.Equal(0, Mux(Fs.FileOp(Number.SYS_FSTAT, FileHandle.From((ulong)fd), (ulong)&st, (ulong)sizeof(Stat))));
        Assert.Equal((ushort)Flag.MODE_FILE, st.st_mode);
        Assert.Equal(-Error.EBADF, Mux(Fs.FileOp(Number.SYS_FSYNC, FileHandle.From((ulong)fd), 0, 0)));
        Assert.Equal(-Error.EBADF, Mux(Fs.Fevent(FileHandle.From((ulong)fd), 1)));
    }

    [Fact]
    public void O_CREAT_is_root_only_and_a_taken_name_is_EEXIST()
    {
        SetUid(Current, 1000);
        Assert.Equal(-Error.EACCES, Open(":made", Flag.O_CREAT));
        SetUid(Current, 0);
        long server = Open(":made", Flag.O_CREAT);
        Assert.True(server >= 0);
        Assert.Equal(":made", Fpath(server));
        Assert.Equal(RootNames.Replace("irq\n", "irq\nmade\n"), Cat(":"));
        Assert.Equal(-Error.EEXIST, Open(":made", Flag.O_CREAT));
        Assert.Equal(-Error.EEXIST, Open(":debug", Flag.O_CREAT));
        // the new scheme took the next id: 11 (sys:scheme_num)
        Assert.Contains("  11: made\n", Cat("sys:scheme_num"));
    }

    /// <summary>QUIRK ROOT1: closing an unknown handle of `:` is 0, not EBADF.</summary>
    [Fact]
    public void Quirk_ROOT1_closing_an_unknown_root_handle_is_0()
    {
        using var schemes = SchemeList.Schemes();
        SchemeRef root = *schemes.Value.Get(SchemeId.From(1));
        Assert.Equal(0UL, Dispatch.Close(root, 12345).ok);
        Assert.True(Dispatch.Close(root, 12345).is_ok);
    }

    /// <summary>
    /// QUIRK ROOT2: once the server closes its `:name` handle, the name stays in the namespace: the
    /// scheme answers every call with ENODEV (its UserInner is gone) and the name can never be made again.
    /// </summary>
    [Fact]
    public void Quirk_ROOT2_a_closed_servers_name_stays_registered_ENODEV_and_EEXIST()
    {
        long server = Open(":made", Flag.O_CREAT);
        Assert.Equal(0, Close(server));
        Assert.Equal(-Error.ENODEV, Open("made:anything"));
        Assert.Equal(-Error.EEXIST, Open(":made", Flag.O_CREAT));
        Assert.Contains("made\n", Cat(":"));
    }

    [Fact]
    public void A_call_becomes_a_packet_for_the_server_and_waits_for_the_answer_under_its_id()
    {
        long server = Open(":made", Flag.O_CREAT);
        SchemeRef made;
        using (var schemes = SchemeList.Schemes())
        {
            Assert.True(schemes.Value.GetName(SchemeNamespace.From(1), (byte*)UserString("made"), 4, out SchemeId id, out made));
            Assert.Equal(11UL, id.Into());
        }
        UserScheme* us = (UserScheme*)made.Data;
        Assert.True(us->inner.Upgrade(out var inner));
        // the answer for packet 1 is there before the call (one context only: nobody else could answer)
        inner.Value.done.Send(new core.cmp.Usize(1), unchecked((ulong)-Error.EPERM));
        Assert.Equal(Error.EPERM, Dispatch.Fsync(made, 77).err.errno);
        inner.Value.done.Send(new core.cmp.Usize(2), 5);
        Assert.Equal(5UL, Dispatch.Seek(made, 3, 4, 2).ok);
        UserScheme.DropInner(inner);

        // the server reads the two packets from its handle: ids, the caller's pid/uid/gid, a..d
        Packet* p = stackalloc Packet[3];
        Assert.Equal(112, Read(server, (byte*)p, 3 * 56 + 10)); // whole 56-byte packets
        Assert.Equal(1UL, p[0].id);
        Assert.Equal(Current, p[0].pid);
        Assert.Equal(Number.SYS_FSYNC, p[0].a);
        Assert.Equal(77UL, p[0].b);
        Assert.Equal(2UL, p[1].id);
        Assert.Equal(Number.SYS_LSEEK, p[1].a);
        Assert.Equal((3UL, 4UL, 2UL), (p[1].b, p[1].c, p[1].d));
        Assert.Equal((long)0, Mux(Fs.Fevent(FileHandle.From((ulong)server), Flag.EVENT_READ))); // the handle's id is its event id
    }

    [Fact]
    public void The_servers_writes_answer_by_id_and_id_0_sends_an_event_from_the_scheme()
    {
        long server = Open(":made", Flag.O_CREAT);
        EventMod.Register(FileHandle.From(9), SchemeId.From(11), 4);
        Packet* p = stackalloc Packet[2];
        p[0] = new Packet { id = 0, a = Number.SYS_FEVENT, b = 4, c = Flag.EVENT_READ, d = 17 };
        p[1] = new Packet { id = 3, a = 42 };
        Machine.Reset();
        Assert.Equal(112, Write(server, (byte*)p, 2 * 56 + 1));
        long ev = Open("event:");
        Event* e = stackalloc Event[1];
        Assert.Equal(24, Read(ev, (byte*)e, 24));
        Assert.Equal((9UL, 17UL), (e[0].id, e[0].data));

        p[0] = new Packet { id = 0, a = 1234 };
        Assert.Equal(56, Write(server, (byte*)p, 56));
        Assert.Equal("Unknown scheme -> kernel message 1234\n", Machine.Serial);

        using var schemes = SchemeList.Schemes();
        UserScheme* us = (UserScheme*)schemes.Value.Get(SchemeId.From(11))->Data;
        Assert.True(us->inner.Upgrade(out var inner));
        Assert.True(inner.Value.done.ReceiveNonblock(new core.cmp.Usize(3), out ulong answer));
        Assert.Equal(42UL, answer);
        UserScheme.DropInner(inner);
    }

    [Fact]
    public void The_inner_and_the_scheme_entry_have_the_originals_sizes()
    {
        Assert.Equal(232, sizeof(UserInner));
        Assert.Equal(8, sizeof(UserScheme));
        Assert.Equal(16, sizeof(Kernel.scheme.root.Handle));
        Assert.Equal(32, sizeof(Kernel.scheme.root.FolderInner));
        Assert.Equal(56, sizeof(Kernel.scheme.root.RootScheme));
        Assert.Equal(40, sizeof(Kernel.scheme.@event.EventScheme));
        Assert.Equal(48, sizeof(Kernel.scheme.time.TimeScheme));
    }
}
