using System.Runtime.CompilerServices;
using Kernel.Hal;

namespace Kernel
{
    /// <summary>
    /// lib.rs: the kernel's root. kmain (the BSP's entry after kstart) is where the port currently
    /// ends: context::init, the first context and userspace_init follow in later work.
    /// </summary>
    public static unsafe class Lib
    {
        /// <summary>
        /// The kernel entry point for the primary CPU, called by kstart with the CPU count and the
        /// environment block. The port stops here for now with a clean exit status (QemuExit).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Kmain(ulong cpus, byte* env, ulong env_size)
        {
            QemuExit.Exit(QemuExit.ReachedEnd);
        }
    }
}
