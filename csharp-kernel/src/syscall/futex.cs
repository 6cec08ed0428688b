using System.Runtime.CompilerServices;
using alloc.arc;
using alloc.vec_deque;
using Kernel.context;
using Kernel.Hal;
using Kernel.syscall.validate;
using Kernel.time;
using spin;
using syscall.data;
using syscall.error;
using syscall.flag;
using Ctx = Kernel.context.context.Context;
using Switch = Kernel.context.@switch.Switch;

namespace Kernel.syscall.futex
{
    /// <summary>`(usize, Arc&lt;RwLock&lt;Context&gt;&gt;)`: a waiter's address and its context (16 bytes).</summary>
    public struct FutexEntry
    {
        public ulong addr;
        public Arc<RwLock<Ctx>> context;
    }

    /// <summary>
    /// syscall/futex.rs: the fast userspace mutex. One global list of waiters (FUTEXES, a VecDeque
    /// made on first use): WAIT appends the current context and blocks it (with a wake time when a
    /// timeout is given); WAKE and REQUEUE unblock up to val waiters on the address, each taken out
    /// with swap_remove_back (so the last waiter moves into its place: the queue is not FIFO, quirk
    /// F1); REQUEUE then moves up to val2 of the waiters found after the woken ones to addr2.
    /// </summary>
    public static unsafe class Futex
    {
        private static RwLock<VecDeque<FutexEntry>> FUTEXES;
        private static Once FUTEXES_INIT;

        private static RwLock<VecDeque<FutexEntry>>* CallOnce()
        {
            if (FUTEXES_INIT.Begin())
            {
                FUTEXES = new RwLock<VecDeque<FutexEntry>>(VecDeque<FutexEntry>.New());
                FUTEXES_INIT.Complete();
            }
            fixed (RwLock<VecDeque<FutexEntry>>* p = &FUTEXES)
            {
                return p;
            }
        }

        /// <summary>`futexes()`.</summary>
        public static RwLockGuard<VecDeque<FutexEntry>> Futexes() => RwLockExt.Read(ref *CallOnce());

        /// <summary>`futexes_mut()`.</summary>
        public static RwLockGuard<VecDeque<FutexEntry>> FutexesMut() => RwLockExt.Write(ref *CallOnce());

        /// <summary>Drop of a taken entry: its Arc released.</summary>
        private static void Unblock(FutexEntry futex)
        {
            using (var context = futex.context.Value.Write())
            {
                context.Value.Unblock();
            }
            Ctx.DropArc(futex.context);
        }

        /// <summary>
        /// `futex(addr, op, val, val2, addr2)`: addr is the dispatcher's validated pointer; val2 is a
        /// timeout pointer for WAIT (validated here) and a count for REQUEUE; addr2 is validated by
        /// REQUEUE only.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Call(int* addr, ulong op, int val, ulong val2, int* addr2)
        {
            switch (op)
            {
                case Flag.FUTEX_WAIT:
                    {
                        TimeSpec* timeout = null;
                        if (val2 != 0)
                        {
                            var req = Validate.ValidateSlice((TimeSpec*)val2, 1);
                            if (!req.ok)
                            {
                                return Result.Err(req.err);
                            }
                            timeout = req.ptr;
                        }

                        using (var futexes = FutexesMut())
                        {
                            Arc<RwLock<Ctx>> context_lock;
                            using (var contexts = ContextMod.Contexts())
                            {
                                var current = contexts.Value.Current();
                                if (current == null)
                                {
                                    return Result.Err(Error.ESRCH);
                                }
                                context_lock = current->Clone();
                            }

                            if (*addr != val)
                            {
                                context_lock.Release();
                                return Result.Err(Error.EAGAIN);
                            }

                            using (var context = context_lock.Value.Write())
                            {
                                if (timeout != null)
                                {
                                    Time start = TimeMod.Monotonic();
                                    ulong sum = start.nanos + (ulong)(long)timeout->tv_nsec;
                                    context.Value.wake.is_some = true;
                                    context.Value.wake.secs = start.secs + (ulong)timeout->tv_sec + sum / 1_000_000_000;
                                    context.Value.wake.nanos = sum % 1_000_000_000;
                                }
                                context.Value.Block();
                            }

                            FutexEntry e;
                            e.addr = (ulong)addr;
                            e.context = context_lock;
                            futexes.Value.PushBack(e);
                        }

                        Switch.Run();

                        if (timeout != null)
                        {
                            using (var contexts = ContextMod.Contexts())
                            {
                                var current = contexts.Value.Current();
                                if (current == null)
                                {
                                    return Result.Err(Error.ESRCH);
                                }
                                using (var context = current->Value.Write())
                                {
                                    context.Value.wake.is_some = false;
                                }
                            }
                        }

                        return Result.Ok(0);
                    }
                case Flag.FUTEX_WAKE:
                    {
                        ulong woken = 0;
                        using (var futexes = FutexesMut())
                        {
                            ulong i = 0;
                            while (i < futexes.Value.Len() && (int)woken < val)
                            {
                                if (futexes.Value[i].addr == (ulong)addr)
                                {
                                    FutexEntry? futex = futexes.Value.SwapRemoveBack(i);
                                    if (futex.HasValue)
                                    {
                                        Unblock(futex.Value);
                                        woken += 1;
                                    }
                                }
                                else
                                {
                                    i += 1;
                                }
                            }
                        }
                        return Result.Ok(woken);
                    }
                case Flag.FUTEX_REQUEUE:
                    {
                        var addr2_safe = Validate.ValidateSliceMut(addr2, 1);
                        if (!addr2_safe.ok)
                        {
                            return Result.Err(addr2_safe.err);
                        }

                        ulong woken = 0;
                        ulong requeued = 0;
                        using (var futexes = FutexesMut())
                        {
                            ulong i = 0;
                            while (i < futexes.Value.Len() && (int)woken < val)
                            {
                                if (futexes.Value[i].addr == (ulong)addr)
                                {
                                    FutexEntry? futex = futexes.Value.SwapRemoveBack(i);
                                    if (futex.HasValue)
                                    {
                                        Unblock(futex.Value);
                                        woken += 1;
                                    }
                                }
                                else
                                {
                                    i += 1;
                                }
                            }
                            while (i < futexes.Value.Len() && requeued < val2)
                            {
                                if (futexes.Value[i].addr == (ulong)addr)
                                {
                                    futexes.Value[i].addr = (ulong)addr2_safe.ptr;
                                    requeued += 1;
                                }
                                i += 1;
                            }
                        }
                        return Result.Ok(woken);
                    }
                default:
                    return Result.Err(Error.EINVAL);
            }
        }
    }
}
