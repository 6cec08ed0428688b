using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using alloc.arc;
using core.fmt;
using Kernel.common;
using Kernel.context.context;
using Kernel.sync.wait_map;
using Kernel.syscall;
using spin;
using syscall.error;
using syscall.flag;
using Switch = Kernel.context.@switch.Switch;

namespace Kernel.context.signal
{
    /// <summary>
    /// context/signal.rs: what a context does with a signal context::switch gave it, on its own
    /// kernel stack (reached through the signal handler wrapper, asm/context.asm). SIG_DFL: SIGCHLD is
    /// ignored; SIGCONT makes the context runnable and tells its parent (status 0xFFFF); SIGSTOP,
    /// SIGTSTP, SIGTTIN, SIGTTOU print "Stop {sig}", stop it, tell the parent ((sig &lt;&lt; 8) | 0x7F)
    /// and switch away; every other signal exits with the signal number as the status. SIG_IGN:
    /// nothing. A handler: entered in user mode on the signal stack with the restorer as its return
    /// address. Then (when the handler was not entered) sigreturn.
    /// </summary>
    public static unsafe class Signal
    {
        /// <summary>The address context::switch hands to signal_stack.</summary>
        public static ulong HandlerAddress => (ulong)(delegate* unmanaged<ulong, void>)&SignalHandler;

        [UnmanagedCallersOnly]
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void SignalHandler(ulong sig) => Handle(sig);

        /// <summary>`signal_handler(sig)`.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Handle(ulong sig)
        {
            SigActionEntry entry;
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    Panic.Fail("context::signal_handler not inside of context", "src/context/signal.rs", 12);
                }
                using (var context = context_lock->Value.Read())
                {
                    using (var actions = context.Value.actions.Value.Lock())
                    {
                        entry = actions.Value[sig];
                    }
                }
            }

            ulong handler = entry.action.sa_handler;
            if (handler == Flag.SIG_DFL)
            {
                if (sig == Flag.SIGCHLD)
                {
                }
                else if (sig == Flag.SIGCONT)
                {
                    Notify(Status.Runnable, 0xFFFF, " not found for continue\n", 31);
                }
                else if (sig == Flag.SIGSTOP || sig == Flag.SIGTSTP || sig == Flag.SIGTTIN || sig == Flag.SIGTTOU)
                {
                    using (var w = Kernel.arch.x86_64.debug.Writer.New()) { w.Str("Stop "); w.Dec(sig); w.Str("\n"); }
                    Notify(Status.Stopped(sig), (sig << 8) | 0x7F, " not found for stop\n", 59);
                    Switch.Run();
                }
                else
                {
                    Process.Exit(sig);
                }
            }
            else if (handler == Flag.SIG_IGN)
            {
            }
            else
            {
                ulong sp = Kernel.consts.Consts.USER_SIGSTACK_OFFSET + Kernel.consts.Consts.USER_SIGSTACK_SIZE - 256;
                sp = (sp / 16) * 16;
                sp -= 8;
                *(ulong*)sp = entry.restorer;
                Kernel.arch.x86_64.start.Start.Usermode(handler, sp, sig);
            }

            Result r = Process.Sigreturn();
            if (!r.is_ok)
            {
                var w = Panic.Begin();
                w.Str("called `Result::unwrap()` on an `Err` value: ");
                w.Str(r.err.Text());
                Panic.End(w, "src/context/signal.rs", 104);
            }
        }

        /// <summary>The current context's status set; its parent's waitpid sent (pid, pgid) → (pid, status).</summary>
        private static void Notify(Status new_status, ulong status, string not_found, int line)
        {
            using (var contexts = ContextMod.Contexts())
            {
                ContextId pid, pgid, ppid;
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    Panic.Fail("context::signal_handler not inside of context", "src/context/signal.rs", (uint)line);
                }
                using (var context = context_lock->Value.Write())
                {
                    context.Value.status = new_status;
                    pid = context.Value.id;
                    pgid = context.Value.pgid;
                    ppid = context.Value.ppid;
                }

                var parent_lock = contexts.Value.Get(ppid);
                if (parent_lock != null)
                {
                    Arc<WaitMap<WaitpidKey, WaitpidValue>> waitpid;
                    using (var parent = parent_lock->Value.Write())
                    {
                        waitpid = parent.Value.waitpid.Clone();
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
                    using (var w = Kernel.arch.x86_64.debug.Writer.New()) { w.Dec(pid.Into()); w.Str(": "); w.Dec(ppid.Into()); w.Str(not_found); }
                }
            }
        }
    }
}
