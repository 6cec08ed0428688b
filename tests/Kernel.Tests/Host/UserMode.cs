#nullable enable
using System;

namespace Kernel.Hal
{
    /// <summary>The kernel jumped to ring 3 (start.rs usermode): what a host test sees instead.</summary>
    public sealed class KernelEnteredUserMode : Exception
    {
        public KernelEnteredUserMode(ulong ip, ulong sp, ulong arg, ulong data, ulong code, ulong tls)
            : base($"usermode ip=0x{ip:X} sp=0x{sp:X} arg=0x{arg:X}")
        {
            Ip = ip; Sp = sp; Arg = arg; DataSelector = data; Code = code; Tls = tls;
        }
        public ulong Ip { get; }
        public ulong Sp { get; }
        public ulong Arg { get; }
        public ulong DataSelector { get; }
        public ulong Code { get; }
        public ulong Tls { get; }
    }

    /// <summary>The host's stand-in for asm/start.asm: the jump is an exception carrying its operands.</summary>
    public static class UserMode
    {
        public static void Enter(ulong ip, ulong sp, ulong arg, ulong data, ulong code, ulong tls) =>
            throw new KernelEnteredUserMode(ip, sp, arg, data, code, tls);
    }
}
