using Harness.Diff.Compare;
using Harness.Trace;

namespace Harness.Diff;

/// <summary>Process records as the diff compares and shows them (for reports).</summary>
public static class ProcessText
{
    /// <summary>A call: <c>write(0x1, 0x1000, 0x6, 0x0, 0x0) = 0x6</c>, errors as <c>-N (errno)</c>.</summary>
    public static string Syscall(SyscallRecord s) => SyscallsComparer.Text(s);

    /// <summary>The kernel-side call stack at a call, innermost first.</summary>
    public static string Stack(SyscallRecord s) => SyscallsComparer.StackText(s);

    /// <summary>A lifecycle record as compared: <c>exit status 0x2b00</c>, <c>clone(flags 0x0) → child 3</c>, ….</summary>
    public static string Lifecycle(ProcessRecord p) => ProcessesComparer.Text(p);
}
