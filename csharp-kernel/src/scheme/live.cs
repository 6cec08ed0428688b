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
        public ulong next_id;
        public Arc<RwLock<LiveData>> data;
        public RwLock<OrdMap<Usize, Handle>> handles;

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
            s.next_id = 0;
            s.data = Arc<RwLock<LiveData>>.New(new RwLock<LiveData>(d));
            s.handles = new RwLock<OrdMap<Usize, Handle>>(OrdMap<Usize, Handle>.New());
            return s;
        }

        private ulong NextId()
        {
            fixed (ulong* p = &next_id)
            {
                return Kernel.Hal.Atomic.FetchAdd(p, 1);
            }
        }

        private void Insert(ulong id, Handle h)
        {
            using (var hs = handles.Write())
            {
                hs.Value.Insert(new Usize(id), h, out _, out _);
            }
        }

        /// <summary>`open`: whatever the path, flags and ids, a new handle on the whole disk (path "0", MODE_FILE | 0o744, seek 0).</summary>
        public Result Open(byte* path, ulong path_len, ulong flags, uint uid, uint gid)
        {
            ulong id = NextId();
            Handle h;
            h.data = data.Clone();
            h.mode = (ushort)(Flag.MODE_FILE | 0x1E4);
            h.seek = 0;
            Insert(id, h);
            return Result.Ok(id);
        }

        /// <summary>`dup(id, buf)`: EINVAL for a non-empty buf, EBADF for an unknown id; else a copy of the handle (seek included).</summary>
        public Result Dup(ulong id, ulong buf_len)
        {
            if (buf_len != 0)
            {
                return Result.Err(Error.EINVAL);
            }
            Handle copy;
            using (var hs = handles.Read())
            {
                Handle* h = hs.Value.Get(new Usize(id));
                if (h == null)
                {
                    return Result.Err(Error.EBADF);
                }
                copy = *h;
                copy.data = h->data.Clone();
            }
            ulong new_id = NextId();
            Insert(new_id, copy);
            return Result.Ok(new_id);
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
                    long len = (long)d.Value.len;
                    long target;
                    if (whence == Flag.SEEK_SET)
                    {
                        h->seek = pos < (ulong)len ? pos : (ulong)len;
                        return Result.Ok(h->seek);
                    }
                    else if (whence == Flag.SEEK_CUR)
                    {
                        target = unchecked((long)h->seek + (long)pos);
                    }
                    else if (whence == Flag.SEEK_END)
                    {
                        target = unchecked(len + (long)pos);
                    }
                    else
                    {
                        return Result.Err(Error.EINVAL);
                    }
                    if (target > len) target = len;
                    if (target < 0) target = 0;
                    h->seek = (ulong)target;
                    return Result.Ok(h->seek);
                }
            }
        }

        private bool Known(ulong id)
        {
            using (var hs = handles.Read())
            {
                return hs.Value.Get(new Usize(id)) != null;
            }
        }

        /// <summary>`fcntl`: 0 for a known handle, whatever the command.</summary>
        public Result Fcntl(ulong id, ulong cmd, ulong arg) => Known(id) ? Result.Ok(0) : Result.Err(Error.EBADF);

        /// <summary>
        /// `fpath`: "disk:" then the handle's path "0", as much as fits. Kept: the scheme is registered as `disk/live`,
        /// but its path says "disk:" (the original's TODO: "Copy scheme part in kernel").
        /// </summary>
        public Result Fpath(ulong id, byte* buf, ulong len)
        {
            if (!Known(id))
            {
                return Result.Err(Error.EBADF);
            }
            ulong i = SchemePath.Copy(buf, len, "disk:");
            i = SchemePath.Append(buf, len, i, "0");
            return Result.Ok(i);
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

        public Result Fsync(ulong id) => Known(id) ? Result.Ok(0) : Result.Err(Error.EBADF);

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
