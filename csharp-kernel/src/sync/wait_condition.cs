using alloc.arc;
using alloc.vec;
using Kernel.context;
using spin;
using Ctx = Kernel.context.context.Context;

namespace Kernel.sync.wait_condition
{
    /// <summary>
    /// sync/wait_condition.rs: the contexts waiting for a condition (a Mutex over a Vec of
    /// Arc&lt;RwLock&lt;Context&gt;&gt;, 32 bytes as the original's). Each element is the Arc's pointer
    /// (one word, as the Arc is): a Context holds WaitConditions, and the host's type loader refuses
    /// a generic struct that reaches itself through a pointer.
    /// </summary>
    public unsafe struct WaitCondition
    {
        public Mutex<Vec<ulong>> contexts;

        /// <summary>`WaitCondition::new()`: allocates nothing.</summary>
        public static WaitCondition New()
        {
            WaitCondition w;
            w.contexts = new Mutex<Vec<ulong>>(Vec<ulong>.New());
            return w;
        }

        private static Arc<RwLock<Ctx>> At(ulong p)
        {
            Arc<RwLock<Ctx>> a = default;
            *(ulong*)&a = p;
            return a;
        }

        /// <summary>`notify()`: every waiting context unblocked (last first) and dropped from the list; how many there were.</summary>
        public ulong Notify()
        {
            using (var g = contexts.Lock())
            {
                ulong len = g.Value.Len();
                while (true)
                {
                    ulong? p = g.Value.Pop();
                    if (!p.HasValue)
                    {
                        break;
                    }
                    Arc<RwLock<Ctx>> context_lock = At(p.GetValueOrDefault());
                    using (var context = context_lock.Value.Write())
                    {
                        context.Value.Unblock();
                    }
                    Release(context_lock);
                }
                return len;
            }
        }

        /// <summary>
        /// `wait()`: the current context blocks, joins the list and switches away; when it runs again
        /// it is true if a notify took it off the list, false (and it leaves the list) otherwise —
        /// woken by something else, a signal.
        /// </summary>
        public bool Wait()
        {
            ulong id;
            Arc<RwLock<Ctx>> context_lock;
            using (var cs = ContextMod.Contexts())
            {
                Arc<RwLock<Ctx>>* current = cs.Value.Current();
                if (current == null)
                {
                    Panic.Fail("WaitCondition::wait: no context", "src/sync/wait_condition.rs", 34);
                }
                context_lock = current->Clone();
            }
            using (var context = context_lock.Value.Write())
            {
                id = context.Value.id.Into();
                context.Value.Block();
            }
            using (var g = contexts.Lock())
            {
                g.Value.Push(*(ulong*)&context_lock);
            }

            Kernel.context.@switch.Switch.Run();

            bool waited = true;
            using (var g = contexts.Lock())
            {
                ulong i = 0;
                while (i < g.Value.Len())
                {
                    Arc<RwLock<Ctx>> c = At(g.Value[i]);
                    bool remove;
                    using (var context = c.Value.Read())
                    {
                        remove = context.Value.id.Into() == id;
                    }
                    if (remove)
                    {
                        g.Value.Remove(i);
                        Release(c);
                        waited = false;
                        break;
                    }
                    i += 1;
                }
            }
            return waited;
        }

        /// <summary>Drop of one Arc to a context (never the last here: the context list holds one).</summary>
        private static void Release(Arc<RwLock<Ctx>> a)
        {
            a.Release();
        }

        /// <summary>Drop: notifies whoever still waits.</summary>
        public void Dispose()
        {
            Notify();
            using (var g = contexts.Lock())
            {
                g.Value.Dispose();
            }
        }
    }
}
