using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kernel.Hal;

namespace Kernel.context.arch
{
    /// <summary>
    /// context/arch/x86_64.rs: the registers a context switch saves (88 bytes; the field offsets are
    /// asm/context.asm's). `switch_to` is asm/context.asm's hal_context_switch.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct Context
    {
        /// <summary>FX valid? (a bool, padded to 8 bytes)</summary>
        public ulong loadable;
        /// <summary>FX location</summary>
        public ulong fx;
        /// <summary>Page table pointer</summary>
        public ulong cr3;
        public ulong rflags;
        public ulong rbx;
        public ulong r12;
        public ulong r13;
        public ulong r14;
        public ulong r15;
        public ulong rbp;
        public ulong rsp;

        /// <summary>The global switch lock (CONTEXT_SWITCH_LOCK): taken by context::switch, dropped before the switch.</summary>
        public static ulong CONTEXT_SWITCH_LOCK;

        public static Context New() => default;

        public readonly ulong GetPageTable() => cr3;

        public void SetFx(ulong address) { fx = address; }

        public void SetPageTable(ulong address) { cr3 = address; }

        public void SetStack(ulong address) { rsp = address; }

        /// <summary>
        /// `signal_stack(handler, sig)`: the context's next `ret` (the end of its switch_to) goes to the
        /// signal handler wrapper (asm/context.asm), which calls handler(sig) with the scratch registers
        /// saved, then drops handler and sig and returns where the context would have gone.
        /// </summary>
        public void SignalStack(ulong handler, byte sig)
        {
            PushStack(sig);
            PushStack(handler);
            PushStack(ContextSwitch.SignalHandlerWrapperAddress());
        }

        /// <summary>`push_stack`.</summary>
        public void PushStack(ulong value)
        {
            rsp -= 8;
            *(ulong*)rsp = value;
        }

        /// <summary>`pop_stack`.</summary>
        public ulong PopStack()
        {
            ulong value = *(ulong*)rsp;
            rsp += 8;
            return value;
        }

        /// <summary>`switch_to(&amp;mut self, next)`: save this CPU's registers here and continue with next's.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void SwitchTo(Context* self, Context* next)
        {
            ContextSwitch.Switch(self, next);
        }
    }
}
