using System.Runtime;
using System.Runtime.CompilerServices;

namespace Kernel.Hal
{
    /// <summary>x86 I/O ports (asm/x86_64.asm).</summary>
    public static class Port
    {
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_inb")]
        public static extern byte Inb(ushort port);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_outb")]
        public static extern void Outb(ushort port, byte value);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_inw")]
        public static extern ushort Inw(ushort port);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_outw")]
        public static extern void Outw(ushort port, ushort value);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_ind")]
        public static extern uint Ind(ushort port);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_outd")]
        public static extern void Outd(ushort port, uint value);
    }
}
