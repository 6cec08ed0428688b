#nullable enable
using System;
using System.Collections.Generic;
using System.Text;

namespace Kernel.Hal
{
    /// <summary>The kernel called Cpu.Halt with interrupts off (a panic's end): the host test sees this.</summary>
    public sealed class KernelHalted : Exception
    {
        public KernelHalted(string serial) : base("kernel halted; serial:\n" + serial) { Serial = serial; }
        public string Serial { get; }
    }

    /// <summary>The kernel wrote to QEMU's isa-debug-exit port.</summary>
    public sealed class KernelExited : Exception
    {
        public KernelExited(byte code) : base($"kernel exited with code 0x{code:X}") { Code = code; }
        public byte Code { get; }
    }

    /// <summary>
    /// The host's stand-in for the machine: I/O port traffic, COM1's output. One per thread, so
    /// that xunit's parallel tests do not see each other's output.
    /// </summary>
    public static class Machine
    {
        [ThreadStatic] private static StringBuilder? serial;
        [ThreadStatic] private static List<(ushort Port, uint Value)>? writes;

        /// <summary>Everything written to COM1's data port since the last <see cref="Reset"/>.</summary>
        public static string Serial => (serial ??= new StringBuilder()).ToString();

        /// <summary>Every port write since the last <see cref="Reset"/>.</summary>
        public static IReadOnlyList<(ushort Port, uint Value)> PortWrites => writes ??= new();

        public static void Reset()
        {
            serial = new StringBuilder();
            writes = new();
            reads = new();
            scripted = new();
        }

        internal static void Write(ushort port, uint value)
        {
            (writes ??= new()).Add((port, value));
            if (port == 0x3F8)
            {
                (serial ??= new StringBuilder()).Append((char)value);
            }
            if (port == QemuExit.Port)
            {
                throw new KernelExited((byte)value);
            }
        }

        [ThreadStatic] private static Queue<(ushort Port, uint Value)>? scripted;
        [ThreadStatic] private static List<ushort>? reads;

        /// <summary>Every port read since the last <see cref="Reset"/>.</summary>
        public static IReadOnlyList<ushort> PortReads => reads ??= new();

        /// <summary>The next read of <paramref name="port"/> returns <paramref name="value"/> (in the order queued), then the model's value.</summary>
        public static void QueueRead(ushort port, uint value) => (scripted ??= new()).Enqueue((port, value));

        internal static uint Read(ushort port)
        {
            (reads ??= new()).Add(port);
            if (scripted is { Count: > 0 } q && q.Peek().Port == port)
            {
                return q.Dequeue().Value;
            }
            return Model(port);
        }

        private static uint Model(ushort port) => port switch
        {
            0x3FD or 0x2FD => 0x20, // line status: transmitter empty
            0x64 => 0x1C, // the 8042's status: input buffer empty (kreset's wait), system flag, command
            _ => 0xFF,
        };
    }

    public static class Port
    {
        public static byte Inb(ushort port) => (byte)Machine.Read(port);
        public static void Outb(ushort port, byte value) => Machine.Write(port, value);
        public static ushort Inw(ushort port) => (ushort)Machine.Read(port);
        public static void Outw(ushort port, ushort value) => Machine.Write(port, value);
        public static uint Ind(ushort port) => Machine.Read(port);
        public static void Outd(ushort port, uint value) => Machine.Write(port, value);
    }

    public static class Cpu
    {
        public static void Halt() => throw new KernelHalted(Machine.Serial);
        public static void DisableInterrupts() { }
        public static void EnableInterrupts() { }
        public static void Pause() => System.Threading.Thread.SpinWait(1);
        public static ulong ReadRbp() => 0;
    }

    public static unsafe class Atomic
    {
        public static ulong Load(ulong* p) => System.Threading.Volatile.Read(ref *p);
        public static void Store(ulong* p, ulong value) => System.Threading.Interlocked.Exchange(ref *p, value);
        public static ulong CompareExchange(ulong* p, ulong expected, ulong value) => System.Threading.Interlocked.CompareExchange(ref *p, value, expected);
        public static ulong FetchAdd(ulong* p, ulong value) => System.Threading.Interlocked.Add(ref *p, value) - value;
    }

    public static class QemuExit
    {
        public const ushort Port = 0xF4;
        public static void Exit(byte code) => throw new KernelExited(code);
    }
}

namespace Kernel.Hal
{
    public static class Platform
    {
        /// <summary>The host has no recursive mapping and no kernel stack to walk.</summary>
        public static bool IsBareMetal => false;
    }
}

namespace Kernel.Hal
{
    /// <summary>
    /// The host's context switch: there is no second kernel stack to continue on, so a switch is
    /// recorded (from, to) for the test to see and returns at once, as if the other context had
    /// switched straight back.
    /// </summary>
    public static unsafe class ContextSwitch
    {
        public static int Switches;
        public static void* LastFrom;
        public static void* LastTo;

        public static void Switch(void* from, void* to)
        {
            Switches++;
            LastFrom = from;
            LastTo = to;
        }

        /// <summary>A recognisable stand-in for asm/context.asm's entry trampoline.</summary>
        public const ulong ENTRY = 0xC0FFEE;

        public static ulong EntryAddress() => ENTRY;

        /// <summary>A recognisable stand-in for asm/context.asm's signal handler wrapper.</summary>
        public const ulong SIGNAL_WRAPPER = 0x516A1;

        public static ulong SignalHandlerWrapperAddress() => SIGNAL_WRAPPER;

        /// <summary>A recognisable stand-in for asm/interrupt.asm's clone_ret.</summary>
        public const ulong CLONE_RET = 0xC10E;

        public static ulong CloneRetAddress() => CLONE_RET;

        public static void EnableAndHalt() => Cpu.Halt();

        public static void EnableAndNop() { }
    }
}
