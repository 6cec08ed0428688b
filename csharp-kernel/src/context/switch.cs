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
        /// pending signals; wake a sleeping one whose wake time has come. A context back from a signal
        /// (ksig_restore, set by sigreturn) gets its registers, FX area and kernel stack from before the
        /// signal back, from another context (never its own stack), and is unblocked.
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
                if (!context->ksig.is_some)
                {
                    Panic.Fail("context::switch: ksig not set with ksig_restore", "src/context/switch.rs", 19);
                }
                OptionKsig ksig = context->ksig;
                context->ksig = default;
                context->arch = ksig.arch;

                if (!context->kfx.IsNone)
                {
                    if (ksig.kfx.IsNone)
                    {
                        Panic.Fail("context::switch: ksig kfx not set with ksig_restore", "src/context/switch.rs", 23);
                    }
                    CloneFromSlice(context->kfx, ksig.kfx, 23);
                    ksig.kfx.Dispose();
                }
                else
                {
                    Panic.Fail("context::switch: kfx not set with ksig_restore", "src/context/switch.rs", 25);
                }

                if (!context->kstack.IsNone)
                {
                    if (ksig.kstack.IsNone)
                    {
                        Panic.Fail("context::switch: ksig kstack not set with ksig_restore", "src/context/switch.rs", 29);
                    }
                    CloneFromSlice(context->kstack, ksig.kstack, 29);
                    ksig.kstack.Dispose();
                }
                else
                {
                    Panic.Fail("context::switch: kstack not set with ksig_restore", "src/context/switch.rs", 31);
                }

                context->ksig_restore = false;

                context->Unblock();
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

        /// <summary>`dst.clone_from_slice(src)`: the lengths must agree (libcore's panic otherwise).</summary>
        private static void CloneFromSlice(alloc.boxed.BoxSlice dst, alloc.boxed.BoxSlice src, uint line)
        {
            if (dst.len != src.len)
            {
                Panic.Fail("destination and source slices have different lengths", "src/context/switch.rs", line);
            }
            for (ulong i = 0; i < dst.len; i++)
            {
                dst.ptr[i] = src.ptr[i];
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
                if (to_ptr->ksig.is_some)
                {
                    Panic.Fail("assertion failed: (&mut *to_ptr).ksig.is_none()", "src/context/switch.rs", 148);
                }
                // (arch.clone(), kfx.clone(), kstack.clone()): the two copies allocated in that order
                OptionKsig ksig;
                ksig.is_some = true;
                ksig.arch = to_ptr->arch;
                ksig.kfx = to_ptr->kfx.IsNone ? default : alloc.boxed.BoxSlice.From(to_ptr->kfx.ptr, to_ptr->kfx.len);
                ksig.kstack = to_ptr->kstack.IsNone ? default : alloc.boxed.BoxSlice.From(to_ptr->kstack.ptr, to_ptr->kstack.len);
                to_ptr->ksig = ksig;
                to_ptr->arch.SignalStack(Kernel.context.signal.Signal.HandlerAddress, to_sig);
            }

            Arch.SwitchTo(&from_ptr->arch, &to_ptr->arch);
            return true;
        }
    }
}
