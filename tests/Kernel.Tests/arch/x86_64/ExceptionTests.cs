using Kernel.arch.x86_64.interrupt;
using Kernel.Hal;

namespace Kernel.Tests.arch.x86_64;

[Collection(ArchGlobals.Name)]
public unsafe class ExceptionTests
{
    [Fact]
    public void Page_fault_prints_cr2_the_frame_the_trace_and_the_signal_then_panics()
    {
        Machine.Reset();
        Registers.Reset();
        Registers.ResetTls();
        Registers.Set("cr2", 0xdead000);
        var stack = new InterruptErrorStackP
        {
            fs = 0x18,
            code = 2,
            iret = new IretRegisters { rip = 0xffffff0000101234, cs = 8, rflags = 0x10046 },
            scratch = new ScratchRegisters { rax = 1, rcx = 2, rdx = 3, rdi = 4, rsi = 5, r8 = 6, r9 = 7, r10 = 8, r11 = 9 },
            preserved = new PreservedRegisters { rbx = 10, rbp = 11, r12 = 12, r13 = 13, r14 = 14, r15 = 15 },
        };
        InterruptErrorStackP* frame = &stack;
        var halted = Assert.Throws<KernelHalted>(() => Exception.PageInner(frame));
        Assert.Equal(
            "Page fault: 000000000DEAD000\n" +
            "RFLAG: 0000000000010046\nCS:    0000000000000008\nRIP:   FFFFFF0000101234\n" +
            "CODE:  0000000000000002\n" +
            "RAX:   0000000000000001\nRCX:   0000000000000002\nRDX:   0000000000000003\nRDI:   0000000000000004\n" +
            "RSI:   0000000000000005\nR8:    0000000000000006\nR9:    0000000000000007\nR10:   0000000000000008\nR11:   0000000000000009\n" +
            "RBX:   000000000000000A\nRBP:   000000000000000B\nR12:   000000000000000C\nR13:   000000000000000D\nR14:   000000000000000E\nR15:   000000000000000F\n" +
            "FS:    0000000000000018\n" +
            "TRACE: 0000000000000000\n" +
            "SIGNAL 11, CPU 0, PID ContextId(0)\n" +
            "PANIC: exit failed to find context: No such process\nFILE: src/syscall/process.rs\nLINE: 916\n" +
            "TRACE: 0000000000000000\nHALT\n",
            halted.Serial);
    }

    [Fact]
    public void Non_maskable_interrupt_prints_and_returns()
    {
        Machine.Reset();
        var stack = new InterruptStack { fs = 0x18, iret = new IretRegisters { rip = 1, cs = 8, rflags = 2 } };
        Exception.NonMaskableInner(&stack);
        Assert.StartsWith("Non-maskable interrupt\nRFLAG: 0000000000000002\nCS:    0000000000000008\nRIP:   0000000000000001\nRAX:", Machine.Serial);
        Assert.EndsWith("FS:    0000000000000018\n", Machine.Serial);
    }

    [Fact]
    public void Frames_have_the_original_layout()
    {
        Assert.Equal(9 * 8, sizeof(ScratchRegisters));
        Assert.Equal(6 * 8, sizeof(PreservedRegisters));
        Assert.Equal(13 * 8, sizeof(InterruptStack));
        Assert.Equal(14 * 8, sizeof(InterruptErrorStack));
        Assert.Equal(19 * 8, sizeof(InterruptStackP));
        Assert.Equal(20 * 8, sizeof(InterruptErrorStackP));
        Assert.Equal(14 * 8, sizeof(SyscallStack));
    }
}
