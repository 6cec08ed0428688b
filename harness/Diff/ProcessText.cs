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

    /// <summary>
    /// The first difference the diff finds between two <c>contexts</c> records (its path, both sides' text, what it is),
    /// or null when they agree under FORMAT.md's normalisation.
    /// </summary>
    public static (string Path, string A, string B, string What)? ContextsDifference(ContextsRecord a, ContextsRecord b) => ContextsComparer.First(a, b);

    /// <summary>One context as the reports list it: status, CR3, user pages, grants and open files.</summary>
    public static string Context(ContextState c) =>
        $"{c.Status}, CR3 {Hex.Format(c.Cr3)}, {c.Pages.Count} user pages; grants: " +
        (c.Grants.Count == 0 ? "none" : string.Join(", ", c.Grants.Select(g => $"{Hex.Format(g.Start)}+{Hex.Format(g.Size)} ({Hex.Format(g.Flags)})"))) +
        "; files: " + (c.Files.Count == 0 ? "none" : string.Join(", ", c.Files.Select(f =>
            $"{f.Fd}→{f.SchemeName ?? "?"}:{f.Scheme}#{Hex.Format(f.Number)} {Hex.Format(f.Flags)}{(f.Cloexec ? " cloexec" : "")}")));
}
