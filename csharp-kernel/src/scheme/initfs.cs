using alloc.btree_map;
using core.cmp;
using spin;
using syscall.data;
using syscall.error;
using syscall.flag;

namespace Kernel.scheme.initfs
{
    /// <summary>
    /// A key of the initfs's file map: entry <see cref="index"/> of the embedded listing
    /// (<see cref="Gen"/>, generated at build time as the original's build.rs generates `gen::gen()`),
    /// ordered by its path's bytes as `BTreeMap&lt;&amp;'static [u8], _&gt;` orders them.
    /// </summary>
    public struct GenKey : IOrd<GenKey>
    {
        public int index;

        public static unsafe int Cmp(GenKey* a, GenKey* b)
        {
            string x = Gen.Name(a->index);
            string y = Gen.Name(b->index);
            int n = x.Length < y.Length ? x.Length : y.Length;
            for (int i = 0; i < n; i++)
            {
                if (x[i] != y[i])
                {
                    return x[i] < y[i] ? -1 : 1;
                }
            }
            return x.Length < y.Length ? -1 : (x.Length > y.Length ? 1 : 0);
        }
    }

    /// <summary>The map's value: `(&amp;'static [u8], bool)` (the data, whether it is a directory).</summary>
    public struct GenFile
    {
        public int index;
        public bool is_dir;
    }

    /// <summary>An open file of the initfs (path and data are the embedded entry's).</summary>
    public struct Handle
    {
        public int entry;
        public ulong flags;
        public ushort mode;
        public ulong seek;
    }

    /// <summary>scheme/initfs.rs: `initfs:`, the read-only embedded filesystem (64 bytes, as the original's).</summary>
    public unsafe struct InitFsScheme
    {
        public OrdMap<GenKey, GenFile> files;
        public HandleMap<Handle> handles;

        /// <summary>`InitFsScheme::new()`: the file map is `gen::gen()`, every embedded entry inserted in build.rs's order.</summary>
        public static InitFsScheme New()
        {
            InitFsScheme s;
            s.files = OrdMap<GenKey, GenFile>.New();
            for (int i = 0; i < Gen.COUNT; i++)
            {
                GenKey k;
                k.index = i;
                GenFile f;
                f.index = i;
                f.is_dir = Gen.IsDir(i);
                s.files.Insert(k, f, out _, out _);
            }
            s.handles = HandleMap<Handle>.New();
            return s;
        }

        /// <summary>
        /// `open`: the path (UTF-8, else ENOENT) trimmed of '/' at both ends, compared with every
        /// entry's path in order (the original iterates the map rather than allocate a key); ENOENT
        /// when none matches. Directories get mode MODE_DIR | 0o755, files MODE_FILE | 0o744.
        /// </summary>
        public Result Open(byte* path, ulong path_len, ulong flags, uint uid, uint gid)
        {
            if (!Utf8.IsValid(path, path_len))
            {
                return Result.Err(Error.ENOENT);
            }
            ulong start = 0;
            ulong end = path_len;
            while (start < end && path[start] == (byte)'/')
            {
                start++;
            }
            while (end > start && path[end - 1] == (byte)'/')
            {
                end--;
            }

            for (ulong e = 0; e < files.Len(); e++)
            {
                OrdMap<GenKey, GenFile>.Entry* entry = files.At(e);
                string name = Gen.Name(entry->key.index);
                if ((ulong)name.Length != end - start)
                {
                    continue;
                }
                bool same = true;
                for (int i = 0; i < name.Length; i++)
                {
                    if ((byte)name[i] != path[start + (ulong)i])
                    {
                        same = false;
                        break;
                    }
                }
                if (same)
                {
                    Handle h;
                    h.entry = entry->value.index;
                    h.flags = flags;
                    h.mode = entry->value.is_dir ? (ushort)(Flag.MODE_DIR | 0x1ED) : (ushort)(Flag.MODE_FILE | 0x1E4);
                    h.seek = 0;
                    return Result.Ok(handles.Insert(h));
                }
            }

            return Result.Err(Error.ENOENT);
        }

        /// <summary>`read`: from the seek position, as many bytes as fit.</summary>
        public Result Read(ulong id, byte* buffer, ulong len)
        {
            using (var hs = handles.Write())
            {
                Handle* h = hs.Value.Get(new Usize(id));
                if (h == null)
                {
                    return Result.Err(Error.EBADF);
                }
                string data = Gen.Data(h->entry);
                ulong i = 0;
                while (i < len && h->seek < (ulong)data.Length)
                {
                    buffer[i] = (byte)data[(int)h->seek];
                    i += 1;
                    h->seek += 1;
                }
                return Result.Ok(i);
            }
        }

        /// <summary>`fstat`: mode, uid 0, gid 0, size; the rest of the Stat left as given.</summary>
        public Result Fstat(ulong id, Stat* stat)
        {
            using (var hs = handles.Read())
            {
                Handle* h = hs.Value.Get(new Usize(id));
                if (h == null)
                {
                    return Result.Err(Error.EBADF);
                }
                stat->st_mode = h->mode;
                stat->st_uid = 0;
                stat->st_gid = 0;
                stat->st_size = (ulong)Gen.Data(h->entry).Length;
                return Result.Ok(0);
            }
        }

        /// <summary>`dup(id, buf)`: a new handle on the same entry, its flags, mode and seek position copied.</summary>
        public Result Dup(ulong id, ulong buf_len) => handles.Dup(id, buf_len, &HandleMap<Handle>.Same);

        /// <summary>
        /// `seek(id, pos, whence)`: SEEK_SET to min(len, pos); SEEK_CUR and SEEK_END add pos as a signed
        /// offset, clamped to 0..len; EINVAL for another whence.
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
                return HandleMap<Handle>.Seek(ref h->seek, Gen.Data(h->entry).Length, pos, whence);
            }
        }

        /// <summary>`fcntl`: 0 for a known handle, whatever the command.</summary>
        public Result Fcntl(ulong id, ulong cmd, ulong arg) => handles.Known(id) ? Result.Ok(0) : Result.Err(Error.EBADF);

        /// <summary>`fpath`: "initfs:" then the entry's path, as much as fits.</summary>
        public Result Fpath(ulong id, byte* buf, ulong len)
        {
            int entry;
            using (var hs = handles.Read())
            {
                Handle* h = hs.Value.Get(new Usize(id));
                if (h == null)
                {
                    return Result.Err(Error.EBADF);
                }
                entry = h->entry;
            }
            return HandleMap<Handle>.Fpath(buf, len, "initfs:", Gen.Name(entry));
        }

        public Result Fsync(ulong id) => handles.Known(id) ? Result.Ok(0) : Result.Err(Error.EBADF);

        public Result Close(ulong id)
        {
            using (var hs = handles.Write())
            {
                if (!hs.Value.Remove(new Usize(id), out _))
                {
                    return Result.Err(Error.EBADF);
                }
            }
            return Result.Ok(0);
        }
    }

    /// <summary>`str::from_utf8`'s validity check.</summary>
    public static unsafe class Utf8
    {
        /// <summary>The length of the longest valid UTF-8 prefix (`Utf8Error::valid_up_to`), len when all is valid.</summary>
        public static ulong ValidUpTo(byte* p, ulong len)
        {
            ulong i = 0;
            while (i < len)
            {
                byte b = p[i];
                ulong n;
                uint cp;
                if (b < 0x80) { i++; continue; }
                else if (b >= 0xC2 && b <= 0xDF) { n = 1; cp = (uint)(b & 0x1F); }
                else if (b >= 0xE0 && b <= 0xEF) { n = 2; cp = (uint)(b & 0x0F); }
                else if (b >= 0xF0 && b <= 0xF4) { n = 3; cp = (uint)(b & 0x07); }
                else { return i; }
                for (ulong k = 1; k <= n; k++)
                {
                    if (i + k >= len || (p[i + k] & 0xC0) != 0x80)
                    {
                        return i;
                    }
                    cp = (cp << 6) | (uint)(p[i + k] & 0x3F);
                }
                if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
                {
                    return i;
                }
                i += n + 1;
            }
            return len;
        }

        public static bool IsValid(byte* p, ulong len) => ValidUpTo(p, len) == len;
    }
}
