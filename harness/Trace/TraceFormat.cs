namespace Harness.Trace;

/// <summary>The format versions a trace file can declare in its header's <c>format</c> field.</summary>
public static class TraceFormat
{
    /// <summary>The project's own trace format, written by <see cref="TraceWriter"/> (see traces/FORMAT.md).</summary>
    public const string Current = "redox-trace/4";

    /// <summary>
    /// <c>redox-trace/4</c> without the <c>contexts</c> records (every live context's state, the scheme list). Still read
    /// (traces/reference/ holds such recordings).
    /// </summary>
    public const string Version3 = "redox-trace/3";

    /// <summary>
    /// <c>redox-trace/3</c> without the process records of version 3 (<c>process</c>, <c>address_space</c>, a syscall's
    /// <c>stack</c>, an event's <c>context</c>): the syscall records only. Still read (traces/reference/ holds such recordings).
    /// </summary>
    public const string Version2 = "redox-trace/2";

    /// <summary>
    /// The first version of the project's format: a <c>redox-trace/2</c> trace without the process records
    /// (<c>syscall</c>). Still read (traces/reference/ holds such recordings).
    /// </summary>
    public const string Version1 = "redox-trace/1";

    /// <summary>The format of the recordings of the original kernel in shared/reference (read only).</summary>
    public const string Observations1 = "redox-observations/1";

    /// <summary>Every format <see cref="TraceReader"/> understands.</summary>
    public static readonly IReadOnlyList<string> Known = [Current, Version3, Version2, Version1, Observations1];

    /// <summary>The suffix of a trace that is still being written, or whose run did not finish.</summary>
    public const string PartialSuffix = ".partial";
}
