#nullable enable
using System;
using System.Runtime.InteropServices;
using System.Text;
using Kernel.scheme.live;
using Kernel.Tests.memory;
using syscall.data;
using syscall.error;
using syscall.flag;

namespace Kernel.Tests.scheme;

/// <summary>
/// scheme/live.rs (the `live` feature's `disk/live`): the disk between __live_start and __live_end, read and written
/// in place through handles at their own offsets. The host gives DiskScheme.From a buffer of its own.
/// </summary>
[Collection(KernelGlobals.Name)]
public unsafe class LiveSchemeTests : IDisposable
{
    private readonly HostHeap heap = HostHeap.Install();
    private readonly byte* disk;
    private const int Size = 16;
    private DiskScheme s;

    public LiveSchemeTests()
    {
        disk = (byte*)NativeMemory.Alloc(Size);
        for (int i = 0; i < Size; i++) disk[i] = (byte)('a' + i); // "abcdefghijklmnop"
        s = DiskScheme.From(disk, disk + Size);
    }

    public void Dispose()
    {
        NativeMemory.Free(disk);
        heap.Dispose();
    }

    private ulong Open(string path = "")
    {
        fixed (byte* p = Encoding.ASCII.GetBytes(path + "\0"))
        {
            var r = s.Open(p, (ulong)path.Length, Flag.O_RDWR, 1000, 1000);
            Assert.True(r.is_ok);
            return r.ok;
        }
    }

    private string Read(ulong id, int len)
    {
        var buf = new byte[len + 1];
        fixed (byte* b = buf)
        {
            var r = s.Read(id, b, (ulong)len);
            Assert.True(r.is_ok);
            return Encoding.ASCII.GetString(buf, 0, (int)r.ok);
        }
    }

    private ulong Write(ulong id, string text)
    {
        fixed (byte* b = Encoding.ASCII.GetBytes(text + "\0"))
        {
            var r = s.Write(id, b, (ulong)text.Length);
            Assert.True(r.is_ok);
            return r.ok;
        }
    }

    private long Seek(ulong id, long pos, ulong whence)
    {
        var r = s.Seek(id, (ulong)pos, whence);
        return r.is_ok ? (long)r.ok : -r.err.errno;
    }

    [Fact]
    public void Every_path_opens_the_whole_disk_as_a_file_of_its_size_owned_by_root()
    {
        Assert.Equal(0ul, Open("anything/at/all"));
        Assert.Equal(1ul, Open());
        Stat st = default;
        st.st_ino = 77; // left as given
        Assert.True(s.Fstat(1, &st).is_ok);
        Assert.Equal((ushort)(Flag.MODE_FILE | 0x1E4), st.st_mode); // 0o744
        Assert.Equal((0u, 0u), (st.st_uid, st.st_gid));
        Assert.Equal((ulong)Size, st.st_size);
        Assert.Equal(77ul, st.st_ino);
    }

    [Fact]
    public void Reads_go_on_from_the_handles_own_offset_and_stop_at_the_end()
    {
        ulong a = Open(), b = Open();
        Assert.Equal("abcde", Read(a, 5));
        Assert.Equal("fgh", Read(a, 3));
        Assert.Equal("ab", Read(b, 2)); // another handle, its own offset
        Assert.Equal("ijklmnop", Read(a, 100));
        Assert.Equal("", Read(a, 4));
    }

    [Fact]
    public void Writes_change_the_disk_in_place_for_every_handle_and_never_grow_it()
    {
        ulong a = Open(), b = Open();
        Assert.Equal(10, Seek(a, 10, Flag.SEEK_SET));
        Assert.Equal(3ul, Write(a, "XYZ"));
        Assert.Equal("abcdefghijXYZnop", Read(b, Size));
        Assert.Equal(3ul, Write(a, "12345")); // only up to the end
        Assert.Equal("XYZ123", Encoding.ASCII.GetString(new ReadOnlySpan<byte>(disk + 10, 6)));
        Assert.Equal(0ul, Write(a, "more"));
    }

    [Fact]
    public void Seek_clamps_to_the_disk_set_cur_and_end_take_signed_offsets_other_whence_is_EINVAL()
    {
        ulong a = Open();
        Assert.Equal(Size, Seek(a, 1000, Flag.SEEK_SET));
        Assert.Equal(4, Seek(a, 4, Flag.SEEK_SET));
        Assert.Equal(7, Seek(a, 3, Flag.SEEK_CUR));
        Assert.Equal(5, Seek(a, -2, Flag.SEEK_CUR));
        Assert.Equal(0, Seek(a, -100, Flag.SEEK_CUR));
        Assert.Equal(Size - 1, Seek(a, -1, Flag.SEEK_END));
        Assert.Equal(Size, Seek(a, 5, Flag.SEEK_END));
        Assert.Equal("", Read(a, 1));
        Assert.Equal(-Error.EINVAL, Seek(a, 0, 3));
        Assert.Equal(-Error.EBADF, Seek(99, 0, Flag.SEEK_SET));
    }

    [Fact]
    public void Quirk_fpath_says_disk_0_although_the_scheme_is_registered_as_disk_live()
    {
        ulong a = Open("x");
        var buf = new byte[16];
        fixed (byte* b = buf)
        {
            Assert.Equal(6ul, s.Fpath(a, b, 16).ok);
            Assert.Equal("disk:0", Encoding.ASCII.GetString(buf, 0, 6));
            Assert.Equal(3ul, s.Fpath(a, b, 3).ok); // as much as fits
            Assert.Equal(Error.EBADF, s.Fpath(42, b, 16).err.errno);
        }
    }

    [Fact]
    public void Dup_copies_the_offset_refuses_a_path_and_close_forgets_the_handle()
    {
        ulong a = Open();
        Seek(a, 6, Flag.SEEK_SET);
        Assert.Equal(Error.EINVAL, s.Dup(a, 1).err.errno);
        ulong d = s.Dup(a, 0).ok;
        Assert.Equal(1ul, d);
        Assert.Equal("ghi", Read(d, 3));
        Assert.Equal("gh", Read(a, 2)); // its own offset from then on
        Assert.Equal(0ul, s.Fcntl(a, Flag.F_GETFL, 0).ok);
        Assert.Equal(0ul, s.Fsync(a).ok);
        Assert.True(s.Close(a).is_ok);
        Assert.Equal(Error.EBADF, s.Close(a).err.errno);
        Assert.Equal(Error.EBADF, s.Fcntl(a, 0, 0).err.errno);
        Assert.Equal(Error.EBADF, s.Fsync(a).err.errno);
        Assert.Equal(Error.EBADF, s.Dup(a, 0).err.errno);
        Assert.Equal(2ul, s.data.StrongCount()); // the scheme's and the dup's
    }

    [Fact]
    public void An_end_below_the_start_is_an_empty_disk()
    {
        var empty = DiskScheme.From(disk + 8, disk + 4);
        Stat st = default;
        var id = empty.Open(null, 0, 0, 0, 0).ok;
        Assert.True(empty.Fstat(id, &st).is_ok);
        Assert.Equal(0ul, st.st_size);
        var same = DiskScheme.From(disk, disk); // __live_start = __live_end: the default live build
        id = same.Open(null, 0, 0, 0, 0).ok;
        Assert.True(same.Fstat(id, &st).is_ok);
        Assert.Equal(0ul, st.st_size);
    }
}
