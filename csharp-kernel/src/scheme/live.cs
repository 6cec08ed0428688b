using alloc.arc;
using alloc.btree_map;
using core.cmp;
using spin;
using syscall.data;
using syscall.error;
using syscall.flag;

namespace Kernel.scheme.live
{
    /// <summary>`&amp;'static mut [u8]`: the live disk's bytes (between `__live_start` and `__live_end`).</summary>
    public unsafe struct LiveData
    {
        public byte* ptr;
        public ulong len;
    }

    /// <summary>
    /// An open file of the disk: `path` (always b"0", the only path open gives and dup copies: not stored),
    /// the shared data (a clone of the scheme's Arc), mode and seek position.
    /// </summary>
    public struct Handle
    {
        public Arc<RwLock<LiveData>> data;
        public ushort mode;
        public ulong seek;
    }

    /// <summary>
    /// scheme/live.rs (the original's `live` cargo feature, off by default; here `-p:PortFeatures=live`, which
    /// registers it in the root namespace as `disk/live`): `DiskScheme`, the live disk image linked into the kernel
    /// between `__live_start` and `__live_end`, read and written in place. Every path opens the whole disk.
    /// </summary>
    public unsafe struct DiskScheme
    {
        public Arc<RwLock<LiveData>> data;
        public HandleMap<Handle> handles;

#if FEATURE_LIVE
        /// <summary>`DiskScheme::new()`: the disk between the linker's `__live_start` and `__live_end` (Kernel.Hal.LiveDisk).</summary>
        public static DiskScheme New() => From((byte*)Kernel.Hal.LiveDisk.Bound(Kernel.Hal.LiveDisk.START), (byte*)Kernel.Hal.LiveDisk.Bound(Kernel.Hal.LiveDisk.END));
#endif

        /// <summary>`new()` over the bytes from <paramref name="start"/> to <paramref name="end"/>: empty when end is below start.</summary>
        public static DiskScheme From(byte* start, byte* end)
        {
            LiveData d;
            if ((ulong)end >= (ulong)start)
            {
                d.ptr = start;
                d.len = (ulong)end - (ulong)start;
            }
            else
            {
                d.ptr = null; // &mut []
                d.len = 0;
            }
            DiskScheme s;
            s.data = Arc<RwLock<LiveData>>.New(new RwLock<LiveData>(d));
            s.handles = HandleMap<Handle>.New();
            return s;
        }

        /// <summary>`open`: whatever the path, flags and ids, a new handle on the whole disk (path "0", MODE_FILE | 0o744, seek 0).</summary>
        public Result Open(byte* path, ulong path_len, ulong flags, uint uid, uint gid)
        {
            Handle h;
            h.data = data.Clone();
            h.mode = (ushort)(Flag.MODE_FILE | 0x1E4);
            h.seek = 0;
            return Result.Ok(handles.Insert(h));
        }

        /// <summary>`dup(id, buf)`: EINVAL for a non-empty buf, EBADF for an unknown id; else a copy of the handle (seek included).</summary>
        public Result Dup(ulong id, ulong buf_len) => handles.Dup(id, buf_len, &CopyHandle);

        /// <summary>Dup's copy: the handle's bytes with its own clone of the data's Arc.</summary>
        private static Handle CopyHandle(Handle* h)
        {
            Handle copy = *h;
            copy.data = h->data.Clone();
            return copy;
        }

        /// <summary>`read`: from the seek position, as many bytes as fit and the disk has (the handles' write lock, then the data's read lock).</summary>
        public Result Read(ulong id, byte* buffer, ulong len)
        {
            using (var hs = handles.Write())
            {
                Handle* h = hs.Value.Get(new Usize(id));
                if (h == null)
                {
                    return Result.Err(Error.EBADF);
                }
                using (var d = h->data.Value.Read())
                {
                    ulong i = 0;
                    while (i < len && h->seek < d.Value.len)
                    {
                        buffer[i] = d.Value.ptr[h->seek];
                        i += 1;
                        h->seek += 1;
                    }
                    return Result.Ok(i);
                }
            }
        }

        /// <summary>`write`: into the disk itself from the seek position, up to its end (never grows it).</summary>
        public Result Write(ulong id, byte* buffer, ulong len)
        {
            using (var hs = handles.Write())
            {
                Handle* h = hs.Value.Get(new Usize(id));
                if (h == null)
                {
                    return Result.Err(Error.EBADF);
                }
                using (var d = h->data.Value.Write())
                {
                    ulong i = 0;
                    while (i < len && h->seek < d.Value.len)
                    {
                        d.Value.ptr[h->seek] = buffer[i];
                        i += 1;
                        h->seek += 1;
                    }
                    return Result.Ok(i);
                }
            }
        }

        /// <summary>
        /// `seek(id, pos, whence)`: SEEK_SET to min(len, pos); SEEK_CUR and SEEK_END add pos as a signed offset
        /// (wrapping isize arithmetic), clamped to 0..len; EINVAL for another whence.
        /// </summary>
        public Result Seek(ulong id, ulong pos, ulong whence)
        {
            using (var hs = handles.Write())
            {
                Handle* h = hs.Value.Get(new Usize(id));
                if (h == null)
                {
                    return Result.Err(Error.EBADF);
                }
                using (var d = h->data.Value.Read())
                {
                    return HandleMap<Handle>.Seek(ref h->seek, (long)d.Value.len, pos, whence);
                }
            }
        }

        /// <summary>`fcntl`: 0 for a known handle, whatever the command.</summary>
        public Result Fcntl(ulong id, ulong cmd, ulong arg) => handles.Known(id) ? Result.Ok(0) : Result.Err(Error.EBADF);

        /// <summary>
        /// `fpath`: "disk:" then the handle's path "0", as much as fits. Kept: the scheme is registered as `disk/live`,
        /// but its path says "disk:" (the original's TODO: "Copy scheme part in kernel").
        /// </summary>
        public Result Fpath(ulong id, byte* buf, ulong len)
        {
            if (!handles.Known(id))
            {
                return Result.Err(Error.EBADF);
            }
            return HandleMap<Handle>.Fpath(buf, len, "disk:", "0");
        }

        /// <summary>`fstat`: mode, uid 0, gid 0 and the disk's size; the rest of the Stat left as given.</summary>
        public Result Fstat(ulong id, Stat* stat)
        {
            using (var hs = handles.Read())
            {
                Handle* h = hs.Value.Get(new Usize(id));
                if (h == null)
                {
                    return Result.Err(Error.EBADF);
                }
                using (var d = h->data.Value.Read())
                {
                    stat->st_mode = h->mode;
                    stat->st_uid = 0;
                    stat->st_gid = 0;
                    stat->st_size = d.Value.len;
                    return Result.Ok(0);
                }
            }
        }

        public Result Fsync(ulong id) => handles.Known(id) ? Result.Ok(0) : Result.Err(Error.EBADF);

        /// <summary>`close`: the handle removed (its clone of the data dropped), EBADF for an unknown id.</summary>
        public Result Close(ulong id)
        {
            Handle h;
            using (var hs = handles.Write())
            {
                if (!hs.Value.Remove(new Usize(id), out var removed))
                {
                    return Result.Err(Error.EBADF);
                }
                h = removed.value;
            }
            if (h.data.Release())
            {
                h.data.Free(); // never the last owner: the scheme holds one
            }
            return Result.Ok(0);
        }
    }
}
