using System.Runtime.InteropServices;
using alloc.arc;
using alloc.boxed;
using alloc.btree_map;
using alloc.vec;
using alloc.vec_deque;
using core.cmp;
using core.fmt;
using Kernel.arch.x86_64.debug;
using Kernel.common;
using Kernel.context.file;
using Kernel.context.memory;
using Kernel.sync.wait_map;
using Kernel.sync.wait_queue;
using spin;
using syscall.data;
using syscall.flag;

namespace Kernel.context.context
{
    /// <summary>`Status`: Runnable, Blocked, Stopped(sig), Exited(status) — a tag and its value.</summary>
    public struct Status
    {
        public const ulong RUNNABLE = 0, BLOCKED = 1, STOPPED = 2, EXITED = 3;

        public ulong tag;
        public ulong value;

        public static Status Runnable => Make(RUNNABLE, 0);
        public static Status Blocked => Make(BLOCKED, 0);
        public static Status Stopped(ulong sig) => Make(STOPPED, sig);
        public static Status Exited(ulong status) => Make(EXITED, status);

        private static Status Make(ulong tag, ulong value) { Status s; s.tag = tag; s.value = value; return s; }

        public readonly bool Is(Status other) => tag == other.tag && value == other.value;
    }

    /// <summary>`Option&lt;ContextId&gt;` as WaitpidKey holds it.</summary>
    public struct OptionContextId
    {
        public bool is_some;
        public ContextId value;
    }

    /// <summary>`WaitpidKey`: a pid and/or a pgid, ordered as the original orders them (pid first, then pgid; a set one is greater).</summary>
    public struct WaitpidKey : IOrd<WaitpidKey>
    {
        public OptionContextId pid;
        public OptionContextId pgid;

        public static unsafe int Cmp(WaitpidKey* a, WaitpidKey* b)
        {
            if (a->pid.is_some && b->pid.is_some)
            {
                return ContextId.Cmp(&a->pid.value, &b->pid.value);
            }
            if (a->pgid.is_some && b->pgid.is_some)
            {
                return ContextId.Cmp(&a->pgid.value, &b->pgid.value);
            }
            if (a->pid.is_some) return 1;
            if (b->pid.is_some) return -1;
            if (a->pgid.is_some) return 1;
            if (b->pgid.is_some) return -1;
            return 0;
        }
    }

    /// <summary>`(ContextId, usize)`: a waited-for context and its status.</summary>
    public struct WaitpidValue
    {
        public ContextId id;
        public ulong status;
    }

    /// <summary>`Option&lt;(usize, usize, usize, usize, usize, usize)&gt;`: the current system call.</summary>
    public struct OptionSyscall
    {
        public bool is_some;
        public ulong a, b, c, d, e, f;
    }

    /// <summary>`Option&lt;(u64, u64)&gt;`: when to wake.</summary>
    public struct OptionWake
    {
        public bool is_some;
        public ulong secs;
        public ulong nanos;
    }

    /// <summary>`Option&lt;usize&gt;` (packed to 4: it sits beside Context's flags, so that Context keeps the original's 672 bytes).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct OptionUsize
    {
        public bool is_some;
        public ulong value;
    }

    /// <summary>`Option&lt;(arch::Context, Option&lt;Box&lt;[u8]&gt;&gt;, Option&lt;Box&lt;[u8]&gt;&gt;)&gt;`: the kernel signal backup.</summary>
    public struct OptionKsig
    {
        public bool is_some;
        public Kernel.context.arch.Context arch;
        public BoxSlice kfx;
        public BoxSlice kstack;
    }

    /// <summary>`(SigAction, usize)`: a signal's action and its restorer (40 bytes).</summary>
    public struct SigActionEntry
    {
        public SigAction action;
        public ulong restorer;
    }

    /// <summary>An environment variable's value: `Arc&lt;Mutex&lt;Vec&lt;u8&gt;&gt;&gt;`.</summary>
    public struct EnvValue
    {
        public Arc<Mutex<Vec<byte>>> value;
    }

    /// <summary>A byte slice borrowed from elsewhere (`&amp;[u8]`).</summary>
    public unsafe struct Slice
    {
        public byte* ptr;
        public ulong len;
    }

    /// <summary>
    /// context/context.rs: a context, a process or a thread (672 bytes, as the original's; the
    /// field order is the original's declaration order).
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 672)]
    public unsafe struct Context
    {
        public ContextId id;
        public ContextId pgid;
        public ContextId ppid;
        public uint ruid;
        public uint rgid;
        public SchemeNamespace rns;
        public uint euid;
        public uint egid;
        public SchemeNamespace ens;
        public Status status;
        public bool running;
        public bool vfork;
        public bool ksig_restore;
        public OptionUsize cpu_id;
        public OptionSyscall syscall;
        public Arc<WaitMap<WaitpidKey, WaitpidValue>> waitpid;
        public VecDeque<byte> pending;
        public OptionWake wake;
        public Kernel.context.arch.Context arch;
        public BoxSlice kfx;
        public BoxSlice kstack;
        public OptionKsig ksig;
        public Vec<SharedMemory> image;
        public OptionSharedMemory heap;
        public OptionMemory stack;
        public OptionMemory sigstack;
        public OptionTls tls;
        public Arc<Mutex<Vec<Grant>>> grants;
        public Arc<Mutex<BoxSlice>> name;
        public Arc<Mutex<Vec<byte>>> cwd;
        public Arc<WaitQueue<Event>> events;
        public Arc<Mutex<OrdMap<BoxSlice, EnvValue>>> env;
        public Arc<Mutex<Vec<FileDescriptor>>> files;
        public Arc<Mutex<Vec<SigActionEntry>>> actions;

        /// <summary>Maximum context files</summary>
        public const ulong CONTEXT_MAX_FILES = 65_536;

        /// <summary>
        /// `Context::new(id)`: blocked, uid/gid 0, namespace 0, no memory; its shared parts allocated in the
        /// original's order (waitpid, grants, name, cwd, events, env, files, then the 128 signal actions
        /// and their Arc).
        /// </summary>
        public static Context New(ContextId id)
        {
            Context c = default;
            c.id = id;
            c.pgid = id;
            c.ppid = ContextId.From(0);
            c.rns = SchemeNamespace.From(0);
            c.ens = SchemeNamespace.From(0);
            c.status = Status.Blocked;
            c.running = false;
            c.waitpid = Arc<WaitMap<WaitpidKey, WaitpidValue>>.New(WaitMap<WaitpidKey, WaitpidValue>.New());
            c.pending = VecDeque<byte>.New();
            c.arch = Kernel.context.arch.Context.New();
            c.image = Vec<SharedMemory>.New();
            c.grants = Arc<Mutex<Vec<Grant>>>.New(new Mutex<Vec<Grant>>(Vec<Grant>.New()));
            BoxSlice empty_name;
            empty_name.ptr = (byte*)1;
            empty_name.len = 0;
            c.name = Arc<Mutex<BoxSlice>>.New(new Mutex<BoxSlice>(empty_name));
            c.cwd = Arc<Mutex<Vec<byte>>>.New(new Mutex<Vec<byte>>(Vec<byte>.New()));
            c.events = Arc<WaitQueue<Event>>.New(WaitQueue<Event>.New());
            c.env = Arc<Mutex<OrdMap<BoxSlice, EnvValue>>>.New(new Mutex<OrdMap<BoxSlice, EnvValue>>(OrdMap<BoxSlice, EnvValue>.New()));
            c.files = Arc<Mutex<Vec<FileDescriptor>>>.New(new Mutex<Vec<FileDescriptor>>(Vec<FileDescriptor>.New()));
            // vec![(SigAction { SIG_DFL, [0; 2], 0 }, 0); 128]: one allocation of exactly 128 entries
            Vec<SigActionEntry> actions = Vec<SigActionEntry>.WithCapacity(128);
            SigActionEntry dfl = default;
            dfl.action.sa_handler = Flag.SIG_DFL;
            for (int i = 0; i < 128; i++)
            {
                actions.Push(dfl);
            }
            c.actions = Arc<Mutex<Vec<SigActionEntry>>>.New(new Mutex<Vec<SigActionEntry>>(actions));
            return c;
        }

        /// <summary>
        /// `canonicalize(path)`: a relative path made absolute against the cwd ("scheme:/path" + "foo"
        /// → "scheme:/path/foo", "/foo" → "scheme:/foo"; a path with ':' is taken as it is), then "."
        /// parts dropped and ".." parts remove the part before them (the original's NOTE: the scheme
        /// part is assumed to hold neither), empty parts dropped, joined with '/'; an empty result is
        /// the scheme's root ("scheme:").
        /// </summary>
        public readonly Vec<byte> Canonicalize(byte* path, ulong path_len)
        {
            Vec<byte> canon;
            if (IndexOf(path, path_len, (byte)':') < 0)
            {
                using (var cwd = cwd_ref().Lock())
                {
                    if (!(path_len > 0 && path[0] == (byte)'/'))
                    {
                        Vec<byte> c = CloneVec(ref cwd.Value);
                        if (!(c.Len() > 0 && c[c.Len() - 1] == (byte)'/'))
                        {
                            c.Push((byte)'/');
                        }
                        canon = c;
                    }
                    else
                    {
                        long pos = IndexOf(cwd.Value.AsPtr(), cwd.Value.Len(), (byte)':');
                        ulong n = pos < 0 ? 1 : (ulong)pos + 1;
                        canon = ToVec(cwd.Value.AsPtr(), n);
                    }
                }
                ExtendFromSlice(ref canon, path, path_len);
            }
            else
            {
                canon = ToVec(path, path_len);
            }

            // The parts, last first (split by '/', "." dropped, ".." skipping the next earlier part, empty dropped).
            Vec<Slice> parts = Vec<Slice>.New();
            ulong nskip = 0;
            byte* cp = canon.AsPtr();
            ulong end = canon.Len();
            long i = (long)end - 1;
            while (true)
            {
                long start = i;
                while (start >= 0 && cp[start] != (byte)'/')
                {
                    start--;
                }
                Slice part;
                part.ptr = cp + (start + 1);
                part.len = end - (ulong)(start + 1);
                bool dot = part.len == 1 && part.ptr[0] == (byte)'.';
                bool dotdot = part.len == 2 && part.ptr[0] == (byte)'.' && part.ptr[1] == (byte)'.';
                if (!dot)
                {
                    if (dotdot)
                    {
                        nskip += 1;
                    }
                    else if (nskip > 0)
                    {
                        nskip -= 1;
                    }
                    else if (part.len != 0)
                    {
                        parts.Push(part);
                    }
                }
                if (start < 0)
                {
                    break;
                }
                end = (ulong)start;
                i = start - 1;
            }

            Vec<byte> result = Vec<byte>.New();
            for (ulong k = parts.Len(); k > 0; k--)
            {
                Slice part = parts[k - 1];
                ExtendFromSlice(ref result, part.ptr, part.len);
                result.Push((byte)'/');
            }
            parts.Dispose();
            result.Pop();

            if (result.IsEmpty())
            {
                result.Dispose();
                long pos = IndexOf(canon.AsPtr(), canon.Len(), (byte)':');
                canon.Truncate(pos < 0 ? canon.Len() : (ulong)pos + 1);
                return canon;
            }
            canon.Dispose();
            return result;
        }

        private readonly ref Mutex<Vec<byte>> cwd_ref() => ref cwd.Value;

        internal static long IndexOf(byte* p, ulong len, byte b)
        {
            for (ulong i = 0; i < len; i++)
            {
                if (p[i] == b)
                {
                    return (long)i;
                }
            }
            return -1;
        }

        /// <summary>`slice.to_vec()`: exactly len bytes.</summary>
        internal static Vec<byte> ToVec(byte* p, ulong len)
        {
            Vec<byte> v = Vec<byte>.WithCapacity(len);
            for (ulong i = 0; i < len; i++)
            {
                v.Push(p[i]);
            }
            return v;
        }

        internal static Vec<byte> CloneVec(ref Vec<byte> v) => ToVec(v.AsPtr(), v.Len());

        internal static void ExtendFromSlice(ref Vec<byte> v, byte* p, ulong len)
        {
            for (ulong i = 0; i < len; i++)
            {
                v.Push(p[i]);
            }
        }

        /// <summary>
        /// Drop of a Context (the last Arc to it gone, as reap's): its fields in declaration order —
        /// the waitpid map, pending signals, FX area, kernel stack, the signal backup, the image, heap,
        /// stacks and TLS, then the shared parts (grants, name, cwd, events, env, files, actions), each
        /// freed with its last holder.
        /// </summary>
        public void Drop()
        {
            if (waitpid.Release())
            {
                using (var g = waitpid.Value.inner.Lock())
                {
                    g.Value.Dispose();
                }
                waitpid.Value.condition.Dispose();
                waitpid.Free();
            }
            pending.Dispose();
            kfx.Dispose();
            kstack.Dispose();
            if (ksig.is_some)
            {
                ksig.kfx.Dispose();
                ksig.kstack.Dispose();
            }
            for (ulong i = 0; i < image.Len(); i++)
            {
                image[i].Drop();
            }
            image.Dispose();
            heap.DropTake();
            stack.DropTake();
            sigstack.DropTake();
            tls.DropTake();
            if (grants.Release())
            {
                using (var g = grants.Value.Lock())
                {
                    for (ulong i = 0; i < g.Value.Len(); i++)
                    {
                        g.Value[i].Drop();
                    }
                    g.Value.Dispose();
                }
                grants.Free();
            }
            if (name.Release())
            {
                name.Value.data.Dispose();
                name.Free();
            }
            if (cwd.Release())
            {
                cwd.Value.data.Dispose();
                cwd.Free();
            }
            if (events.Release())
            {
                using (var g = events.Value.inner.Lock())
                {
                    g.Value.Dispose();
                }
                events.Value.condition.Dispose();
                events.Free();
            }
            if (env.Release())
            {
                using (var g = env.Value.Lock())
                {
                    for (ulong i = 0; i < g.Value.Len(); i++)
                    {
                        var e = g.Value.At(i);
                        e->key.Dispose();
                        if (e->value.value.Release())
                        {
                            e->value.value.Value.data.Dispose();
                            e->value.value.Free();
                        }
                    }
                    g.Value.Dispose();
                }
                env.Free();
            }
            if (files.Release())
            {
                using (var g = files.Value.Lock())
                {
                    for (ulong i = 0; i < g.Value.Len(); i++)
                    {
                        FileDescriptor f = g.Value[i];
                        if (!f.IsNone && f.description.Release())
                        {
                            f.description.Free();
                        }
                    }
                    g.Value.Dispose();
                }
                files.Free();
            }
            if (actions.Release())
            {
                actions.Value.data.Dispose();
                actions.Free();
            }
        }

        /// <summary>Drop of an `Arc&lt;RwLock&lt;Context&gt;&gt;`: with the last one, the context and the Arc's block.</summary>
        public static void DropArc(Arc<RwLock<Context>> context_lock)
        {
            if (context_lock.Release())
            {
                context_lock.Value.data.Drop();
                context_lock.Free();
            }
        }

        /// <summary>`block`: Runnable → Blocked; true if it was runnable.</summary>
        public bool Block()
        {
            if (status.Is(Status.Runnable))
            {
                status = Status.Blocked;
                return true;
            }
            return false;
        }

        /// <summary>`unblock`: Blocked → Runnable; true if it was blocked (without multi_core no IPI is sent).</summary>
        public bool Unblock()
        {
            if (status.Is(Status.Blocked))
            {
                status = Status.Runnable;
                return true;
            }
            return false;
        }

        /// <summary>`add_file(file)`: the lowest free slot.</summary>
        public readonly FileHandle? AddFile(FileDescriptor file) => AddFileMin(file, 0);

        /// <summary>`add_file_min(file, min)`: the lowest free slot at or above min; None past CONTEXT_MAX_FILES.</summary>
        public readonly FileHandle? AddFileMin(FileDescriptor file, ulong min)
        {
            using (var files_guard = files.Value.Lock())
            {
                ref Vec<FileDescriptor> fs = ref files_guard.Value;
                for (ulong i = 0; i < fs.Len(); i++)
                {
                    if (fs[i].IsNone && i >= min)
                    {
                        fs[i] = file;
                        return FileHandle.From(i);
                    }
                }
                ulong len = fs.Len();
                if (len < CONTEXT_MAX_FILES)
                {
                    if (len >= min)
                    {
                        fs.Push(file);
                        return FileHandle.From(len);
                    }
                }
                else
                {
                    return null;
                }
            }
            return InsertFile(FileHandle.From(min), file);
        }

        /// <summary>`get_file(i)`: a clone of the descriptor (its description shared once more).</summary>
        public readonly FileDescriptor? GetFile(FileHandle i)
        {
            using (var g = files.Value.Lock())
            {
                if (i.Into() < g.Value.Len())
                {
                    FileDescriptor f = g.Value[i.Into()];
                    if (f.IsNone)
                    {
                        return null;
                    }
                    f.description = f.description.Clone();
                    return f;
                }
                return null;
            }
        }

        /// <summary>`insert_file(i, file)`: at slot i if it is free (growing the table with empty slots).</summary>
        public readonly FileHandle? InsertFile(FileHandle i, FileDescriptor file)
        {
            using (var g = files.Value.Lock())
            {
                if (i.Into() < CONTEXT_MAX_FILES)
                {
                    while (i.Into() >= g.Value.Len())
                    {
                        g.Value.Push(default);
                    }
                    if (g.Value[i.Into()].IsNone)
                    {
                        g.Value[i.Into()] = file;
                        return i;
                    }
                }
                return null;
            }
        }

        /// <summary>`remove_file(i)`: takes the descriptor out of its slot.</summary>
        public readonly FileDescriptor? RemoveFile(FileHandle i)
        {
            using (var g = files.Value.Lock())
            {
                if (i.Into() < g.Value.Len())
                {
                    FileDescriptor f = g.Value[i.Into()];
                    if (f.IsNone)
                    {
                        return null;
                    }
                    g.Value[i.Into()] = default;
                    return f;
                }
                return null;
            }
        }
    }
}
