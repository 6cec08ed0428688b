using Kernel.arch.x86_64.debug;
using Kernel.sync.wait_map;
using Kernel.context.file;
using Kernel.context.context;
using alloc.btree_map;
using alloc.arc;
using System.Runtime.CompilerServices;
using alloc.vec;
using core.fmt;
using Kernel.common;
using Kernel.context;
using spin;
using syscall.data;
using syscall.error;
using syscall.flag;
using syscall.number;

namespace Kernel.syscall
{
    /// <summary>`Result&lt;ContextId&gt;`.</summary>
    public struct ContextIdResult
    {
        public bool is_ok;
        public ContextId ok;
        public int errno;

        /// <summary>`{:?}`: Ok(ContextId(n)) or Err(text).</summary>
        public readonly void Debug(Kernel.arch.x86_64.debug.Writer w)
        {
            if (is_ok)
            {
                w.Str("Ok(");
                ok.Debug(w);
                w.Str(")");
            }
            else
            {
                w.Str("Err(");
                w.Str(Error.Text(errno));
                w.Str(")");
            }
        }
    }

    /// <summary>syscall/process.rs: the process system calls.</summary>
    public static unsafe class Process
    {
        /// <summary>`getpid()`: the current context's id (ESRCH outside of one).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static ContextIdResult Getpid()
        {
            ContextIdResult r = default;
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    r.errno = Error.ESRCH;
                    return r;
                }
                using (var context = context_lock->Value.Read())
                {
                    r.is_ok = true;
                    r.ok = context.Value.id;
                    return r;
                }
            }
        }

        /// <summary>
        /// `exec(path, arg_ptrs)`, up to the point of no return: the arguments copied into the kernel,
        /// the path canonicalized and opened (the open file closed again when done, ExecFile's drop),
        /// fstat'ed, the permission bits checked for execute (owner, group, other; root may always),
        /// the file read whole; a "#!" script repeats this with its interpreter.
        /// Port note: reading, "#!", the ELF checks and exec_noreturn (loading the image) come with
        /// elf.cs and user memory; until then a file that opens and passes the checks ends the boot
        /// with a panic naming what is missing. Every path before them is the original's.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Exec(byte* path, ulong path_len, ulong* arg_ptrs, ulong arg_count)
        {
            if (arg_count != 0)
            {
                Panic.Fail("exec: arguments: not ported yet", "src/syscall/process.rs", 782);
            }

            uint uid, gid;
            Vec<byte> canonical;
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    return Result.Err(Error.ESRCH);
                }
                using (var context = context_lock->Value.Read())
                {
                    uid = context.Value.euid;
                    gid = context.Value.egid;
                    canonical = context.Value.Canonicalize(path, path_len);
                }
            }

            FileHandleResult file = Fs.Open(canonical.AsPtr(), canonical.Len(), Flag.O_RDONLY);
            if (!file.is_ok)
            {
                canonical.Dispose();
                return Result.Err(file.errno);
            }

            Stat stat = default;
            Result res = Fs.FileOpMutSlice(Number.SYS_FSTAT, file.ok, (byte*)&stat, (ulong)sizeof(Stat));
            if (!res.is_ok)
            {
                Fs.Close(file.ok);
                canonical.Dispose();
                return res;
            }

            ulong perm = (ulong)(ushort)(stat.st_mode & 0x7);
            if (stat.st_uid == uid)
            {
                perm |= (ulong)(ushort)((stat.st_mode >> 6) & 0x7);
            }
            if (stat.st_gid == gid)
            {
                perm |= (ulong)(ushort)((stat.st_mode >> 3) & 0x7);
            }
            if (uid == 0)
            {
                perm |= 0x7;
            }
            if ((perm & 0x1) != 0x1)
            {
                Fs.Close(file.ok);
                canonical.Dispose();
                return Result.Err(Error.EACCES);
            }

            Fs.Close(file.ok);
            canonical.Dispose();
            Panic.Fail("exec: loading an executable: not ported yet", "src/syscall/process.rs", 823);
            return Result.Err(Error.ENOEXEC);
        }

        /// <summary>`getpgid(pid)`: the process group of pid (0: the current context); ESRCH for none.</summary>
        public static ContextIdResult Getpgid(ContextId pid)
        {
            ContextIdResult r = default;
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = pid.Into() == 0 ? contexts.Value.Current() : contexts.Value.Get(pid);
                if (context_lock == null)
                {
                    r.errno = Error.ESRCH;
                    return r;
                }
                using (var context = context_lock->Value.Read())
                {
                    r.is_ok = true;
                    r.ok = context.Value.pgid;
                    return r;
                }
            }
        }

        /// <summary>`getppid()`.</summary>
        public static ContextIdResult Getppid()
        {
            ContextIdResult r = default;
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    r.errno = Error.ESRCH;
                    return r;
                }
                using (var context = context_lock->Value.Read())
                {
                    r.is_ok = true;
                    r.ok = context.Value.ppid;
                    return r;
                }
            }
        }

        /// <summary>
        /// `setpgid(pid, pgid)`: for the current context or one of its children only (ESRCH otherwise,
        /// and for no such context): pgid 0 makes it its own group leader.
        /// </summary>
        public static Result Setpgid(ContextId pid, ContextId pgid)
        {
            using (var contexts = ContextMod.Contexts())
            {
                var current = contexts.Value.Current();
                if (current == null)
                {
                    return Result.Err(Error.ESRCH);
                }
                ContextId current_pid;
                using (var context = current->Value.Read())
                {
                    current_pid = context.Value.id;
                }
                var context_lock = pid.Into() == 0 ? current : contexts.Value.Get(pid);
                if (context_lock == null)
                {
                    return Result.Err(Error.ESRCH);
                }
                using (var context = context_lock->Value.Write())
                {
                    if (context.Value.id.Into() == current_pid.Into() || context.Value.ppid.Into() == current_pid.Into())
                    {
                        context.Value.pgid = pgid.Into() == 0 ? context.Value.id : pgid;
                        return Result.Ok(0);
                    }
                    return Result.Err(Error.ESRCH);
                }
            }
        }

        /// <summary>
        /// `empty(context, reaping)`: the user memory dropped (none is mapped yet: exec does not load
        /// images yet) and, when this context is their last holder, its grants.
        /// </summary>
        private static void Empty(Kernel.context.context.Context* context, bool reaping)
        {
            if (reaping)
            {
                if (!context->image.IsEmpty()) Panic.Fail("assertion failed: context.image.is_empty()", "src/syscall/process.rs", 503);
            }
            context->image.Clear();
            if (context->grants.StrongCount() == 1)
            {
                using (var grants = context->grants.Value.Lock())
                {
                    if (!grants.Value.IsEmpty())
                    {
                        Panic.Fail("empty: grants: not ported yet", "src/syscall/process.rs", 520);
                    }
                }
            }
        }

        /// <summary>
        /// `exit(status)`: the files closed (when this context is their last holder) and replaced by an
        /// empty table; children handed to the parent; memory emptied; status Exited(status); the
        /// parent woken if it vforked, sent the children's pending statuses and this one's
        /// ((pid, pgid) → (pid, status)); then switch away for good. Exiting context 1 (kmain's) says
        /// so and stops the machine (kstop/kreset: not ported yet).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Exit(ulong status)
        {
            Arc<RwLock<Kernel.context.context.Context>> context_lock;
            using (var contexts = ContextMod.Contexts())
            {
                var current = contexts.Value.Current();
                if (current == null)
                {
                    Panic.Fail("exit failed to find context: No such process", "src/syscall/process.rs", 916);
                }
                context_lock = current->Clone();
            }

            Vec<FileDescriptor> close_files = Vec<FileDescriptor>.New();
            ContextId pid;
            using (var context = context_lock.Value.Write())
            {
                if (context.Value.files.StrongCount() == 1)
                {
                    using (var files = context.Value.files.Value.Lock())
                    {
                        close_files = files.Value;
                        files.Value = Vec<FileDescriptor>.New();
                    }
                }
                Arc<Mutex<Vec<FileDescriptor>>> old = context.Value.files;
                context.Value.files = Arc<Mutex<Vec<FileDescriptor>>>.New(new Mutex<Vec<FileDescriptor>>(Vec<FileDescriptor>.New()));
                if (old.Release())
                {
                    old.Value.data.Dispose();
                    old.Free();
                }
                pid = context.Value.id;
            }

            for (ulong fd = 0; fd < close_files.Len(); fd++)
            {
                FileDescriptor file = close_files[fd];
                if (!file.IsNone)
                {
                    file.Close(FileHandle.From(fd));
                }
            }
            close_files.Dispose();

            ContextId pgid, ppid;
            using (var context = context_lock.Value.Read())
            {
                pgid = context.Value.pgid;
                ppid = context.Value.ppid;
            }

            using (var contexts = ContextMod.Contexts())
            {
                for (ulong i = 0; i < contexts.Value.Len(); i++)
                {
                    using (var context = contexts.Value.At(i)->value.Value.Write())
                    {
                        if (context.Value.ppid.Into() == pid.Into())
                        {
                            context.Value.ppid = ppid;
                            context.Value.vfork = false;
                        }
                    }
                }
            }

            bool vfork;
            OrdMap<WaitpidKey, WaitpidValue> children;
            using (var context = context_lock.Value.Write())
            {
                fixed (Kernel.context.context.Context* c = &context.Value)
                {
                    Empty(c, false);
                }
                vfork = context.Value.vfork;
                context.Value.vfork = false;
                context.Value.status = Status.Exited(status);
                children = context.Value.waitpid.Value.ReceiveAll();
            }

            using (var contexts = ContextMod.Contexts())
            {
                var parent_lock = contexts.Value.Get(ppid);
                if (parent_lock != null)
                {
                    Arc<WaitMap<WaitpidKey, WaitpidValue>> waitpid;
                    using (var parent = parent_lock->Value.Write())
                    {
                        if (vfork && !parent.Value.Unblock())
                        {
                            using (var w = Writer.New()) { w.Dec(pid.Into()); w.Str(": "); w.Dec(ppid.Into()); w.Str(" not blocked for exit vfork unblock\n"); }
                        }
                        waitpid = parent.Value.waitpid.Clone();
                    }
                    for (ulong i = 0; i < children.Len(); i++)
                    {
                        var e = children.At(i);
                        waitpid.Value.Send(e->key, e->value);
                    }
                    WaitpidKey key = default;
                    key.pid.is_some = true;
                    key.pid.value = pid;
                    key.pgid.is_some = true;
                    key.pgid.value = pgid;
                    WaitpidValue v;
                    v.id = pid;
                    v.status = status;
                    waitpid.Value.Send(key, v);
                    waitpid.Release();
                }
                else
                {
                    using (var w = Writer.New()) { w.Dec(pid.Into()); w.Str(": "); w.Dec(ppid.Into()); w.Str(" not found for exit vfork unblock\n"); }
                }
            }
            children.Dispose();

            if (pid.Into() == 1)
            {
                using (var w = Writer.New()) { w.Str("Main kernel thread exited with status "); w.UpperHex(status); w.Str("\n"); }
                Panic.Fail(status == Flag.SIGTERM ? "kreset: not ported yet" : "kstop: not ported yet", "src/syscall/process.rs", 1008);
            }
            context_lock.Release();

            Kernel.context.@switch.Switch.Run();

            Panic.Fail("internal error: entered unreachable code", "src/syscall/process.rs", 1017);
        }

        /// <summary>
        /// `reap(pid)`: once the context is no longer running on any CPU, it leaves the list and its
        /// memory is emptied; the list's Arc is dropped (the Context's own parts are not freed yet).
        /// </summary>
        private static ContextIdResult Reap(ContextId pid)
        {
            ContextIdResult r = default;
            bool running = true;
            while (running)
            {
                using (var contexts = ContextMod.Contexts())
                {
                    var context_lock = contexts.Value.Get(pid);
                    if (context_lock == null)
                    {
                        r.errno = Error.ESRCH;
                        return r;
                    }
                    using (var context = context_lock->Value.Read())
                    {
                        running = context.Value.running;
                    }
                }
                Kernel.arch.x86_64.interrupt.Interrupt.Pause();
            }
            using (var contexts = ContextMod.ContextsMut())
            {
                if (!contexts.Value.map.Remove(pid, out var removed))
                {
                    r.errno = Error.ESRCH;
                    return r;
                }
                using (var context = removed.value.Value.Write())
                {
                    fixed (Kernel.context.context.Context* c = &context.Value)
                    {
                        Empty(c, true);
                    }
                }
                removed.value.Release();
            }
            r.is_ok = true;
            r.ok = pid;
            return r;
        }

        /// <summary>What waitpid's grim_reaper does with a received status: None means wait on.</summary>
        private static bool GrimReaper(ContextId w_pid, ulong status, ulong* status_slice, ulong flags, out ContextIdResult res)
        {
            res = default;
            if (status == 0xffff) // wifcontinued
            {
                if ((flags & Flag.WCONTINUED) == Flag.WCONTINUED)
                {
                    *status_slice = status;
                    res.is_ok = true;
                    res.ok = w_pid;
                    return true;
                }
                return false;
            }
            if ((status & 0xff) == 0x7f) // wifstopped
            {
                if ((flags & Flag.WUNTRACED) == Flag.WUNTRACED)
                {
                    *status_slice = status;
                    res.is_ok = true;
                    res.ok = w_pid;
                    return true;
                }
                return false;
            }
            *status_slice = status;
            res = Reap(w_pid);
            return true;
        }

        /// <summary>
        /// `waitpid(pid, status, flags)`: pid 0 any child, -pgid a process group, else that child (the
        /// original's "hack for rustc" adopts a context that is not a child, saying so). WNOHANG gives
        /// 0 when nothing is there yet; stopped and continued children only with WUNTRACED/WCONTINUED.
        /// The status pointer is the dispatcher's, validated (null: not wanted).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static ContextIdResult Waitpid(ContextId pid, ulong* status_ptr, ulong flags)
        {
            ContextIdResult none = default;
            ContextId ppid;
            Arc<WaitMap<WaitpidKey, WaitpidValue>> waitpid;
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    none.errno = Error.ESRCH;
                    return none;
                }
                using (var context = context_lock->Value.Read())
                {
                    ppid = context.Value.id;
                    waitpid = context.Value.waitpid.Clone();
                }
            }
            ulong tmp = 0;
            ulong* status_slice = status_ptr != null ? status_ptr : &tmp;
            ContextIdResult zero = default;
            zero.is_ok = true;
            zero.ok = ContextId.From(0);

            while (true)
            {
                ContextIdResult res;
                bool have;
                if (pid.Into() == 0)
                {
                    WaitpidKey k;
                    WaitpidValue v;
                    if ((flags & Flag.WNOHANG) == Flag.WNOHANG)
                    {
                        if (waitpid.Value.ReceiveAnyNonblock(out k, out v))
                        {
                            have = GrimReaper(v.id, v.status, status_slice, flags, out res);
                        }
                        else
                        {
                            res = zero;
                            have = true;
                        }
                    }
                    else
                    {
                        waitpid.Value.ReceiveAny(out k, out v);
                        have = GrimReaper(v.id, v.status, status_slice, flags, out res);
                    }
                }
                else if ((long)pid.Into() < 0)
                {
                    WaitpidKey key = default;
                    key.pgid.is_some = true;
                    key.pgid.value = ContextId.From((ulong)(-(long)pid.Into()));
                    if ((flags & Flag.WNOHANG) == Flag.WNOHANG)
                    {
                        if (waitpid.Value.ReceiveNonblock(key, out WaitpidValue v))
                        {
                            have = GrimReaper(v.id, v.status, status_slice, flags, out res);
                        }
                        else
                        {
                            res = zero;
                            have = true;
                        }
                    }
                    else
                    {
                        WaitpidValue v = waitpid.Value.Receive(key);
                        have = GrimReaper(v.id, v.status, status_slice, flags, out res);
                    }
                }
                else
                {
                    bool hack = false;
                    Status hack_status = default;
                    using (var contexts = ContextMod.Contexts())
                    {
                        var context_lock = contexts.Value.Get(pid);
                        if (context_lock == null)
                        {
                            waitpid.Release();
                            none.errno = Error.ECHILD;
                            return none;
                        }
                        using (var context = context_lock->Value.Write())
                        {
                            if (context.Value.ppid.Into() != ppid.Into())
                            {
                                using (var w = Writer.New())
                                {
                                    w.Str("Hack for rustc - changing ppid of ");
                                    w.Dec(context.Value.id.Into());
                                    w.Str(" from ");
                                    w.Dec(context.Value.ppid.Into());
                                    w.Str(" to ");
                                    w.Dec(ppid.Into());
                                    w.Str("\n");
                                }
                                context.Value.ppid = ppid;
                                hack = true;
                                hack_status = context.Value.status;
                            }
                        }
                    }
                    WaitpidKey key = default;
                    key.pid.is_some = true;
                    key.pid.value = pid;
                    if (hack && hack_status.tag == Status.EXITED)
                    {
                        waitpid.Value.ReceiveNonblock(key, out _);
                        have = GrimReaper(pid, hack_status.value, status_slice, flags, out res);
                    }
                    else if ((flags & Flag.WNOHANG) == Flag.WNOHANG)
                    {
                        if (waitpid.Value.ReceiveNonblock(key, out WaitpidValue v))
                        {
                            have = GrimReaper(v.id, v.status, status_slice, flags, out res);
                        }
                        else
                        {
                            res = zero;
                            have = true;
                        }
                    }
                    else
                    {
                        WaitpidValue v = waitpid.Value.Receive(key);
                        have = GrimReaper(v.id, v.status, status_slice, flags, out res);
                    }
                }
                if (have)
                {
                    waitpid.Release();
                    return res;
                }
            }
        }
    }
}
