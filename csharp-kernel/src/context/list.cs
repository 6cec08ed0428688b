using System.Runtime.CompilerServices;
using alloc.arc;
using alloc.boxed;
using alloc.btree_map;
using Kernel.arch.x86_64.paging;
using Kernel.common;
using spin;
using syscall.error;
using Ctx = Kernel.context.context.Context;

namespace Kernel.context.list
{
    /// <summary>`Result&lt;&amp;Arc&lt;RwLock&lt;Context&gt;&gt;&gt;`.</summary>
    public struct ContextResult
    {
        public bool is_ok;
        public Arc<RwLock<Ctx>> ok;
        public int errno;
    }

    /// <summary>context/list.rs: the contexts by id, and the next id to try (32 bytes, as the original's).</summary>
    public unsafe struct ContextList
    {
        public OrdMap<ContextId, Arc<RwLock<Ctx>>> map;
        public ulong next_id;

        /// <summary>`ContextList::new()`: empty, ids from 1.</summary>
        public static ContextList New()
        {
            ContextList l;
            l.map = OrdMap<ContextId, Arc<RwLock<Ctx>>>.New();
            l.next_id = 1;
            return l;
        }

        /// <summary>`get(id)`.</summary>
        public readonly Arc<RwLock<Ctx>>* Get(ContextId id) => map.Get(id);

        /// <summary>`current()`: the context whose id this CPU's CONTEXT_ID holds.</summary>
        public readonly Arc<RwLock<Ctx>>* Current() => map.Get(ContextMod.ContextId());

        /// <summary>The number of contexts (iteration: <see cref="At"/>).</summary>
        public readonly ulong Len() => map.Len();

        /// <summary>The i-th (id, context) in id order.</summary>
        public readonly OrdMap<ContextId, Arc<RwLock<Ctx>>>.Entry* At(ulong i) => map.At(i);

        /// <summary>
        /// `new_context()`: the next id not in use (from next_id, wrapping to 1 at
        /// CONTEXT_MAX_CONTEXTS; EAGAIN when none), a new Context in an Arc&lt;RwLock&gt;.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public ContextResult NewContext()
        {
            ContextResult r = default;
            if (next_id >= ContextMod.CONTEXT_MAX_CONTEXTS)
            {
                next_id = 1;
            }

            while (map.ContainsKey(ContextId.From(next_id)))
            {
                next_id += 1;
            }

            if (next_id >= ContextMod.CONTEXT_MAX_CONTEXTS)
            {
                r.errno = Error.EAGAIN;
                return r;
            }

            ContextId id = ContextId.From(next_id);
            next_id += 1;

            Ctx context = Ctx.New(id);
            Arc<RwLock<Ctx>> arc = Arc<RwLock<Ctx>>.New(new RwLock<Ctx>(context));
            if (!map.InsertNew(id, arc))
            {
                Panic.Fail("assertion failed: self.map.insert(id, Arc::new(RwLock::new(Context::new(id)))).is_none()", "src/context/list.rs", 60);
            }

            r.is_ok = true;
            r.ok = *map.Get(id);
            return r;
        }

        /// <summary>
        /// `spawn(func)`: a new context with a 512-byte FX area (16-aligned, zeroed) and a 64 KiB kernel
        /// stack whose last word holds the function, entered by the first switch's `ret`; it shares
        /// the kernel's page table. Port note: the word below the function holds the port's entry
        /// trampoline (asm/context.asm hal_context_entry), which calls the function with the stack
        /// alignment the compiled code assumes; the stack pointer starts at it.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public ContextResult Spawn(ulong func)
        {
            ContextResult r = NewContext();
            if (!r.is_ok)
            {
                return r;
            }
            using (var context = r.ok.Value.Write())
            {
                BoxSlice fx = BoxSlice.Alloc(512, 16);
                for (ulong i = 0; i < 512; i++)
                {
                    fx.ptr[i] = 0;
                }
                BoxSlice stack = BoxSlice.Zeroed(65_536);
                ulong offset = stack.len - 8;
                *(ulong*)(stack.ptr + offset) = func;
                *(ulong*)(stack.ptr + offset - 8) = Kernel.Hal.ContextSwitch.EntryAddress();
                context.Value.arch.SetPageTable(ActivePageTable.New().Address());
                context.Value.arch.SetFx((ulong)fx.ptr);
                context.Value.arch.SetStack((ulong)stack.ptr + offset - 8);
                context.Value.kfx = fx;
                context.Value.kstack = stack;
            }
            return r;
        }
    }
}
