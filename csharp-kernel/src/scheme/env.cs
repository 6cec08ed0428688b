using alloc.arc;
using alloc.boxed;
using alloc.btree_map;
using alloc.vec;
using core.cmp;
using Kernel.context;
using Kernel.context.context;
using spin;
using syscall.data;
using syscall.error;
using syscall.flag;

namespace Kernel.scheme.env
{
    /// <summary>An open env: file: the shared bytes (a variable's own value, or a listing made at open), its mode and seek position.</summary>
    public struct Handle
    {
        public Arc<Mutex<Vec<byte>>> data;
        public ushort mode;
        public ulong seek;
    }

    /// <summary>scheme/env.rs: `env:`, the current context's environment variables (40 bytes, as the original's).</summary>
    public unsafe struct EnvScheme
    {
        public HandleMap<Handle> handles;

        public static EnvScheme New()
        {
            EnvScheme s;
            s.handles = HandleMap<Handle>.New();
            return s;
        }

        private static bool CurrentEnv(out Arc<Mutex<OrdMap<BoxSlice, EnvValue>>> env)
        {
            env = default;
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    return false;
                }
                using (var context = context_lock->Value.Read())
                {
                    env = context.Value.env.Clone();
                    return true;
                }
            }
        }

        private static void DropEnv(Arc<Mutex<OrdMap<BoxSlice, EnvValue>>> env)
        {
            env.Release(); // never the last: the context holds one
        }

        private static void DropData(Arc<Mutex<Vec<byte>>> data)
        {
            if (data.Release())
            {
                data.Value.data.Dispose();
                data.Free();
            }
        }

        /// <summary>
        /// `open(path, flags)`: the path (UTF-8, '/' trimmed) names a variable — its value shared, or a
        /// new empty one with O_CREAT, else ENOENT; the empty path opens a listing "NAME=VALUE" lines
        /// joined by '\n' made now. Either is a MODE_FILE with no permission bits.
        /// </summary>
        public Result Open(byte* path, ulong path_len, ulong flags)
        {
            if (!initfs.Utf8.IsValid(path, path_len))
            {
                return Result.Err(Error.ENOENT);
            }
            ulong start = 0, end = path_len;
            while (start < end && path[start] == (byte)'/') start++;
            while (end > start && path[end - 1] == (byte)'/') end--;

            if (!CurrentEnv(out var env_lock))
            {
                return Result.Err(Error.ESRCH);
            }

            Arc<Mutex<Vec<byte>>> data;
            if (start == end)
            {
                Vec<byte> list = Vec<byte>.New();
                using (var env = env_lock.Value.Lock())
                {
                    for (ulong i = 0; i < env.Value.Len(); i++)
                    {
                        var entry = env.Value.At(i);
                        if (!list.IsEmpty())
                        {
                            list.Push((byte)'\n');
                        }
                        for (ulong k = 0; k < entry->key.len; k++) list.Push(entry->key.ptr[k]);
                        list.Push((byte)'=');
                        using (var value = entry->value.value.Value.Lock())
                        {
                            for (ulong k = 0; k < value.Value.Len(); k++) list.Push(value.Value[k]);
                        }
                    }
                }
                data = Arc<Mutex<Vec<byte>>>.New(new Mutex<Vec<byte>>(list));
            }
            else
            {
                using (var env = env_lock.Value.Lock())
                {
                    BoxSlice key;
                    key.ptr = path + start;
                    key.len = end - start;
                    EnvValue* found = env.Value.Get(key);
                    if (found != null)
                    {
                        data = found->value.Clone();
                    }
                    else if ((flags & Flag.O_CREAT) == Flag.O_CREAT)
                    {
                        BoxSlice name = BoxSlice.From(path + start, end - start);
                        EnvValue v;
                        v.value = Arc<Mutex<Vec<byte>>>.New(new Mutex<Vec<byte>>(Vec<byte>.New()));
                        env.Value.Insert(name, v, out _, out _);
                        data = v.value.Clone();
                    }
                    else
                    {
                        DropEnv(env_lock);
                        return Result.Err(Error.ENOENT);
                    }
                }
            }
            DropEnv(env_lock);

            Handle h;
            h.data = data;
            h.mode = Flag.MODE_FILE;
            h.seek = 0;
            return Result.Ok(handles.Insert(h));
        }

        /// <summary>`dup`: a copy of the handle — the same bytes, the seek position copied.</summary>
        public Result Dup(ulong id, ulong buf_len) => handles.Dup(id, buf_len, &CopyHandle);

        private static Handle CopyHandle(Handle* h)
        {
            Handle copy = *h;
            copy.data = h->data.Clone();
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
                using (var data = h->data.Value.Lock())
                {
                    ulong i = 0;
                    while (i < len && h->seek < data.Value.Len())
                    {
                        buffer[i] = data.Value[h->seek];
                        i += 1;
                        h->seek += 1;
                    }
                    return Result.Ok(i);
                }
            }
        }

        /// <summary>`write`: overwrites from the seek position, then appends the rest.</summary>
        public Result Write(ulong id, byte* buffer, ulong len)
        {
            using (var hs = handles.Write())
            {
                Handle* h = hs.Value.Get(new Usize(id));
                if (h == null)
                {
                    return Result.Err(Error.EBADF);
                }
                using (var data = h->data.Value.Lock())
                {
                    ulong i = 0;
                    while (i < len && h->seek < data.Value.Len())
                    {
                        data.Value[h->seek] = buffer[i];
                        i += 1;
                        h->seek += 1;
                    }
                    while (i < len)
                    {
                        data.Value.Push(buffer[i]);
                        i += 1;
                        h->seek += 1;
                    }
                    return Result.Ok(i);
                }
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
                long len;
                using (var data = h->data.Value.Lock())
                {
                    len = (long)data.Value.Len();
                }
                return HandleMap<Handle>.Seek(ref h->seek, len, pos, whence);
            }
        }

        public Result Fcntl(ulong id) => handles.Known(id) ? Result.Ok(0) : Result.Err(Error.EBADF);

        public Result Fsync(ulong id) => handles.Known(id) ? Result.Ok(0) : Result.Err(Error.EBADF);

        /// <summary>`fpath`: "env:" only (the original's TODO: the variable's name is not given).</summary>
        public Result Fpath(ulong id, byte* buf, ulong len)
        {
            if (!handles.Known(id))
            {
                return Result.Err(Error.EBADF);
            }
            return HandleMap<Handle>.Fpath(buf, len, "env:", "");
        }

        /// <summary>`fstat`: the mode and the size; uid, gid and the rest left as the caller's Stat had them.</summary>
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
                using (var data = h->data.Value.Lock())
                {
                    stat->st_size = data.Value.Len();
                }
                return Result.Ok(0);
            }
        }

        /// <summary>`ftruncate`: cut to len, or zero-filled up to it.</summary>
        public Result Ftruncate(ulong id, ulong len)
        {
            using (var hs = handles.Read())
            {
                Handle* h = hs.Value.Get(new Usize(id));
                if (h == null)
                {
                    return Result.Err(Error.EBADF);
                }
                using (var data = h->data.Value.Lock())
                {
                    if (len < data.Value.Len())
                    {
                        data.Value.Truncate(len);
                    }
                    else
                    {
                        while (len > data.Value.Len())
                        {
                            data.Value.Push(0);
                        }
                    }
                }
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
                DropData(e.value.data);
            }
            return Result.Ok(0);
        }

        /// <summary>`unlink(path)`: the variable removed (the path as given: no '/' trimmed, unlike open); ENOENT if none.</summary>
        public Result Unlink(byte* path, ulong path_len)
        {
            if (!CurrentEnv(out var env_lock))
            {
                return Result.Err(Error.ESRCH);
            }
            using (var env = env_lock.Value.Lock())
            {
                BoxSlice key;
                key.ptr = path;
                key.len = path_len;
                if (env.Value.Remove(key, out OrdMap<BoxSlice, EnvValue>.Entry e))
                {
                    e.key.Dispose();
                    DropData(e.value.value);
                    DropEnv(env_lock);
                    return Result.Ok(0);
                }
            }
            DropEnv(env_lock);
            return Result.Err(Error.ENOENT);
        }
    }
}
