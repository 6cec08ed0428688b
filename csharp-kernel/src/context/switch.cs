using core.fmt;
using System.Runtime.CompilerServices;
using Kernel.arch.x86_64.gdt;
using Kernel.arch.x86_64.interrupt;
using Kernel.context.context;
using Kernel.Hal;
using spin;
using Arch = Kernel.context.arch.Context;

namespace Kernel.context.@switch
{
    /// <summary>context/switch.rs: choosing the next context and switching to it.</summary>
    public static unsafe class Switch
    {
        /// <summary>
        /// `update(context, cpu_id)`: take ownership of an unowned context; unblock a blocked one with
        /// pending signals; wake a sleeping one whose wake time has come. Port note: restoring from a
        /// signal (ksig_restore) comes with signals; nothing sets it yet.
        /// </summary>
        private static void Update(Context* context, ulong cpu_id)
        {
            if (!context->cpu_id.is_some)
            {
                context->cpu_id.is_some = true;
                context->cpu_id.value = cpu_id;
            }

            if (context->ksig_restore && !context->running)
            {
                Panic.Fail("context::switch: ksig_restore: not ported yet", "src/context/switch.rs", 18);
            }

            if (context->status.Is(Status.Blocked) && !context->pending.IsEmpty())
            {
                context->Unblock();
            }

            if (context->status.Is(Status.Blocked) && context->wake.is_some)
            {
                Kernel.time.Time current = Kernel.time.TimeMod.Monotonic();
                if (current.secs > context->wake.secs || (current.secs == context->wake.secs && current.nanos >= context->wake.nanos))
                {
                    context->wake.is_some = false;
                    context->Unblock();
                }
            }
        }

        /// <summary>`runnable`: not running, runnable, and owned by this CPU.</summary>
        private static bool Runnable(Context* context, ulong cpu_id)
        {
            return !context->running && context->status.Is(Status.Runnable) && context->cpu_id.is_some && context->cpu_id.value == cpu_id;
        }

        /// <summary>
        /// `switch()`: PIT_TICKS reset; under the global switch lock, every context updated; the next
        /// runnable one is the first with a greater id than the current one, else the first with a
        /// smaller id; its pending signal (if no signal is being handled) is taken. The TSS's rsp0
        /// becomes the end of its kernel stack and CONTEXT_ID its id; then the registers are
        /// switched. False when there was nothing to switch to.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static bool Run()
        {
            Irq.PIT_TICKS.Store(0);

            fixed (ulong* l = &Arch.CONTEXT_SWITCH_LOCK)
            {
                while (Atomic.CompareExchange(l, 0, 1) != 0)
                {
                    Interrupt.Pause();
                }
            }

            ulong cpu_id = Lib.CpuId();

            Context* from_ptr;
            Context* to_ptr = null;
            bool has_sig = false;
            byte to_sig = 0;
            using (var contexts = ContextMod.Contexts())
            {
                var current = contexts.Value.Current();
                if (current == null)
                {
                    var w = Panic.Begin();
                    w.Str("context::switch: not inside of context");
                    Panic.End(w, "src/context/switch.rs", 87);
                }
                using (var context = current->Value.Write())
                {
                    fixed (Context* p = &context.Value)
                    {
                        from_ptr = p;
                    }
                }

                for (ulong i = 0; i < contexts.Value.Len(); i++)
                {
                    using (var context = contexts.Value.At(i)->value.Value.Write())
                    {
                        fixed (Context* p = &context.Value)
                        {
                            Update(p, cpu_id);
                        }
                    }
                }

                for (int pass = 0; pass < 2 && to_ptr == null; pass++)
                {
                    for (ulong i = 0; i < contexts.Value.Len(); i++)
                    {
                        var entry = contexts.Value.At(i);
                        ulong pid = entry->key.Into();
                        bool candidate = pass == 0 ? pid > from_ptr->id.Into() : pid < from_ptr->id.Into();
                        if (!candidate)
                        {
                            continue;
                        }
                        using (var context = entry->value.Value.Write())
                        {
                            fixed (Context* p = &context.Value)
                            {
                                if (Runnable(p, cpu_id))
                                {
                                    to_ptr = p;
                                    if (!p->ksig.is_some)
                                    {
                                        byte? sig = p->pending.PopFront();
                                        has_sig = sig.HasValue;
                                        to_sig = sig.GetValueOrDefault();
                                    }
                                    break;
                                }
                            }
                        }
                    }
                }
            }

            if (to_ptr != null)
            {
                from_ptr->running = false;
                to_ptr->running = true;
                if (!to_ptr->kstack.IsNone)
                {
                    Gdt.SetTssStack((ulong)to_ptr->kstack.ptr + to_ptr->kstack.len);
                }
                ContextMod.SetContextId(to_ptr->id);
            }

            fixed (ulong* l = &Arch.CONTEXT_SWITCH_LOCK)
            {
                Atomic.Store(l, 0);
            }

            if (to_ptr == null)
            {
                return false;
            }

            if (has_sig)
            {
                // signal_stack(signal_handler, sig): signals are not ported yet
                Panic.Fail("context::switch: signal delivery: not ported yet", "src/context/switch.rs", 147);
            }

            Arch.SwitchTo(&from_ptr->arch, &to_ptr->arch);
            return true;
        }
    }
}
