using alloc.btree_map;
using alloc.vec;
using core.cmp;
using spin;
using syscall.data;
using syscall.error;
using syscall.flag;

namespace Kernel.scheme.sys
{
    /// <summary>A file of `sys:` as the map's key: its name (a static string), ordered by bytes.</summary>
    public struct SysName : IOrd<SysName>
    {
        public int which;

        public static string Name(int which)
        {
            switch (which)
            {
                case 0: return "context";
                case 1: return "cpu";
                case 2: return "exe";
                case 3: return "iostat";
                case 4: return "scheme";
                case 5: return "scheme_num";
                case 6: return "syscall";
                default: return "uname";
            }
        }

        public static unsafe int Cmp(SysName* a, SysName* b)
        {
            string x = Name(a->which);
            string y = Name(b->which);
            int n = x.Length < y.Length ? x.Length : y.Length;
            for (int i = 0; i < n; i++)
            {
                if (x[i] != y[i])
                {
                    return x[i] < y[i] ? -1 : 1;
                }
            }
            return x.Length - y.Length;
        }
    }

    /// <summary>An open file of `sys:`: its name (-1 for the listing), the bytes made at open, mode and seek.</summary>
    public struct Handle
    {
        public int path;
        public Vec<byte> data;
        public ushort mode;
        public ulong seek;
    }

    /// <summary>Byte-building helpers of the resources (what `format!` gives the original).</summary>
    public static class Res
    {
        public static void Str(ref Vec<byte> data, string s)
        {
            for (int i = 0; i < s.Length; i++)
            {
                data.Push((byte)s[i]);
            }
        }

        /// <summary>`{:>width}` of an unsigned number.</summary>
        public static unsafe void DecRight(ref Vec<byte> data, ulong value, int width)
        {
            byte* digits = stackalloc byte[20];
            int n = 0;
            do
            {
                digits[n++] = (byte)('0' + value % 10);
                value /= 10;
            } while (value != 0);
            for (int i = n; i < width; i++)
            {
                data.Push((byte)' ');
            }
            while (n > 0)
            {
                data.Push(digits[--n]);
            }
        }
    }

    /// <summary>
    /// scheme/sys/mod.rs: `sys:`, system information — context, cpu, exe, iostat, scheme,
    /// scheme_num, syscall, uname (64 bytes, as the original's; the boxed resource closures are
    /// zero-sized, so the map's values are which resource). A file's bytes are made when it is
    /// opened.
    /// </summary>
    public unsafe struct SysScheme
    {
        public OrdMap<SysName, ulong> files;
        public HandleMap<Handle> handles;

        public static SysScheme New()
        {
            SysScheme s;
            s.files = OrdMap<SysName, ulong>.New();
            for (int i = 0; i < 8; i++)
            {
                SysName k;
                k.which = i;
                s.files.Insert(k, (ulong)i, out _, out _);
            }
            s.handles = HandleMap<Handle>.New();
            return s;
        }

        private static Result Make(int which, ref Vec<byte> data)
        {
            switch (which)
            {
                case 0: return ContextResource.Resource(ref data);
                case 1: return CpuResource.Resource(ref data);
                case 2: return Exe.Resource(ref data);
                case 3: return IostatResource.Resource(ref data);
                case 4: return SchemeResource.Resource(ref data);
                case 5: return SchemeNum.Resource(ref data);
                case 6: return SyscallResource.Resource(ref data);
                case 7: return Uname.Resource(ref data);
                default: return Result.Err(Error.ENOSYS);
            }
        }

        /// <summary>
        /// `open(path)`: "" (after trimming '/') is the listing (names joined by '\n', MODE_DIR | 0o444);
        /// a file's name makes its bytes now (MODE_FILE | 0o444); ENOENT otherwise.
        /// </summary>
        public Result Open(byte* path, ulong path_len)
        {
            if (!initfs.Utf8.IsValid(path, path_len))
            {
                return Result.Err(Error.ENOENT);
            }
            ulong start = 0, end = path_len;
            while (start < end && path[start] == (byte)'/') start++;
            while (end > start && path[end - 1] == (byte)'/') end--;

            Handle h;
            h.seek = 0;
            if (start == end)
            {
                h.path = -1;
                h.data = Vec<byte>.New();
                for (ulong i = 0; i < files.Len(); i++)
                {
                    if (!h.data.IsEmpty())
                    {
                        h.data.Push((byte)'\n');
                    }
                    Res.Str(ref h.data, SysName.Name(files.At(i)->key.which));
                }
                h.mode = (ushort)(Flag.MODE_DIR | 0x124);
            }
            else
            {
                int found = -1;
                for (ulong i = 0; i < files.Len() && found < 0; i++)
                {
                    string name = SysName.Name(files.At(i)->key.which);
                    if ((ulong)name.Length != end - start) continue;
                    bool same = true;
                    for (int k = 0; k < name.Length; k++)
                    {
                        if ((byte)name[k] != path[start + (ulong)k]) { same = false; break; }
                    }
                    if (same) found = files.At(i)->key.which;
                }
                if (found < 0)
                {
                    return Result.Err(Error.ENOENT);
                }
                h.path = found;
                h.data = Vec<byte>.New();
                Result r = Make(found, ref h.data);
                if (!r.is_ok)
                {
                    h.data.Dispose();
                    return r;
                }
                h.mode = (ushort)(Flag.MODE_FILE | 0x124);
            }
            return Result.Ok(handles.Insert(h));
        }

        /// <summary>`dup`: a copy of the bytes, the seek position kept.</summary>
        public Result Dup(ulong id, ulong buf_len) => handles.Dup(id, buf_len, &CopyHandle);

        private static Handle CopyHandle(Handle* h)
        {
            Handle copy = *h;
            copy.data = Kernel.context.context.Context.ToVec(h->data.AsPtr(), h->data.Len());
            return copy;
        }

        public Result Read(ulong id, byte* buffer, ulong len)
        {
            using (var hs = handles.Write())
            {
                Handle* h = hs.Value.Get(new Usize(id));
                if (h == null)
                {
                    return Result.Err(Error.EBADF);
                }
                ulong i = 0;
                while (i < len && h->seek < h->data.Len())
                {
                    buffer[i] = h->data[h->seek];
                    i += 1;
                    h->seek += 1;
                }
                return Result.Ok(i);
            }
        }

        public Result Seek(ulong id, ulong pos, ulong whence)
        {
            using (var hs = handles.Write())
            {
                Handle* h = hs.Value.Get(new Usize(id));
                if (h == null)
                {
                    return Result.Err(Error.EBADF);
                }
                return HandleMap<Handle>.Seek(ref h->seek, (long)h->data.Len(), pos, whence);
            }
        }

        /// <summary>`fpath`: "sys:" then the file's name ("sys:" alone for the listing).</summary>
        public Result Fpath(ulong id, byte* buf, ulong len)
        {
            int path;
            using (var hs = handles.Read())
            {
                Handle* h = hs.Value.Get(new Usize(id));
                if (h == null)
                {
                    return Result.Err(Error.EBADF);
                }
                path = h->path;
            }
            return HandleMap<Handle>.Fpath(buf, len, "sys:", path < 0 ? "" : SysName.Name(path));
        }

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
                stat->st_size = h->data.Len();
                return Result.Ok(0);
            }
        }

        public Result Close(ulong id)
        {
            using (var hs = handles.Write())
            {
                if (!hs.Value.Remove(new Usize(id), out OrdMap<Usize, Handle>.Entry e))
                {
                    return Result.Err(Error.EBADF);
                }
                e.value.data.Dispose();
            }
            return Result.Ok(0);
        }
    }
}
