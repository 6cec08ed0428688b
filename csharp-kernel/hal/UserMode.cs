using System.Runtime;
using System.Runtime.CompilerServices;

namespace Kernel.Hal
{
    /// <summary>The jump to ring 3 of start.rs `usermode` (asm/start.asm). The host build has its own.</summary>
    public static class UserMode
    {
        /// <summary>
        /// iretq to <paramref name="ip"/> (code segment <paramref name="code"/>) with the stack
        /// <paramref name="sp"/> (stack segment <paramref name="data"/>) and RFLAGS = IF; DS, ES, GS =
        /// <paramref name="data"/>, FS = <paramref name="tls"/>; every general register 0 but rdi =
        /// <paramref name="arg"/>; fninit. Never returns.
        /// </summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_usermode")]
        public static extern void Enter(ulong ip, ulong sp, ulong arg, ulong data, ulong code, ulong tls);
    }
}
