using System.Runtime.CompilerServices;
using core.fmt;
using Kernel.arch.x86_64.interrupt;
using Kernel.common;
using Kernel.context;
using Kernel.syscall.validate;
using spin;
using syscall.data;
using syscall.error;
using syscall.number;

namespace Kernel.syscall
{
    /// <summary>
    /// syscall/mod.rs: the dispatcher `int 0x80` reaches (interrupt/syscall.cs): rax is the call, rbx,
    /// rcx, rdx, rsi, rdi its arguments; every user pointer is validated (validate.cs) before use;
    /// the context's `syscall` field holds the call while it runs; the result goes back in rax, an
    /// error as -errno. Port note: the calls whose machinery is not ported yet (memory, clone, kill,
    /// signals, events, futexes, drivers) end the boot with a panic naming the call, never a silent
    /// wrong answer. (waitpid validates its status pointer here, before finding the context.)
    /// </summary>
    public static unsafe class SyscallMod
    {
        private static Result NotPorted(string name)
        {
            var w = Panic.Begin();
            w.Str("syscall: ");
            w.Str(name);
            w.Str(": not ported yet");
            Panic.End(w, "src/syscall/mod.rs", 51);
            return Result.Err(Error.ENOSYS);
        }

        private static Result Fh(FileHandleResult r) => r.Into();

        private static Result Cid(ContextIdResult r) => r.is_ok ? Result.Ok(r.ok.Into()) : Result.Err(r.errno);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static Result Inner(ulong a, ulong b, ulong c, ulong d, ulong e, ulong f, ulong bp, SyscallStack* stack)
        {
            if ((a & Number.SYS_CLASS) == Number.SYS_CLASS_FILE)
            {
                FileHandle fd = FileHandle.From(b);
                ulong arg = a & Number.SYS_ARG;
                if (arg == Number.SYS_ARG_SLICE)
                {
                    var s = Validate.ValidateSlice((byte*)c, d);
                    return s.ok ? Fs.FileOpSlice(a, fd, s.ptr, s.len) : Result.Err(s.err);
                }
                if (arg == Number.SYS_ARG_MSLICE)
                {
                    var s = Validate.ValidateSliceMut((byte*)c, d);
                    return s.ok ? Fs.FileOpMutSlice(a, fd, s.ptr, s.len) : Result.Err(s.err);
                }
                switch (a)
                {
                    case Number.SYS_CLOSE: return Fs.Close(fd);
                    case Number.SYS_DUP:
                        {
                            var s = Validate.ValidateSlice((byte*)c, d);
                            return s.ok ? Fh(Fs.Dup(fd, s.ptr, s.len)) : Result.Err(s.err);
                        }
                    case Number.SYS_DUP2:
                        {
                            var s = Validate.ValidateSlice((byte*)d, e);
                            return s.ok ? Fh(Fs.Dup2(fd, FileHandle.From(c), s.ptr, s.len)) : Result.Err(s.err);
                        }
                    case Number.SYS_FCNTL: return Fs.Fcntl(fd, c, d);
                    case Number.SYS_FEVENT: return Fs.Fevent(fd, c);
                    case Number.SYS_FRENAME:
                        {
                            var s = Validate.ValidateSlice((byte*)c, d);
                            return s.ok ? Fs.Frename(fd, s.ptr, s.len) : Result.Err(s.err);
                        }
                    case Number.SYS_FUNMAP: return Fs.Funmap(b);
                    default: return Fs.FileOp(a, fd, c, d);
                }
            }
            if ((a & Number.SYS_CLASS) == Number.SYS_CLASS_PATH)
            {
                var s = Validate.ValidateSlice((byte*)b, c);
                switch (a)
                {
                    case Number.SYS_OPEN: return s.ok ? Fh(Fs.Open(s.ptr, s.len, d)) : Result.Err(s.err);
                    case Number.SYS_CHMOD: return s.ok ? Fs.Chmod(s.ptr, s.len, (ushort)d) : Result.Err(s.err);
                    case Number.SYS_RMDIR: return s.ok ? Fs.Rmdir(s.ptr, s.len) : Result.Err(s.err);
                    case Number.SYS_UNLINK: return s.ok ? Fs.Unlink(s.ptr, s.len) : Result.Err(s.err);
                    default: return Result.Err(Error.ENOSYS);
                }
            }
            switch (a)
            {
                case Number.SYS_YIELD: return TimeCalls.SchedYield();
                case Number.SYS_NANOSLEEP:
                    {
                        var req = Validate.ValidateSlice((TimeSpec*)b, 1);
                        if (!req.ok) return Result.Err(req.err);
                        if (c == 0) return TimeCalls.Nanosleep(req.ptr, null);
                        var rem = Validate.ValidateSliceMut((TimeSpec*)c, 1);
                        return rem.ok ? TimeCalls.Nanosleep(req.ptr, rem.ptr) : Result.Err(rem.err);
                    }
                case Number.SYS_CLOCK_GETTIME:
                    {
                        var t = Validate.ValidateSliceMut((TimeSpec*)c, 1);
                        return t.ok ? TimeCalls.ClockGettime(b, t.ptr) : Result.Err(t.err);
                    }
                case Number.SYS_FUTEX:
                    {
                        var uaddr = Validate.ValidateSliceMut((int*)b, 1);
                        return uaddr.ok ? Kernel.syscall.futex.Futex.Call(uaddr.ptr, c, (int)d, e, (int*)f) : Result.Err(uaddr.err);
                    }
                case Number.SYS_BRK: return Process.Brk(b);
#if MUTATION_SYSCALL_GETPID_PLUS_ONE // NOT the original: getpid returns the caller's id + 1 (make mutants)
                case Number.SYS_GETPID: { var r = Process.Getpid(); if (r.is_ok) r.ok = ContextId.From(r.ok.Into() + 1); return Cid(r); }
#else
                case Number.SYS_GETPID: return Cid(Process.Getpid());
#endif
                case Number.SYS_GETPGID: return Cid(Process.Getpgid(ContextId.From(b)));
                case Number.SYS_GETPPID: return Cid(Process.Getppid());
                case Number.SYS_CLONE: return Cid(Process.Clone(b, bp));
                case Number.SYS_EXIT:
                    Process.Exit((b & 0xFF) << 8);
                    return Result.Ok(0);
                case Number.SYS_KILL: return Process.Kill(ContextId.From(b), c);
                case Number.SYS_WAITPID:
                    {
                        ulong* status = null;
                        if (c != 0)
                        {
                            var st = Validate.ValidateSliceMut((ulong*)c, 1);
                            if (!st.ok) return Result.Err(st.err);
                            status = st.ptr;
                        }
                        return Cid(Process.Waitpid(ContextId.From(b), status, d));
                    }
                case Number.SYS_CHDIR:
                    {
                        var s = Validate.ValidateSlice((byte*)b, c);
                        return s.ok ? Fs.Chdir(s.ptr, s.len) : Result.Err(s.err);
                    }
                case Number.SYS_EXECVE:
                    {
                        var path = Validate.ValidateSlice((byte*)b, c);
                        if (!path.ok) return Result.Err(path.err);
                        var arg_ptrs = Validate.ValidateSlice((Process.UsizePair*)d, e);
                        return arg_ptrs.ok ? Process.Exec(path.ptr, path.len, arg_ptrs.ptr, arg_ptrs.len) : Result.Err(arg_ptrs.err);
                    }
                case Number.SYS_IOPL: return Driver.Iopl(b, stack);
                case Number.SYS_GETCWD:
                    {
                        var s = Validate.ValidateSliceMut((byte*)b, c);
                        return s.ok ? Fs.Getcwd(s.ptr, s.len) : Result.Err(s.err);
                    }
                case Number.SYS_GETEGID: return Privilege.Getegid();
                case Number.SYS_GETENS: return Privilege.Getens();
                case Number.SYS_GETEUID: return Privilege.Geteuid();
                case Number.SYS_GETGID: return Privilege.Getgid();
                case Number.SYS_GETNS: return Privilege.Getns();
                case Number.SYS_GETUID: return Privilege.Getuid();
                case Number.SYS_MKNS:
                    {
                        var s = Validate.ValidateSlice((Kernel.scheme.Slice*)b, c);
                        return s.ok ? Privilege.Mkns(s.ptr, s.len) : Result.Err(s.err);
                    }
                case Number.SYS_SETPGID: return Process.Setpgid(ContextId.From(b), ContextId.From(c));
                case Number.SYS_SETREUID: return Privilege.Setreuid((uint)b, (uint)c);
                case Number.SYS_SETRENS: return Privilege.Setrens(SchemeNamespace.From(b), SchemeNamespace.From(c));
                case Number.SYS_SETREGID: return Privilege.Setregid((uint)b, (uint)c);
                case Number.SYS_SIGACTION:
                    {
                        SigAction* act = null;
                        if (c != 0)
                        {
                            var a_ = Validate.ValidateSlice((SigAction*)c, 1);
                            if (!a_.ok) return Result.Err(a_.err);
                            act = a_.ptr;
                        }
                        SigAction* oldact = null;
                        if (d != 0)
                        {
                            var o_ = Validate.ValidateSliceMut((SigAction*)d, 1);
                            if (!o_.ok) return Result.Err(o_.err);
                            oldact = o_.ptr;
                        }
                        return Process.Sigaction(b, act, oldact, e);
                    }
                case Number.SYS_SIGRETURN: return Process.Sigreturn();
                case Number.SYS_PIPE2:
                    {
                        var s = Validate.ValidateSliceMut((ulong*)b, 2);
                        return s.ok ? Fs.Pipe2(s.ptr, s.len, c) : Result.Err(s.err);
                    }
                case Number.SYS_PHYSALLOC: return Driver.Physalloc(b);
                case Number.SYS_PHYSFREE: return Driver.Physfree(b, c);
                case Number.SYS_PHYSMAP: return Driver.Physmap(b, c, d);
                case Number.SYS_PHYSUNMAP: return Driver.Physunmap(b);
                case Number.SYS_VIRTTOPHYS: return Driver.Virttophys(b);
                default: return Result.Err(Error.ENOSYS);
            }
        }

        /// <summary>`syscall(a, b, c, d, e, f, bp, stack)`: the call recorded on the context while it runs; Error::mux of the result.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static ulong Syscall(ulong a, ulong b, ulong c, ulong d, ulong e, ulong f, ulong bp, SyscallStack* stack)
        {
            SetSyscall(true, a, b, c, d, e, f);
            Result result = Inner(a, b, c, d, e, f, bp, stack);
            SetSyscall(false, 0, 0, 0, 0, 0, 0);
            return Error.Mux(result);
        }

        private static void SetSyscall(bool some, ulong a, ulong b, ulong c, ulong d, ulong e, ulong f)
        {
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock != null)
                {
                    using (var context = context_lock->Value.Write())
                    {
                        ref var s = ref context.Value.syscall;
                        s.is_some = some;
                        s.a = a; s.b = b; s.c = c; s.d = d; s.e = e; s.f = f;
                    }
                }
            }
        }
    }
}
