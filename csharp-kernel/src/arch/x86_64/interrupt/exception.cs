using System.Runtime;
using core.fmt;
using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.pti;
using Kernel.Hal;

namespace Kernel.arch.x86_64.interrupt
{
    /// <summary>
    /// interrupt/exception.rs: the CPU exception handlers. Each vector has an entry stub in
    /// asm/interrupt.asm (the original's interrupt_stack!/interrupt_stack_p!/interrupt_error_p!
    /// macros: it pushes the registers, then calls the handler here with the frame) and a body
    /// here that prints what the original prints, then signals the current context.
    /// </summary>
    public static unsafe class Exception
    {
        // Signal numbers of redox_syscall's flag.rs
        public const ulong SIGILL = 4;
        public const ulong SIGTRAP = 5;
        public const ulong SIGBUS = 7;
        public const ulong SIGFPE = 8;
        public const ulong SIGSEGV = 11;

        /// <summary>The entry stub of vector 0 (interrupt_stack_p!).</summary>
        public static ulong DivideByZero => Registers.InterruptEntry(0);

        [RuntimeExport("kernel_exception_divide_by_zero")]
        public static void DivideByZeroInner(InterruptStackP* stack)
        {
            Pti.Map();
            Println("Divide by zero");
            stack->Dump();
            Trace.StackTrace();
            KSignal(SIGFPE);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 1 (interrupt_stack!).</summary>
        public static ulong Debug => Registers.InterruptEntry(1);

        [RuntimeExport("kernel_exception_debug")]
        public static void DebugInner(InterruptStack* stack)
        {
            Pti.Map();
            Println("Debug trap");
            stack->Dump();
            KSignal(SIGTRAP);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 2 (interrupt_stack!).</summary>
        public static ulong NonMaskable => Registers.InterruptEntry(2);

        [RuntimeExport("kernel_exception_non_maskable")]
        public static void NonMaskableInner(InterruptStack* stack)
        {
            Pti.Map();
            Println("Non-maskable interrupt");
            stack->Dump();
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 3 (interrupt_stack!).</summary>
        public static ulong Breakpoint => Registers.InterruptEntry(3);

        [RuntimeExport("kernel_exception_breakpoint")]
        public static void BreakpointInner(InterruptStack* stack)
        {
            Pti.Map();
            Println("Breakpoint trap");
            stack->Dump();
            KSignal(SIGTRAP);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 4 (interrupt_stack_p!).</summary>
        public static ulong Overflow => Registers.InterruptEntry(4);

        [RuntimeExport("kernel_exception_overflow")]
        public static void OverflowInner(InterruptStackP* stack)
        {
            Pti.Map();
            Println("Overflow trap");
            stack->Dump();
            Trace.StackTrace();
            KSignal(SIGFPE);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 5 (interrupt_stack_p!).</summary>
        public static ulong BoundRange => Registers.InterruptEntry(5);

        [RuntimeExport("kernel_exception_bound_range")]
        public static void BoundRangeInner(InterruptStackP* stack)
        {
            Pti.Map();
            Println("Bound range exceeded fault");
            stack->Dump();
            Trace.StackTrace();
            KSignal(SIGSEGV);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 6 (interrupt_stack_p!).</summary>
        public static ulong InvalidOpcode => Registers.InterruptEntry(6);

        [RuntimeExport("kernel_exception_invalid_opcode")]
        public static void InvalidOpcodeInner(InterruptStackP* stack)
        {
            Pti.Map();
            Println("Invalid opcode fault");
            stack->Dump();
            Trace.StackTrace();
            KSignal(SIGILL);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 7 (interrupt_stack_p!).</summary>
        public static ulong DeviceNotAvailable => Registers.InterruptEntry(7);

        [RuntimeExport("kernel_exception_device_not_available")]
        public static void DeviceNotAvailableInner(InterruptStackP* stack)
        {
            Pti.Map();
            Println("Device not available fault");
            stack->Dump();
            Trace.StackTrace();
            KSignal(SIGILL);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 8 (interrupt_error_p!).</summary>
        public static ulong DoubleFault => Registers.InterruptEntry(8);

        [RuntimeExport("kernel_exception_double_fault")]
        public static void DoubleFaultInner(InterruptErrorStackP* stack)
        {
            Pti.Map();
            Println("Double fault");
            stack->Dump();
            Trace.StackTrace();
            KSignal(SIGSEGV);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 10 (interrupt_error_p!).</summary>
        public static ulong InvalidTss => Registers.InterruptEntry(10);

        [RuntimeExport("kernel_exception_invalid_tss")]
        public static void InvalidTssInner(InterruptErrorStackP* stack)
        {
            Pti.Map();
            Println("Invalid TSS fault");
            stack->Dump();
            Trace.StackTrace();
            KSignal(SIGSEGV);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 11 (interrupt_error_p!).</summary>
        public static ulong SegmentNotPresent => Registers.InterruptEntry(11);

        [RuntimeExport("kernel_exception_segment_not_present")]
        public static void SegmentNotPresentInner(InterruptErrorStackP* stack)
        {
            Pti.Map();
            Println("Segment not present fault");
            stack->Dump();
            Trace.StackTrace();
            KSignal(SIGSEGV);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 12 (interrupt_error_p!).</summary>
        public static ulong StackSegment => Registers.InterruptEntry(12);

        [RuntimeExport("kernel_exception_stack_segment")]
        public static void StackSegmentInner(InterruptErrorStackP* stack)
        {
            Pti.Map();
            Println("Stack segment fault");
            stack->Dump();
            Trace.StackTrace();
            KSignal(SIGSEGV);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 13 (interrupt_error_p!).</summary>
        public static ulong Protection => Registers.InterruptEntry(13);

        [RuntimeExport("kernel_exception_protection")]
        public static void ProtectionInner(InterruptErrorStackP* stack)
        {
            Pti.Map();
            Println("Protection fault");
            stack->Dump();
            Trace.StackTrace();
            KSignal(SIGSEGV);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 14 (interrupt_error_p!).</summary>
        public static ulong Page => Registers.InterruptEntry(14);

        [RuntimeExport("kernel_exception_page")]
        public static void PageInner(InterruptErrorStackP* stack)
        {
            Pti.Map();
            ulong cr2 = Registers.ReadCr2();
            using (var w = Writer.New())
            {
                w.Str("Page fault: ");
                w.UpperHexPadded(cr2, 16);
                w.Str("\n");
            }
            stack->Dump();
            Trace.StackTrace();
            KSignal(SIGSEGV);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 16 (interrupt_stack_p!).</summary>
        public static ulong Fpu => Registers.InterruptEntry(16);

        [RuntimeExport("kernel_exception_fpu")]
        public static void FpuInner(InterruptStackP* stack)
        {
            Pti.Map();
            Println("FPU floating point fault");
            stack->Dump();
            Trace.StackTrace();
            KSignal(SIGFPE);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 17 (interrupt_error_p!).</summary>
        public static ulong AlignmentCheck => Registers.InterruptEntry(17);

        [RuntimeExport("kernel_exception_alignment_check")]
        public static void AlignmentCheckInner(InterruptErrorStackP* stack)
        {
            Pti.Map();
            Println("Alignment check fault");
            stack->Dump();
            Trace.StackTrace();
            KSignal(SIGBUS);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 18 (interrupt_stack_p!).</summary>
        public static ulong MachineCheck => Registers.InterruptEntry(18);

        [RuntimeExport("kernel_exception_machine_check")]
        public static void MachineCheckInner(InterruptStackP* stack)
        {
            Pti.Map();
            Println("Machine check fault");
            stack->Dump();
            Trace.StackTrace();
            KSignal(SIGBUS);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 19 (interrupt_stack_p!).</summary>
        public static ulong Simd => Registers.InterruptEntry(19);

        [RuntimeExport("kernel_exception_simd")]
        public static void SimdInner(InterruptStackP* stack)
        {
            Pti.Map();
            Println("SIMD floating point fault");
            stack->Dump();
            Trace.StackTrace();
            KSignal(SIGFPE);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 20 (interrupt_stack_p!).</summary>
        public static ulong Virtualization => Registers.InterruptEntry(20);

        [RuntimeExport("kernel_exception_virtualization")]
        public static void VirtualizationInner(InterruptStackP* stack)
        {
            Pti.Map();
            Println("Virtualization fault");
            stack->Dump();
            Trace.StackTrace();
            KSignal(SIGBUS);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 30 (interrupt_error_p!).</summary>
        public static ulong Security => Registers.InterruptEntry(30);

        [RuntimeExport("kernel_exception_security")]
        public static void SecurityInner(InterruptErrorStackP* stack)
        {
            Pti.Map();
            Println("Security exception");
            stack->Dump();
            Trace.StackTrace();
            KSignal(SIGBUS);
            Pti.Unmap();
        }

        private static void Println(string line)
        {
            using (var w = Writer.New())
            {
                w.Str(line);
                w.Str("\n");
            }
        }

        /// <summary>lib.rs's `ksignal` (src/lib.cs), which every handler above but the NMI's calls.</summary>
        private static void KSignal(ulong signal) => Lib.KSignal(signal);
    }
}
