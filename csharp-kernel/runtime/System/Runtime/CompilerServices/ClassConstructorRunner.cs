namespace System.Runtime.CompilerServices
{
    /// <summary>
    /// Static constructors the compiler could not run at build time run lazily behind a guard.
    /// The kernel is single-threaded until it starts other CPUs (which the port never does by default),
    /// so a flag in the guard is enough.
    /// </summary>
    internal static unsafe class ClassConstructorRunner
    {
        private struct StaticClassConstructionContext
        {
            public IntPtr cctorMethodAddress;
        }

        private static object CheckStaticClassConstructionReturnGCStaticBase(StaticClassConstructionContext* context, object gcStaticBase)
        {
            EnsureClassConstructorRun(context);
            return gcStaticBase;
        }

        private static IntPtr CheckStaticClassConstructionReturnNonGCStaticBase(StaticClassConstructionContext* context, IntPtr nonGcStaticBase)
        {
            EnsureClassConstructorRun(context);
            return nonGcStaticBase;
        }

        private static IntPtr CheckStaticClassConstructionReturnThreadStaticBase(StaticClassConstructionContext* context, IntPtr threadStaticBase)
        {
            EnsureClassConstructorRun(context);
            return threadStaticBase;
        }

        private static void EnsureClassConstructorRun(StaticClassConstructionContext* context)
        {
            IntPtr cctor = context->cctorMethodAddress;
            if (cctor == (IntPtr)0)
            {
                return;
            }
            context->cctorMethodAddress = (IntPtr)0;
            ((delegate*<void>)(void*)cctor)();
        }
    }
}
