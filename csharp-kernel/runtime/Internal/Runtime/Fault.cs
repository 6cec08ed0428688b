using System.Runtime;
using System.Runtime.CompilerServices;

namespace Internal.Runtime
{
    /// <summary>
    /// What the generated code calls when C# semantics fail (an overflow, a null dereference, an
    /// allocation the kernel never makes). The kernel exports `kernel_runtime_fault` (src/panic.cs):
    /// it prints the reason the way a Rust panic prints and halts.
    /// </summary>
    internal static unsafe class Fault
    {
        [MethodImpl(MethodImplOptions.InternalCall)]
        [RuntimeImport("*", "kernel_runtime_fault")]
        internal static extern void Fail(string reason);
    }
}
