using core.fmt;
using alloc.allocator;
using alloc.arc;
using alloc.boxed;
using alloc.btree_map;
using core.cmp;
using Kernel.common;
using spin;
using syscall.data;
using syscall.error;
using syscall.number;
using AllocHeap = alloc.heap.Heap;

namespace Kernel.scheme
{
    /// <summary>Which scheme a `Box&lt;dyn Scheme&gt;` holds (the port's stand-in for the vtable pointer).</summary>
    public enum SchemeKind : ulong
    {
        Root = 1, Event, Env, Memory, Sys, Time, Debug, InitFs, Irq, Pipe, User,
#if FEATURE_LIVE
        Live,
#endif
    }

    /// <summary>`Box&lt;dyn Scheme + Send + Sync&gt;`: the scheme's data and (for the vtable) its kind; 16 bytes.</summary>
    public unsafe struct SchemeBox
    {
        public void* data;
        public SchemeKind kind;
    }

    /// <summary>
    /// scheme/mod.rs `SchemeList`: schemes by id (`Arc&lt;Box&lt;dyn Scheme&gt;&gt;`) and, for each
    /// namespace, names → ids; 64 bytes as the original's.
    /// </summary>
    public unsafe struct SchemeList
    {
        public OrdMap<SchemeId, SchemeRef> map;
        public OrdMap<SchemeNamespace, OrdMap<BoxSlice, SchemeId>> names;
        public ulong next_ns;
        public ulong next_id;

        /// <summary>Limit on number of schemes</summary>
        public const ulong SCHEME_MAX_SCHEMES = 65_536;

        /// <summary>`SchemeList::new()`: namespace 1 (the root), with every kernel scheme.</summary>
        public static SchemeList New()
        {
            SchemeList list;
            list.map = OrdMap<SchemeId, SchemeRef>.New();
            list.names = OrdMap<SchemeNamespace, OrdMap<BoxSlice, SchemeId>>.New();
            list.next_ns = 1;
            list.next_id = 1;
            list.NewRoot();
            return list;
        }

        /// <summary>`new_ns`: a namespace with root, event, env, memory, sys and time.</summary>
        public SchemeNamespace NewNs()
        {
            SchemeNamespace ns = SchemeNamespace.From(next_ns);
            next_ns += 1;
            names.Insert(ns, OrdMap<BoxSlice, SchemeId>.New(), out _, out _);

            Unwrap(Insert(ns, Name(""), SchemeKind.Root));
            Unwrap(Insert(ns, Name("event"), SchemeKind.Event));
            Unwrap(Insert(ns, Name("env"), SchemeKind.Env));
            Unwrap(Insert(ns, Name("memory"), SchemeKind.Memory));
            Unwrap(Insert(ns, Name("sys"), SchemeKind.Sys));
            Unwrap(Insert(ns, Name("time"), SchemeKind.Time));

            return ns;
        }

        /// <summary>`new_root`: debug, initfs, irq and pipe only here; with the `live` feature `disk/live` after debug.</summary>
        private void NewRoot()
        {
            SchemeNamespace ns = NewNs();
            Unwrap(Insert(ns, Name("debug"), SchemeKind.Debug));
#if FEATURE_LIVE
            Unwrap(Insert(ns, Name("disk/live"), SchemeKind.Live));
#endif
#if MUTATION_SYS_SCHEME_LIST_ORDER
            Unwrap(Insert(ns, Name("irq"), SchemeKind.Irq)); Unwrap(Insert(ns, Name("initfs"), SchemeKind.InitFs)); // NOT the original: irq registered before initfs, so their ids swap (make mutants)
#else
            Unwrap(Insert(ns, Name("initfs"), SchemeKind.InitFs));
            Unwrap(Insert(ns, Name("irq"), SchemeKind.Irq));
#endif
            Unwrap(Insert(ns, Name("pipe"), SchemeKind.Pipe));
        }

        /// <summary>
        /// `make_ns(from, names)`: a new namespace (with its own root, event, env, memory, sys and time),
        /// then each name's scheme of <paramref name="from"/> added under the same name; ENODEV for a
        /// name <paramref name="from"/> lacks (the new namespace stays, half filled). Quirk kept (MKNS1): a
        /// name the new namespace has already (one of the six, or a name given twice) fails the assertion.
        /// </summary>
        public SchemeNamespaceResult MakeNs(SchemeNamespace from, Slice* names, ulong count)
        {
            SchemeNamespace to = NewNs();

            for (ulong i = 0; i < count; i++)
            {
                if (!GetName(from, names[i].ptr, names[i].len, out SchemeId id, out _))
                {
                    return SchemeNamespaceResult.Err(Error.ENODEV);
                }

                OrdMap<BoxSlice, SchemeId>* to_names = this.names.Get(to);
                if (to_names != null)
                {
                    if (!to_names->InsertNew(BoxSlice.From(names[i].ptr, names[i].len), id))
                    {
                        Panic.Fail("assertion failed: names.insert(name.to_vec().into_boxed_slice(), id).is_none()", "src/scheme/mod.rs", 170);
                    }
                }
                else
                {
                    Panic.Fail("scheme namespace not found", "src/scheme/mod.rs", 172);
                }
            }

            return SchemeNamespaceResult.Ok(to);
        }

        /// <summary>`Box::new(*b"name")` as a `Box&lt;[u8]&gt;` (an empty name allocates nothing).</summary>
        private static BoxSlice Name(string s)
        {
            BoxSlice b = BoxSlice.Alloc((ulong)s.Length, 1);
            for (int i = 0; i < s.Length; i++)
            {
                b.ptr[i] = (byte)s[i];
            }
            return b;
        }

        private static void Unwrap(SchemeIdResult r)
        {
            if (!r.is_ok)
            {
                var w = Panic.Begin();
                w.Str("called `Result::unwrap()` on an `Err` value: ");
                w.Str(Error.Text(r.errno));
                Panic.End(w, "src/scheme/mod.rs", 118);
            }
        }

        /// <summary>`get(id)`.</summary>
        public readonly SchemeRef* Get(SchemeId id) => map.Get(id);

        /// <summary>`get_name(ns, name)`: the id and the scheme.</summary>
        public readonly bool GetName(SchemeNamespace ns, byte* name, ulong name_len, out SchemeId id, out SchemeRef scheme)
        {
            OrdMap<BoxSlice, SchemeId>* ns_names = names.Get(ns);
            if (ns_names != null)
            {
                BoxSlice key;
                key.ptr = name;
                key.len = name_len;
                SchemeId* found = ns_names->Get(key);
                if (found != null)
                {
                    SchemeRef* s = Get(*found);
                    if (s != null)
                    {
                        id = *found;
                        scheme = *s;
                        return true;
                    }
                }
            }
            id = default;
            scheme = default;
            return false;
        }

        /// <summary>`insert(ns, name, scheme_fn)`: a new id (the next free one), the scheme made for it, and its name.</summary>
        public SchemeIdResult Insert(SchemeNamespace ns, BoxSlice name, SchemeKind kind, Arc<user.UserInner> user_inner = default)
        {
            OrdMap<BoxSlice, SchemeId>* ns_names = names.Get(ns);
            if (ns_names != null && ns_names->ContainsKey(name))
            {
                name.Dispose();
                return SchemeIdResult.Err(Error.EEXIST);
            }

            if (next_id >= SCHEME_MAX_SCHEMES)
            {
                next_id = 1;
            }

            while (map.ContainsKey(SchemeId.From(next_id)))
            {
                next_id += 1;
            }

            SchemeId id = SchemeId.From(next_id);
            next_id += 1;

            SchemeRef scheme = Make(ns, id, kind, user_inner);

            if (!map.InsertNew(id, scheme))
            {
                Panic.Fail("assertion failed: self.map.insert(id, scheme).is_none()", "src/scheme/mod.rs", 232);
            }
            ns_names = names.Get(ns);
            if (ns_names != null)
            {
                if (!ns_names->InsertNew(name, id))
                {
                    Panic.Fail("assertion failed: names.insert(name, id).is_none()", "src/scheme/mod.rs", 234);
                }
            }
            else
            {
                return SchemeIdResult.Err(Error.ENODEV);
            }
            return SchemeIdResult.Ok(id);
        }

        /// <summary>The `scheme_fn` closures of new_ns/new_root: `Arc::new(Box::new(X::new(..)))`.</summary>
        private static SchemeRef Make(SchemeNamespace ns, SchemeId id, SchemeKind kind, Arc<user.UserInner> user_inner)
        {
            void* data;
            switch (kind)
            {
                case SchemeKind.Root: data = BoxNew(root.RootScheme.New(ns, id)); break;
                case SchemeKind.Event: data = BoxNew(@event.EventScheme.New()); break;
                case SchemeKind.Env: data = BoxNew(env.EnvScheme.New()); break;
                case SchemeKind.Memory: data = (void*)1; break; // MemoryScheme is zero-sized: no allocation
                case SchemeKind.Sys: data = BoxNew(sys.SysScheme.New()); break;
                case SchemeKind.Time: data = BoxNew(time.TimeScheme.New(id)); break;
                case SchemeKind.Debug: data = BoxNew(debug.DebugScheme.New(id)); break;
                case SchemeKind.InitFs: data = BoxNew(initfs.InitFsScheme.New()); break;
                case SchemeKind.Irq: irq.IrqScheme.New(id); data = (void*)1; break; // zero-sized
                case SchemeKind.Pipe: pipe.PipeScheme.New(id); data = (void*)1; break; // zero-sized
#if FEATURE_LIVE
                case SchemeKind.Live: data = BoxNew(live.DiskScheme.New()); break;
#endif
                case SchemeKind.User: // root.rs's closure: the inner learns its id, the list holds it weakly
                    user_inner.Value.scheme_id = id;
                    data = BoxNew(user.UserScheme.New(user_inner.Downgrade()));
                    break;
                default: data = null; break;
            }
            SchemeBox b;
            b.data = data;
            b.kind = kind;
            return SchemeRef.New(b);
        }

        /// <summary>`Box::new(value)`.</summary>
        private static T* BoxNew<T>(T value) where T : unmanaged
        {
            AllocResult res = AllocHeap.Alloc(Layout.New<T>());
            if (!res.is_ok)
            {
                AllocHeap.Oom(res.err);
            }
            *(T*)res.ok = value;
            return (T*)res.ok;
        }

        // ---- The global list (SCHEMES: Once<RwLock<SchemeList>>)

        private static RwLock<SchemeList> SCHEMES;
        private static Once SCHEMES_INIT;

        private static RwLock<SchemeList>* CallOnce()
        {
            if (SCHEMES_INIT.Begin())
            {
                SCHEMES = new RwLock<SchemeList>(New());
                SCHEMES_INIT.Complete();
            }
            fixed (RwLock<SchemeList>* p = &SCHEMES)
            {
                return p;
            }
        }

        /// <summary>`schemes()`: the global list, shared.</summary>
        public static RwLockGuard<SchemeList> Schemes() => RwLockExt.Read(ref *CallOnce());

        /// <summary>`schemes_mut()`: the global list, exclusive.</summary>
        public static RwLockGuard<SchemeList> SchemesMut() => RwLockExt.Write(ref *CallOnce());
    }

    /// <summary>`Arc&lt;Box&lt;dyn Scheme + Send + Sync&gt;&gt;` (an ArcInner of 32 bytes, as the original's).</summary>
    public unsafe struct SchemeRef
    {
        public Arc<SchemeBox> arc;

        public static SchemeRef New(SchemeBox b)
        {
            SchemeRef r;
            r.arc = Arc<SchemeBox>.New(b);
            return r;
        }

        public readonly SchemeKind Kind => arc.Value.kind;

        public readonly void* Data => arc.Value.data;
    }

    /// <summary>A borrowed byte slice (`&amp;[u8]`).</summary>
    public unsafe struct Slice
    {
        public byte* ptr;
        public ulong len;
    }

    /// <summary>`Result&lt;SchemeNamespace&gt;`.</summary>
    public struct SchemeNamespaceResult
    {
        public bool is_ok;
        public SchemeNamespace ok;
        public int errno;

        public static SchemeNamespaceResult Ok(SchemeNamespace ns) { SchemeNamespaceResult r; r.is_ok = true; r.ok = ns; r.errno = 0; return r; }
        public static SchemeNamespaceResult Err(int errno) { SchemeNamespaceResult r; r.is_ok = false; r.ok = default; r.errno = errno; return r; }
    }

    /// <summary>`Result&lt;SchemeId&gt;`.</summary>
    public struct SchemeIdResult
    {
        public bool is_ok;
        public SchemeId ok;
        public int errno;

        public static SchemeIdResult Ok(SchemeId id) { SchemeIdResult r; r.is_ok = true; r.ok = id; r.errno = 0; return r; }
        public static SchemeIdResult Err(int errno) { SchemeIdResult r; r.is_ok = false; r.ok = default; r.errno = errno; return r; }
    }

    /// <summary>
    /// The `Scheme` trait (syscall crate, scheme.rs) dispatched on a scheme's kind: each operation goes
    /// to the scheme's own method, or is the trait's default (open, chmod, rmdir, unlink: ENOENT;
    /// the file operations: EBADF) where the scheme has none.
    /// </summary>
    public static unsafe class Dispatch
    {
        private static debug.DebugScheme* Debug(SchemeRef s) => (debug.DebugScheme*)s.Data;
        private static initfs.InitFsScheme* InitFs(SchemeRef s) => (initfs.InitFsScheme*)s.Data;
        private static env.EnvScheme* Env(SchemeRef s) => (env.EnvScheme*)s.Data;
        private static sys.SysScheme* Sys(SchemeRef s) => (sys.SysScheme*)s.Data;
        private static root.RootScheme* Root(SchemeRef s) => (root.RootScheme*)s.Data;
        private static @event.EventScheme* Event(SchemeRef s) => (@event.EventScheme*)s.Data;
        private static time.TimeScheme* Time(SchemeRef s) => (time.TimeScheme*)s.Data;
        private static user.UserScheme* User(SchemeRef s) => (user.UserScheme*)s.Data;
#if FEATURE_LIVE
        private static live.DiskScheme* Live(SchemeRef s) => (live.DiskScheme*)s.Data;
#endif

        public static Result Open(SchemeRef s, byte* path, ulong path_len, ulong flags, uint uid, uint gid)
        {
            switch (s.Kind)
            {
                case SchemeKind.Debug: return Debug(s)->Open(path, path_len, flags, uid, gid);
                case SchemeKind.InitFs: return InitFs(s)->Open(path, path_len, flags, uid, gid);
#if FEATURE_LIVE
                case SchemeKind.Live: return Live(s)->Open(path, path_len, flags, uid, gid);
#endif
                case SchemeKind.Env: return Env(s)->Open(path, path_len, flags);
                case SchemeKind.Sys: return Sys(s)->Open(path, path_len);
                case SchemeKind.Root: return Root(s)->Open(path, path_len, flags, uid);
                case SchemeKind.Event: return Event(s)->Open(path, path_len, flags, uid, gid);
                case SchemeKind.Time: return Time(s)->Open(path, path_len);
                case SchemeKind.Irq: return irq.IrqScheme.Open(path, path_len, uid);
                case SchemeKind.Memory: return memory.MemoryScheme.Open();
                case SchemeKind.User: return User(s)->Open(path, path_len, flags);
                default: return Result.Err(Error.ENOENT);
            }
        }

        public static Result Chmod(SchemeRef s, byte* path, ulong path_len, ushort mode, uint uid, uint gid)
        {
            switch (s.Kind)
            {
                case SchemeKind.User: return User(s)->Chmod(path, path_len, mode);
                default: return Result.Err(Error.ENOENT);
            }
        }

        public static Result Rmdir(SchemeRef s, byte* path, ulong path_len, uint uid, uint gid)
        {
            switch (s.Kind)
            {
                case SchemeKind.User: return User(s)->Rmdir(path, path_len);
                default: return Result.Err(Error.ENOENT);
            }
        }

        public static Result Unlink(SchemeRef s, byte* path, ulong path_len, uint uid, uint gid)
        {
            switch (s.Kind)
            {
                case SchemeKind.Env: return Env(s)->Unlink(path, path_len);
                case SchemeKind.User: return User(s)->Unlink(path, path_len);
                default: return Result.Err(Error.ENOENT);
            }
        }

        public static Result Dup(SchemeRef s, ulong id, byte* buf, ulong len)
        {
            switch (s.Kind)
            {
                case SchemeKind.Debug: return Debug(s)->Dup(id, len);
                case SchemeKind.InitFs: return InitFs(s)->Dup(id, len);
#if FEATURE_LIVE
                case SchemeKind.Live: return Live(s)->Dup(id, len);
#endif
                case SchemeKind.Pipe: return pipe.PipeScheme.Dup(id, len);
                case SchemeKind.Env: return Env(s)->Dup(id, len);
                case SchemeKind.Sys: return Sys(s)->Dup(id, len);
                case SchemeKind.Root: return Root(s)->Dup(id, len);
                case SchemeKind.Event: return Event(s)->Dup(id, len);
                case SchemeKind.Time: return Time(s)->Dup(id, len);
                case SchemeKind.Irq: return irq.IrqScheme.Dup(id, len);
                case SchemeKind.User: return User(s)->Dup(id, buf, len);
                default: return Result.Err(Error.EBADF);
            }
        }

        public static Result Read(SchemeRef s, ulong id, byte* buf, ulong len)
        {
            switch (s.Kind)
            {
                case SchemeKind.Debug: return Debug(s)->Read(id, buf, len);
                case SchemeKind.InitFs: return InitFs(s)->Read(id, buf, len);
#if FEATURE_LIVE
                case SchemeKind.Live: return Live(s)->Read(id, buf, len);
#endif
                case SchemeKind.Pipe: return pipe.PipeScheme.Read(id, buf, len);
                case SchemeKind.Env: return Env(s)->Read(id, buf, len);
                case SchemeKind.Sys: return Sys(s)->Read(id, buf, len);
                case SchemeKind.Root: return Root(s)->Read(id, buf, len);
                case SchemeKind.Event: return Event(s)->Read(id, buf, len);
                case SchemeKind.Time: return Time(s)->Read(id, buf, len);
                case SchemeKind.Irq: return irq.IrqScheme.Read(id, buf, len);
                case SchemeKind.User: return User(s)->Read(id, buf, len);
                default: return Result.Err(Error.EBADF);
            }
        }

        public static Result Write(SchemeRef s, ulong id, byte* buf, ulong len)
        {
            switch (s.Kind)
            {
                case SchemeKind.Debug: return Debug(s)->Write(id, buf, len);
                case SchemeKind.Pipe: return pipe.PipeScheme.Write(id, buf, len);
                case SchemeKind.Env: return Env(s)->Write(id, buf, len);
#if FEATURE_LIVE
                case SchemeKind.Live: return Live(s)->Write(id, buf, len);
#endif
                case SchemeKind.Root: return Root(s)->Write(id, buf, len);
                case SchemeKind.Time: return Time(s)->Write(id, buf, len);
                case SchemeKind.Irq: return irq.IrqScheme.Write(id, buf, len);
                case SchemeKind.User: return User(s)->Write(id, buf, len);
                default: return Result.Err(Error.EBADF);
            }
        }

        public static Result Seek(SchemeRef s, ulong id, ulong pos, ulong whence)
        {
            switch (s.Kind)
            {
                case SchemeKind.InitFs: return InitFs(s)->Seek(id, pos, whence);
#if FEATURE_LIVE
                case SchemeKind.Live: return Live(s)->Seek(id, pos, whence);
#endif
                case SchemeKind.Pipe: return Result.Err(Error.ESPIPE);
                case SchemeKind.Env: return Env(s)->Seek(id, pos, whence);
                case SchemeKind.Sys: return Sys(s)->Seek(id, pos, whence);
                case SchemeKind.User: return User(s)->Seek(id, pos, whence);
                default: return Result.Err(Error.EBADF);
            }
        }

        public static Result Fchmod(SchemeRef s, ulong id, ushort mode)
        {
            switch (s.Kind)
            {
                case SchemeKind.User: return User(s)->Fchmod(id, mode);
                default: return Result.Err(Error.EBADF);
            }
        }

        public static Result Fchown(SchemeRef s, ulong id, uint uid, uint gid)
        {
            switch (s.Kind)
            {
                case SchemeKind.User: return User(s)->Fchown(id, uid, gid);
                default: return Result.Err(Error.EBADF);
            }
        }

        public static Result Fcntl(SchemeRef s, ulong id, ulong cmd, ulong arg)
        {
            switch (s.Kind)
            {
                case SchemeKind.Debug: return Debug(s)->Fcntl(id, cmd, arg);
                case SchemeKind.InitFs: return InitFs(s)->Fcntl(id, cmd, arg);
#if FEATURE_LIVE
                case SchemeKind.Live: return Live(s)->Fcntl(id, cmd, arg);
#endif
                case SchemeKind.Pipe: return pipe.PipeScheme.Fcntl(id, cmd, arg);
                case SchemeKind.Env: return Env(s)->Fcntl(id);
                case SchemeKind.Event: return Event(s)->Fcntl(id);
                case SchemeKind.Time: return Result.Ok(0);
                case SchemeKind.Irq: return Result.Ok(0);
                case SchemeKind.Memory: return memory.MemoryScheme.Fcntl();
                case SchemeKind.User: return User(s)->Fcntl(id, cmd, arg);
                default: return Result.Err(Error.EBADF);
            }
        }

        public static Result Fevent(SchemeRef s, ulong id, ulong flags)
        {
            switch (s.Kind)
            {
                case SchemeKind.Debug: return Debug(s)->Fevent(id, flags);
                case SchemeKind.Pipe: return pipe.PipeScheme.Fevent(id, flags);
                case SchemeKind.Root: return Root(s)->Fevent(id, flags);
                case SchemeKind.Time: return Time(s)->Fevent(id);
                case SchemeKind.Irq: return irq.IrqScheme.Fevent(id);
                case SchemeKind.User: return User(s)->Fevent(id, flags);
                default: return Result.Err(Error.EBADF);
            }
        }

        public static Result Fmap(SchemeRef s, ulong id, ulong offset, ulong size)
        {
            switch (s.Kind)
            {
                case SchemeKind.User: return User(s)->Fmap(id, offset, size);
                default: return Result.Err(Error.EBADF);
            }
        }

        public static Result Fpath(SchemeRef s, ulong id, byte* buf, ulong len)
        {
            switch (s.Kind)
            {
                case SchemeKind.Debug: return Debug(s)->Fpath(id, buf, len);
                case SchemeKind.InitFs: return InitFs(s)->Fpath(id, buf, len);
#if FEATURE_LIVE
                case SchemeKind.Live: return Live(s)->Fpath(id, buf, len);
#endif
                case SchemeKind.Pipe: return pipe.PipeScheme.Fpath(id, buf, len);
                case SchemeKind.Env: return Env(s)->Fpath(id, buf, len);
                case SchemeKind.Sys: return Sys(s)->Fpath(id, buf, len);
                case SchemeKind.Root: return Root(s)->Fpath(id, buf, len);
                case SchemeKind.Event: return @event.EventScheme.Fpath(buf, len);
                case SchemeKind.Time: return Time(s)->Fpath(id, buf, len);
                case SchemeKind.Irq: return irq.IrqScheme.Fpath(id, buf, len);
                case SchemeKind.Memory: return memory.MemoryScheme.Fpath(buf, len);
                case SchemeKind.User: return User(s)->Fpath(id, buf, len);
                default: return Result.Err(Error.EBADF);
            }
        }

        public static Result Frename(SchemeRef s, ulong id, byte* path, ulong path_len, uint uid, uint gid)
        {
            switch (s.Kind)
            {
                case SchemeKind.User: return User(s)->Frename(id, path, path_len);
                default: return Result.Err(Error.EBADF);
            }
        }

        public static Result Fstat(SchemeRef s, ulong id, Stat* stat)
        {
            switch (s.Kind)
            {
                case SchemeKind.InitFs: return InitFs(s)->Fstat(id, stat);
#if FEATURE_LIVE
                case SchemeKind.Live: return Live(s)->Fstat(id, stat);
#endif
                case SchemeKind.Pipe: return pipe.PipeScheme.Fstat(id, stat);
                case SchemeKind.Env: return Env(s)->Fstat(id, stat);
                case SchemeKind.Sys: return Sys(s)->Fstat(id, stat);
                case SchemeKind.Root: return Root(s)->Fstat(id, stat);
                case SchemeKind.User: return User(s)->Fstat(id, stat);
                default: return Result.Err(Error.EBADF);
            }
        }

        public static Result Fstatvfs(SchemeRef s, ulong id, StatVfs* stat)
        {
            switch (s.Kind)
            {
                case SchemeKind.Memory: return memory.MemoryScheme.Fstatvfs(stat);
                case SchemeKind.User: return User(s)->Fstatvfs(id, stat);
                default: return Result.Err(Error.EBADF);
            }
        }

        public static Result Fsync(SchemeRef s, ulong id)
        {
            switch (s.Kind)
            {
                case SchemeKind.Debug: return Debug(s)->Fsync(id);
                case SchemeKind.InitFs: return InitFs(s)->Fsync(id);
#if FEATURE_LIVE
                case SchemeKind.Live: return Live(s)->Fsync(id);
#endif
                case SchemeKind.Pipe: return Result.Ok(0);
                case SchemeKind.Env: return Env(s)->Fsync(id);
                case SchemeKind.Sys: return Result.Ok(0);
                case SchemeKind.Root: return Root(s)->Fsync(id);
                case SchemeKind.Event: return Event(s)->Fsync(id);
                case SchemeKind.Time: return Time(s)->Fsync(id);
                case SchemeKind.Irq: return Result.Ok(0);
                case SchemeKind.User: return User(s)->Fsync(id);
                default: return Result.Err(Error.EBADF);
            }
        }

        public static Result Ftruncate(SchemeRef s, ulong id, ulong len)
        {
            switch (s.Kind)
            {
                case SchemeKind.Env: return Env(s)->Ftruncate(id, len);
                case SchemeKind.User: return User(s)->Ftruncate(id, len);
                default: return Result.Err(Error.EBADF);
            }
        }

        public static Result Futimens(SchemeRef s, ulong id, TimeSpec* times, ulong count)
        {
            switch (s.Kind)
            {
                case SchemeKind.User: return User(s)->Futimens(id, times, count);
                default: return Result.Err(Error.EBADF);
            }
        }

        public static Result Close(SchemeRef s, ulong id)
        {
            switch (s.Kind)
            {
                case SchemeKind.Debug: return Debug(s)->Close(id);
                case SchemeKind.InitFs: return InitFs(s)->Close(id);
#if FEATURE_LIVE
                case SchemeKind.Live: return Live(s)->Close(id);
#endif
                case SchemeKind.Pipe: return pipe.PipeScheme.Close(id);
                case SchemeKind.Env: return Env(s)->Close(id);
                case SchemeKind.Sys: return Sys(s)->Close(id);
                case SchemeKind.Root: return Root(s)->Close(id);
                case SchemeKind.Event: return Event(s)->Close(id);
                case SchemeKind.Time: return Time(s)->Close(id);
                case SchemeKind.Irq: return Result.Ok(0);
                case SchemeKind.Memory: return memory.MemoryScheme.Close();
                case SchemeKind.User: return User(s)->Close(id);
                default: return Result.Err(Error.EBADF);
            }
        }

        /// <summary>`Scheme::handle(&amp;mut packet)`: the packet's a is the call number; the result goes back into a.</summary>
        public static void Handle(SchemeRef s, Packet* packet)
        {
            Result r;
            switch (packet->a)
            {
                case Number.SYS_OPEN: r = Open(s, (byte*)packet->b, packet->c, packet->d, packet->uid, packet->gid); break;
                case Number.SYS_CHMOD: r = Chmod(s, (byte*)packet->b, packet->c, (ushort)packet->d, packet->uid, packet->gid); break;
                case Number.SYS_RMDIR: r = Rmdir(s, (byte*)packet->b, packet->c, packet->uid, packet->gid); break;
                case Number.SYS_UNLINK: r = Unlink(s, (byte*)packet->b, packet->c, packet->uid, packet->gid); break;
                case Number.SYS_DUP: r = Dup(s, packet->b, (byte*)packet->c, packet->d); break;
                case Number.SYS_READ: r = Read(s, packet->b, (byte*)packet->c, packet->d); break;
                case Number.SYS_WRITE: r = Write(s, packet->b, (byte*)packet->c, packet->d); break;
                case Number.SYS_LSEEK: r = Seek(s, packet->b, packet->c, packet->d); break;
                case Number.SYS_FCHMOD: r = Fchmod(s, packet->b, (ushort)packet->c); break;
                case Number.SYS_FCHOWN: r = Fchown(s, packet->b, (uint)packet->c, (uint)packet->d); break;
                case Number.SYS_FCNTL: r = Fcntl(s, packet->b, packet->c, packet->d); break;
                case Number.SYS_FEVENT: r = Fevent(s, packet->b, packet->c); break;
                case Number.SYS_FMAP: r = Fmap(s, packet->b, packet->c, packet->d); break;
                case Number.SYS_FPATH: r = Fpath(s, packet->b, (byte*)packet->c, packet->d); break;
                case Number.SYS_FRENAME: r = Frename(s, packet->b, (byte*)packet->c, packet->d, packet->uid, packet->gid); break;
                case Number.SYS_FSTAT:
                    r = packet->d >= (ulong)sizeof(Stat) ? Fstat(s, packet->b, (Stat*)packet->c) : Result.Err(Error.EFAULT);
                    break;
                case Number.SYS_FSTATVFS:
                    r = packet->d >= (ulong)sizeof(StatVfs) ? Fstatvfs(s, packet->b, (StatVfs*)packet->c) : Result.Err(Error.EFAULT);
                    break;
                case Number.SYS_FSYNC: r = Fsync(s, packet->b); break;
                case Number.SYS_FTRUNCATE: r = Ftruncate(s, packet->b, packet->c); break;
                case Number.SYS_FUTIMENS:
                    r = packet->d >= (ulong)sizeof(TimeSpec)
                        ? Futimens(s, packet->b, (TimeSpec*)packet->c, packet->d / (ulong)sizeof(TimeSpec))
                        : Result.Err(Error.EFAULT);
                    break;
                case Number.SYS_CLOSE: r = Close(s, packet->b); break;
                default: r = Result.Err(Error.ENOSYS); break;
            }
            packet->a = Error.Mux(r);
        }
    }

    /// <summary>The schemes' `fpath` loop: `while i &lt; buf.len() &amp;&amp; i &lt; scheme_path.len() { buf[i] = scheme_path[i]; i += 1 }`.</summary>
    public static unsafe class SchemePath
    {
        public static ulong Copy(byte* buf, ulong len, string scheme_path) => Append(buf, len, 0, scheme_path);

        /// <summary>The same loop continued from i (a second part after the scheme's name).</summary>
        public static ulong Append(byte* buf, ulong len, ulong i, string part)
        {
            int j = 0;
            while (i < len && j < part.Length)
            {
                buf[i] = (byte)part[j];
                i += 1;
                j += 1;
            }
            return i;
        }

        public static ulong AppendBytes(byte* buf, ulong len, ulong i, byte* part, ulong part_len)
        {
            ulong j = 0;
            while (i < len && j < part_len)
            {
                buf[i] = part[j];
                i += 1;
                j += 1;
            }
            return i;
        }
    }

    /// <summary>
    /// Port helper (no type of the original): the handle table that env.rs, initfs.rs and sys/mod.rs
    /// each declare, `next_id: AtomicUsize` then `handles: RwLock&lt;BTreeMap&lt;usize, Handle&gt;&gt;`
    /// (40 bytes; the map allocates nothing until the first insert), with the calls all three make.
    /// </summary>
    public unsafe struct HandleMap<H> where H : unmanaged
    {
        public ulong next_id;
        public RwLock<OrdMap<Usize, H>> handles;

        public static HandleMap<H> New()
        {
            HandleMap<H> m;
            m.next_id = 0;
            m.handles = new RwLock<OrdMap<Usize, H>>(OrdMap<Usize, H>.New());
            return m;
        }

        /// <summary>`self.next_id.fetch_add(1, Ordering::SeqCst)`.</summary>
        public ulong NextId()
        {
            fixed (ulong* p = &next_id)
            {
                return Kernel.Hal.Atomic.FetchAdd(p, 1);
            }
        }

        /// <summary>`let id = self.next_id.fetch_add(1); self.handles.write().insert(id, handle); id`.</summary>
        public ulong Insert(H handle)
        {
            ulong id = NextId();
            using (var hs = handles.Write())
            {
                hs.Value.Insert(new Usize(id), handle, out _, out _);
            }
            return id;
        }

        /// <summary>`self.handles.read().get(&amp;id).ok_or(Error::new(EBADF))?` for a call that needs nothing else of it.</summary>
        public bool Known(ulong id)
        {
            using (var hs = handles.Read())
            {
                return hs.Value.Get(new Usize(id)) != null;
            }
        }

        /// <summary>
        /// `dup(id, buf)`: EINVAL for a non-empty buf, EBADF for an unknown id; else `copy` of the handle
        /// (made under the read lock) inserted under a new id.
        /// </summary>
        public Result Dup(ulong id, ulong buf_len, delegate*<H*, H> copy)
        {
            if (buf_len != 0)
            {
                return Result.Err(Error.EINVAL);
            }
            H handle;
            using (var hs = handles.Read())
            {
                H* h = hs.Value.Get(new Usize(id));
                if (h == null)
                {
                    return Result.Err(Error.EBADF);
                }
                handle = copy(h);
            }
            return Result.Ok(Insert(handle));
        }

        /// <summary>Dup's copy of a handle that owns nothing: the bytes (`handle.clone()` of a Copy type).</summary>
        public static H Same(H* handle) => *handle;

        /// <summary>
        /// `seek` of a handle over len bytes: SEEK_SET to min(len, pos); SEEK_CUR and SEEK_END add pos as
        /// a signed offset, clamped to 0..len; EINVAL for another whence.
        /// </summary>
        public static Result Seek(ref ulong seek, long len, ulong pos, ulong whence)
        {
            long target;
            if (whence == global::syscall.flag.Flag.SEEK_SET)
            {
                seek = pos < (ulong)len ? pos : (ulong)len;
                return Result.Ok(seek);
            }
            else if (whence == global::syscall.flag.Flag.SEEK_CUR)
            {
                target = (long)seek + (long)pos;
            }
            else if (whence == global::syscall.flag.Flag.SEEK_END)
            {
                target = len + (long)pos;
            }
            else
            {
                return Result.Err(Error.EINVAL);
            }
            if (target > len) target = len;
            if (target < 0) target = 0;
            seek = (ulong)target;
            return Result.Ok(seek);
        }

        /// <summary>`fpath`: scheme_path ("initfs:", "sys:") then name, as much as fits in buf.</summary>
        public static Result Fpath(byte* buf, ulong len, string scheme_path, string name)
        {
            ulong i = 0;
            while (i < len && i < (ulong)scheme_path.Length)
            {
                buf[i] = (byte)scheme_path[(int)i];
                i += 1;
            }
            int j = 0;
            while (i < len && j < name.Length)
            {
                buf[i] = (byte)name[j];
                i += 1;
                j += 1;
            }
            return Result.Ok(i);
        }
    }

    public static class HandleMapExt
    {
        /// <summary>`self.handles.read()`.</summary>
        public static RwLockGuard<OrdMap<Usize, H>> Read<H>(this ref HandleMap<H> m) where H : unmanaged => m.handles.Read();

        /// <summary>`self.handles.write()`.</summary>
        public static RwLockGuard<OrdMap<Usize, H>> Write<H>(this ref HandleMap<H> m) where H : unmanaged => m.handles.Write();
    }
}
