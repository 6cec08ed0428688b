using System.Runtime;
using core.fmt;
using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.interrupt;

namespace Kernel
{
    /// <summary>
    /// panic.rs: what `panic!` prints — "PANIC: msg", "FILE: path", "LINE: n", the stack trace,
    /// "HALT" — then halt forever. Call sites pass the ORIGINAL's file and line (e.g.
    /// "src/arch/x86_64/paging/mod.rs", 123) so that the serial log matches the original's.
    /// </summary>
    public static unsafe class Panic
    {
        /// <summary>`panic!("msg")` at the original's file:line.</summary>
        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        public static void Fail(string message, string file, uint line)
        {
            using (var w = Writer.New())
            {
                w.Str("PANIC: ");
                w.Str(message);
                w.Str("\n");
            }
            End(file, line);
        }

        /// <summary>
        /// Starts a panic whose message has arguments: "PANIC: " is written and the writer returned
        /// for the caller to write the message into; then the caller calls <see cref="End(Writer, string, uint)"/>.
        /// </summary>
        public static Writer Begin()
        {
            var w = Writer.New();
            w.Str("PANIC: ");
            return w;
        }

        /// <summary>Ends the "PANIC:" line begun by <see cref="Begin"/> and the panic.</summary>
        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        public static void End(Writer w, string file, uint line)
        {
            w.Str("\n");
            w.Dispose();
            End(file, line);
        }

        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        private static void End(string file, uint line)
        {
            using (var w = Writer.New())
            {
                w.Str("FILE: ");
                w.Str(file);
                w.Str("\n");
            }
            using (var w = Writer.New())
            {
                w.Str("LINE: ");
                w.Dec(line);
                w.Str("\n");
            }
            Trace.StackTrace();
            using (var w = Writer.New())
            {
                w.Str("HALT\n");
            }
            while (true)
            {
                Interrupt.Halt();
            }
        }

        /// <summary>
        /// What the generated code calls when C# semantics fail (runtime/Internal/Runtime/Fault.cs):
        /// an overflow, a null dereference... The Rust equivalents are panics from core.
        /// </summary>
        /// <summary>A stack buffer overrun detected by the generated code's cookie check.</summary>
        [RuntimeExport("kernel_fail_fast")]
        public static void FailFast()
        {
            Fail("stack buffer overrun", "csharp-kernel (runtime)", 0);
        }

        [RuntimeExport("kernel_runtime_fault")]
        public static void RuntimeFault(string reason)
        {
            Fail(reason, "csharp-kernel (runtime)", 0);
        }
    }
}
