using System.Text.RegularExpressions;
using Harness.Diff;
using Harness.Trace;
using TraceModel = Harness.Trace.Trace;

namespace Harness.Report;

/// <summary>What a report says about one side's kernel and run, read off its trace header (and PROVENANCE.md beside a reference).</summary>
/// <param name="Label">A or B.</param>
/// <param name="Path">The trace file.</param>
/// <param name="Which">port / original / unknown.</param>
/// <param name="KernelPath">The kernel ELF as the recorder named it.</param>
/// <param name="Sha256">The kernel ELF's SHA-256, or null.</param>
/// <param name="Slot">The kernel slot as text ("0x400000", or a sentence when not recorded).</param>
/// <param name="Qemu">QEMU's version line, or a sentence when not recorded.</param>
/// <param name="Ending">How the boot ended and whether the trace is complete.</param>
public sealed record SideFacts(string Label, string Path, string Which, string? KernelPath, string? Sha256, string Slot, string Qemu, string Ending)
{
    private static readonly Regex QemuLine = new(@"QEMU emulator version [^`\r\n]*?\)", RegexOptions.CultureInvariant);

    /// <summary>Collects the facts of one trace.</summary>
    public static SideFacts Of(string label, TraceModel t)
    {
        var h = t.Header;
        var slot = h.KernelSlot is { } s ? Hex.Format(s)
            : h.Args is { } args ? $"not recorded (kernel_size handed to the kernel: {Hex.Format(args.KernelSize)})"
            : "not recorded";
        var qemu = h.QemuVersion ?? FromProvenance(t.SourcePath) ?? "not recorded";
        var ending = t.End is { } e
            ? $"{e.How}{(e.ReachedKmain ? ", reached kmain" : "")}{(t.IsComplete ? "" : " — INCOMPLETE: " + t.IncompleteReason)}"
            : "no end record — INCOMPLETE: " + t.IncompleteReason;
        return new SideFacts(label, t.SourcePath, h.Kernel.Which ?? "kernel not named", h.Kernel.Path, h.Kernel.Sha256, slot, qemu, ending);
    }

    private static string? FromProvenance(string tracePath)
    {
        try
        {
            var file = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(tracePath)) ?? ".", "PROVENANCE.md");
            if (!File.Exists(file)) return null;
            var m = QemuLine.Match(File.ReadAllText(file));
            return m.Success ? m.Value + " (from PROVENANCE.md)" : null;
        }
        catch (IOException) { return null; }
    }
}

/// <summary>The verdict of a comparison in words, shared by the terminal summary and the HTML report.</summary>
public static class Verdict
{
    /// <summary>The status in capitals: EQUAL, ACCEPTED, DIVERGED, INCOMPLETE, NOT-OBSERVED.</summary>
    public static string Word(DiffResult r) => r.Status.Name().ToUpperInvariant();

    /// <summary>One sentence that explains the verdict.</summary>
    public static string Sentence(DiffResult r) => r.Status switch
    {
        CellStatus.Equal => "every observable is equal at every checkpoint",
        CellStatus.Accepted => "every difference is an accepted divergence (see the registry's reasons)",
        CellStatus.Diverged when r.FirstDivergence is { } f =>
            $"first divergence: {f.Path} ({f.Observable}) leading up to {f.Checkpoint}",
        CellStatus.Diverged => "the traces diverge",
        CellStatus.Incomplete => r.Complete
            ? "an observable was recorded by one side only, so it cannot count as equal"
            : "a trace is incomplete: only its prefix was compared",
        _ => "nothing was observed",
    };

    /// <summary>True when <see cref="DiffResult.Passed"/>: the exit status is 0.</summary>
    public static bool Passed(DiffResult r) => r.Passed;
}

/// <summary>Which rows of the summary table a report shows.</summary>
public static class SummaryRows
{
    /// <summary>The checkpoints shown: all, except the pseudo-checkpoint after the last one when nothing happened there.</summary>
    public static IReadOnlyList<string> Checkpoints(DiffResult r) =>
        r.Checkpoints.Where(cp => cp != BootOrder.AfterLast
            || Observable.PerCheckpoint.Select(o => r.Cell(o, cp)).Any(c => c.Differences.Count > 0 || c.Status is CellStatus.Diverged or CellStatus.Incomplete))
        .ToList();

    /// <summary>A cell as text: the status, and the number of differences when there are any.</summary>
    public static string CellText(ObservableCell c) =>
        c.Differences.Count == 0 ? c.Status.Name() : $"{c.Status.Name()} ({c.Differences.Count})";
}
