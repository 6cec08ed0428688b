using core.fmt;
using System.Runtime.CompilerServices;
using alloc.arc;
using alloc.boxed;
using Kernel.context.list;
using Kernel.Hal;
using spin;
using CommonContextId = Kernel.common.ContextId;
using Ctx = Kernel.context.context.Context;

namespace Kernel.context
{
    /// <summary>
    /// context/mod.rs: the global context list (CONTEXTS), this CPU's current context id
    /// (CONTEXT_ID, thread-local) and context::init. (Named ContextMod: `Context` is the struct.)
    /// </summary>
    public static unsafe class ContextMod
    {
        /// <summary>Limit on number of contexts</summary>
        public const ulong CONTEXT_MAX_CONTEXTS = 0x7FFF_FFFF_FFFF_FFFEUL;

        /// <summary>Maximum context files</summary>
        public const ulong CONTEXT_MAX_FILES = 65_536;

        private static RwLock<ContextList> CONTEXTS;
        private static Once CONTEXTS_INIT;

        /// <summary>
        /// `init()`: the first context — the one this CPU is running — with a zeroed 512-byte FX area
        /// (16-aligned), runnable, running, owned by this CPU; CONTEXT_ID becomes its id.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Init()
        {
            using (var contexts = ContextsMut())
            {
                ContextResult r = contexts.Value.NewContext();
                if (!r.is_ok)
                {
                    var w = Panic.Begin();
                    w.Str("could not initialize first context: ");
                    w.Str(global::syscall.error.Error.Text(r.errno));
                    Panic.End(w, "src/context/mod.rs", 53);
                }
                using (var context = r.ok.Value.Write())
                {
                    BoxSlice fx = BoxSlice.Alloc(512, 16);
                    for (ulong i = 0; i < 512; i++)
                    {
                        fx.ptr[i] = 0;
                    }
                    context.Value.arch.SetFx((ulong)fx.ptr);
                    context.Value.kfx = fx;
                    context.Value.status = Kernel.context.context.Status.Runnable;
                    context.Value.running = true;
                    context.Value.cpu_id.is_some = true;
                    context.Value.cpu_id.value = Lib.CpuId();
                    SetContextId(context.Value.id);
                }
            }
        }

        private static RwLock<ContextList>* CallOnce()
        {
            if (CONTEXTS_INIT.Begin())
            {
                CONTEXTS = new RwLock<ContextList>(ContextList.New());
                CONTEXTS_INIT.Complete();
            }
            fixed (RwLock<ContextList>* p = &CONTEXTS)
            {
                return p;
            }
        }

        /// <summary>`contexts()`: the list, shared.</summary>
        public static RwLockGuard<ContextList> Contexts() => RwLockExt.Read(ref *CallOnce());

        /// <summary>`contexts_mut()`: the list, exclusive.</summary>
        public static RwLockGuard<ContextList> ContextsMut() => RwLockExt.Write(ref *CallOnce());

        /// <summary>`context_id()`: this CPU's current context.</summary>
        public static CommonContextId ContextId() => CommonContextId.From(Atomic.Load((ulong*)Registers.ThreadLocal(Registers.TLS_CONTEXT_ID)));

        /// <summary>`CONTEXT_ID.store(id)`.</summary>
        public static void SetContextId(CommonContextId id) => Atomic.Store((ulong*)Registers.ThreadLocal(Registers.TLS_CONTEXT_ID), id.Into());
    }

    /// <summary>
    /// Port helper (no type of the original): the current context as the system calls take it again
    /// and again, `let contexts = context::contexts(); let context_lock =
    /// contexts.current().ok_or(Error::new(ESRCH))?; let context = context_lock.read();` (or
    /// `.write()`): the list read-locked, then the current context locked. `IsNone` when there is no
    /// current context (the caller returns ESRCH, the list still locked, as the original's `?`).
    /// Dispose releases the context's lock, then the list's, in the original's drop order.
    /// </summary>
    public unsafe ref struct CurrentContext
    {
        private RwLockGuard<ContextList> contexts;
        private RwLockGuard<Ctx> context;
        private bool found;

        /// <summary>The current context, read-locked.</summary>
        public static CurrentContext Read() => Lock(false);

        /// <summary>The current context, write-locked.</summary>
        public static CurrentContext Write() => Lock(true);

        private static CurrentContext Lock(bool write)
        {
            CurrentContext c = default;
            c.contexts = ContextMod.Contexts();
            Arc<RwLock<Ctx>>* context_lock = c.contexts.Value.Current();
            if (context_lock != null)
            {
                c.context = write ? context_lock->Value.Write() : context_lock->Value.Read();
                c.found = true;
            }
            return c;
        }

        public readonly bool IsNone => !found;

        /// <summary>The locked context (only when not IsNone).</summary>
        public readonly ref Ctx Value => ref context.Value;

        public void Dispose()
        {
            if (found)
            {
                context.Dispose();
            }
            contexts.Dispose();
        }
    }
}
