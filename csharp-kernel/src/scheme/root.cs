using alloc.arc;
using alloc.boxed;
using alloc.btree_map;
using core.cmp;
using Kernel.common;
using Kernel.context;
using Kernel.Hal;
using Kernel.scheme.user;
using spin;
using syscall.data;
using syscall.error;
using syscall.flag;
using AllocString = alloc.@string.String;
using Ctx = Kernel.context.context.Context;

namespace Kernel.scheme.root
{
    /// <summary>`FolderInner`: the listing's bytes and the read position (32 bytes).</summary>
    public unsafe struct FolderInner
    {
        public BoxSlice data;
        public Mutex<ulong> pos;

        /// <summary>`read(buf)`: from the position on, as much as fits.</summary>
        public Result Read(byte* buf, ulong len)
        {
            ulong i = 0;
            using (var pos = this.pos.Lock())
            {
                while (i < len && pos.Value < data.len)
                {
                    buf[i] = data.ptr[pos.Value];
                    i += 1;
                    pos.Value += 1;
                }
            }
            return Result.Ok(i);
        }
    }

    /// <summary>
    /// `Handle`: Scheme(Arc&lt;UserInner&gt;) — the server's end of a scheme it created —,
    /// File(Arc&lt;Box&lt;[u8]&gt;&gt;) — a name opened without O_CREAT — or Folder(Arc&lt;FolderInner&gt;) —
    /// the listing (16 bytes: the tag and the Arc).
    /// </summary>
    public unsafe struct Handle
    {
        public const ulong SCHEME = 0, FILE = 1, FOLDER = 2;

        public ulong tag;
        public void* arc;

        public readonly Arc<UserInner> Scheme { get { Arc<UserInner> a = default; *(void**)&a = arc; return a; } }
        public readonly Arc<BoxSlice> File { get { Arc<BoxSlice> a = default; *(void**)&a = arc; return a; } }
        public readonly Arc<FolderInner> Folder { get { Arc<FolderInner> a = default; *(void**)&a = arc; return a; } }

        /// <summary>`clone()`: one more owner of the Arc.</summary>
        public readonly Handle Clone()
        {
            switch (tag)
            {
                case SCHEME: Scheme.Clone(); break;
                case FILE: File.Clone(); break;
                default: Folder.Clone(); break;
            }
            return this;
        }

        /// <summary>Drop: one owner less; the last frees what the Arc holds.</summary>
        public readonly void Drop()
        {
            switch (tag)
            {
                case SCHEME:
                    UserScheme.DropInner(Scheme);
                    break;
                case FILE:
                    {
                        Arc<BoxSlice> f = File;
                        if (f.Release())
                        {
                            f.Value.Dispose();
                            f.Free();
                        }
                        break;
                    }
                default:
                    {
                        Arc<FolderInner> f = Folder;
                        if (f.Release())
                        {
                            f.Value.data.Dispose();
                            f.Free();
                        }
                        break;
                    }
            }
        }
    }

    /// <summary>
    /// scheme/root.rs: `:`, where processes create schemes (56 bytes, as the original's). `:name`
    /// with O_CREAT (uid 0 only) registers `name` in the namespace as a scheme served through the
    /// returned handle; `:` alone lists the caller's namespace; any other name opens a handle that
    /// only knows its path.
    /// </summary>
    public unsafe struct RootScheme
    {
        public SchemeNamespace scheme_ns;
        public SchemeId scheme_id;
        public ulong next_id;
        public RwLock<OrdMap<Usize, Handle>> handles;

        public static RootScheme New(SchemeNamespace scheme_ns, SchemeId scheme_id)
        {
            RootScheme s;
            s.scheme_ns = scheme_ns;
            s.scheme_id = scheme_id;
            s.next_id = 0;
            s.handles = new RwLock<OrdMap<Usize, Handle>>(OrdMap<Usize, Handle>.New());
            return s;
        }

        private ulong NextId()
        {
            fixed (ulong* p = &next_id)
            {
                return Atomic.FetchAdd(p, 1);
            }
        }

        private void InsertHandle(ulong id, Handle h)
        {
            using (var handles = this.handles.Write())
            {
                if (handles.Value.Insert(new Usize(id), h, out Handle old, out _))
                {
                    old.Drop();
                }
            }
        }

        /// <summary>A clone of the handle (false if there is none).</summary>
        private bool Get(ulong file, out Handle handle)
        {
            using (var handles = this.handles.Read())
            {
                Handle* h = handles.Value.Get(new Usize(file));
                if (h == null)
                {
                    handle = default;
                    return false;
                }
                handle = h->Clone();
                return true;
            }
        }

        /// <summary>
        /// `open(path, flags, uid)`: ENOENT for a path that is not UTF-8; the path trimmed of '/' on both
        /// ends. O_CREAT: EACCES unless uid 0; the scheme is inserted under the trimmed name (EEXIST if
        /// taken) and the handle serves it. No O_CREAT: an empty name lists the current context's
        /// namespace ("name\n" each, in name order); any other name is a File handle of that name.
        /// </summary>
        public Result Open(byte* path, ulong path_len, ulong flags, uint uid)
        {
            if (!initfs.Utf8.IsValid(path, path_len))
            {
                return Result.Err(Error.ENOENT);
            }
            ulong start = 0, end = path_len;
            while (start < end && path[start] == (byte)'/') start++;
            while (end > start && path[end - 1] == (byte)'/') end--;
            byte* trimmed = path + start;
            ulong trimmed_len = end - start;

            if ((flags & Flag.O_CREAT) == Flag.O_CREAT)
            {
                if (uid == 0)
                {
                    Weak<RwLock<Ctx>> context;
                    using (var contexts = ContextMod.Contexts())
                    {
                        var current = contexts.Value.Current();
                        if (current == null)
                        {
                            return Result.Err(Error.ESRCH);
                        }
                        context = current->Downgrade();
                    }

                    ulong id = NextId();

                    Arc<UserInner> inner;
                    {
                        BoxSlice path_box = BoxSlice.From(trimmed, trimmed_len);
                        using (var schemes = SchemeList.SchemesMut())
                        {
                            BoxSlice name_clone = BoxSlice.From(path_box.ptr, path_box.len);
                            inner = Arc<UserInner>.New(UserInner.New(scheme_id, id, name_clone, flags, context));
                            SchemeIdResult r = schemes.Value.Insert(scheme_ns, path_box, SchemeKind.User, inner);
                            if (!r.is_ok)
                            {
                                UserScheme.DropInner(inner);
                                return Result.Err(r.errno);
                            }
                        }
                    }

                    Handle h;
                    h.tag = Handle.SCHEME;
                    h.arc = inner.Inner;
                    InsertHandle(id, h);

                    return Result.Ok(id);
                }
                return Result.Err(Error.EACCES);
            }
            else if (trimmed_len == 0)
            {
                SchemeNamespace ns;
                using (var contexts = ContextMod.Contexts())
                {
                    var current = contexts.Value.Current();
                    if (current == null)
                    {
                        return Result.Err(Error.ESRCH);
                    }
                    using (var context = current->Value.Read())
                    {
                        ns = context.Value.ens;
                    }
                }

                // Vec::new(), extend_from_slice(name) and push(b'\n') for each name, as the original grows it
                AllocString data = AllocString.New();
                using (var schemes = SchemeList.Schemes())
                {
                    var names = schemes.Value.names.Get(ns);
                    if (names != null)
                    {
                        for (ulong i = 0; i < names->Len(); i++)
                        {
                            var e = names->At(i);
                            data.PushStr(e->key.ptr, e->key.len);
                            data.Push((byte)'\n');
                        }
                    }
                }

                FolderInner folder;
                folder.data = BoxSlice.FromVec(data.IntoBytes());
                folder.pos = new Mutex<ulong>(0);
                Arc<FolderInner> inner = Arc<FolderInner>.New(folder);

                ulong id = NextId();
                Handle h;
                h.tag = Handle.FOLDER;
                h.arc = inner.Inner;
                InsertHandle(id, h);
                return Result.Ok(id);
            }
            else
            {
                Arc<BoxSlice> inner = Arc<BoxSlice>.New(BoxSlice.From(trimmed, trimmed_len));

                ulong id = NextId();
                Handle h;
                h.tag = Handle.FILE;
                h.arc = inner.Inner;
                InsertHandle(id, h);
                return Result.Ok(id);
            }
        }

        /// <summary>`dup`: EINVAL with a buffer; a new id for a clone of the handle.</summary>
        public Result Dup(ulong file, ulong buf_len)
        {
            if (buf_len != 0)
            {
                return Result.Err(Error.EINVAL);
            }
            using (var handles = this.handles.Write())
            {
                Handle* h = handles.Value.Get(new Usize(file));
                if (h == null)
                {
                    return Result.Err(Error.EBADF);
                }
                Handle inner = h->Clone();
                ulong id = NextId();
                if (handles.Value.Insert(new Usize(id), inner, out Handle old, out _))
                {
                    old.Drop();
                }
                return Result.Ok(id);
            }
        }

        /// <summary>`read`: a Scheme handle reads the packets for the server; a Folder the listing; a File EBADF.</summary>
        public Result Read(ulong file, byte* buf, ulong len)
        {
            if (!Get(file, out Handle handle))
            {
                return Result.Err(Error.EBADF);
            }
            Result r;
            switch (handle.tag)
            {
                case Handle.SCHEME: r = handle.Scheme.Value.Read(buf, len); break;
                case Handle.FILE: r = Result.Err(Error.EBADF); break;
                default: r = handle.Folder.Value.Read(buf, len); break;
            }
            handle.Drop();
            return r;
        }

        /// <summary>`write`: a Scheme handle takes the server's answers; the others EBADF.</summary>
        public Result Write(ulong file, byte* buf, ulong len)
        {
            if (!Get(file, out Handle handle))
            {
                return Result.Err(Error.EBADF);
            }
            Result r = handle.tag == Handle.SCHEME ? handle.Scheme.Value.Write(buf, len) : Result.Err(Error.EBADF);
            handle.Drop();
            return r;
        }

        /// <summary>`fevent`: a Scheme handle's event id is its handle id; the others EBADF.</summary>
        public Result Fevent(ulong file, ulong flags)
        {
            if (!Get(file, out Handle handle))
            {
                return Result.Err(Error.EBADF);
            }
            Result r = handle.tag == Handle.SCHEME ? handle.Scheme.Value.Fevent() : Result.Err(Error.EBADF);
            handle.Drop();
            return r;
        }

        /// <summary>`fpath`: ":" then the scheme's or file's name (":" alone for the listing), cut to the buffer.</summary>
        public Result Fpath(ulong file, byte* buf, ulong len)
        {
            if (!Get(file, out Handle handle))
            {
                return Result.Err(Error.EBADF);
            }
            ulong i = SchemePath.Copy(buf, len, ":");
            switch (handle.tag)
            {
                case Handle.SCHEME:
                    i = SchemePath.AppendBytes(buf, len, i, handle.Scheme.Value.name.ptr, handle.Scheme.Value.name.len);
                    break;
                case Handle.FILE:
                    i = SchemePath.AppendBytes(buf, len, i, handle.File.Value.ptr, handle.File.Value.len);
                    break;
            }
            handle.Drop();
            return Result.Ok(i);
        }

        /// <summary>`fstat`: MODE_FILE size 0 for Scheme and File handles (no permission bits), MODE_DIR with the listing's size for the Folder.</summary>
        public Result Fstat(ulong file, Stat* stat)
        {
            if (!Get(file, out Handle handle))
            {
                return Result.Err(Error.EBADF);
            }
            if (handle.tag == Handle.FOLDER)
            {
                stat->st_mode = (ushort)Flag.MODE_DIR;
                stat->st_uid = 0;
                stat->st_gid = 0;
                stat->st_size = handle.Folder.Value.data.len;
            }
            else
            {
                stat->st_mode = (ushort)Flag.MODE_FILE;
                stat->st_uid = 0;
                stat->st_gid = 0;
                stat->st_size = 0;
            }
            handle.Drop();
            return Result.Ok(0);
        }

        /// <summary>`fsync`: 0 for a Scheme handle; the others EBADF.</summary>
        public Result Fsync(ulong file)
        {
            if (!Get(file, out Handle handle))
            {
                return Result.Err(Error.EBADF);
            }
            Result r = handle.tag == Handle.SCHEME ? UserInner.Fsync() : Result.Err(Error.EBADF);
            handle.Drop();
            return r;
        }

        /// <summary>`close`: the handle removed if there is one; always 0 (quirk kept: an unknown handle is not EBADF).</summary>
        public Result Close(ulong file)
        {
            bool found;
            OrdMap<Usize, Handle>.Entry e;
            using (var handles = this.handles.Write())
            {
                found = handles.Value.Remove(new Usize(file), out e);
            }
            if (found)
            {
                e.value.Drop();
            }
            return Result.Ok(0);
        }
    }
}
