using Harness.Diff;
using Harness.Trace;
using TraceModel = Harness.Trace.Trace;

namespace Harness.Report;

/// <summary>What `harness diff` and `harness report` are asked to compare.</summary>
public sealed record DiffRequest
{
    /// <summary>Trace A (the reference, the original): a trace file or a folder holding one.</summary>
    public required string PathA { get; init; }

    /// <summary>Trace B (the port).</summary>
    public required string PathB { get; init; }

    /// <summary>
    /// The registry of accepted divergences. Null: <see cref="DiffSession.DefaultRegistry"/> when it exists, else none.
    /// A path given explicitly must exist.
    /// </summary>
    public string? RegistryPath { get; init; }

    /// <summary>Compare traces of different scenarios anyway.</summary>
    public bool ForceScenario { get; init; }

    /// <summary>Compare the complete prefix of an incomplete trace (the result is then never equal).</summary>
    public bool ComparePrefix { get; init; }
}

/// <summary>
/// Input the diff commands refuse: a trace that cannot be read (the message names the file and line),
/// traces of different scenarios (naming both), an incomplete trace, a malformed registry.
/// </summary>
public sealed class ReportInputException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Two traces read, compared with the registry: everything a terminal summary or an HTML report needs.</summary>
public sealed class DiffSession
{
    /// <summary>The registry used when none is named and it exists (relative to the working directory).</summary>
    public const string DefaultRegistry = "traces/divergences.toml";

    /// <summary>Creates a session from traces already read and compared.</summary>
    public DiffSession(TraceModel a, TraceModel b, DiffResult result, string? registryPath)
    {
        A = a;
        B = b;
        Result = result;
        RegistryPath = registryPath;
    }

    /// <summary>Trace A (the reference).</summary>
    public TraceModel A { get; }

    /// <summary>Trace B (the port).</summary>
    public TraceModel B { get; }

    /// <summary>The comparison.</summary>
    public DiffResult Result { get; }

    /// <summary>The registry file used, or null when none was.</summary>
    public string? RegistryPath { get; }

    /// <summary>Reads both traces and the registry and compares them.</summary>
    /// <exception cref="ReportInputException">A trace or the registry cannot be read, or the comparison is refused.</exception>
    public static DiffSession Run(DiffRequest request)
    {
        var a = Read(request.PathA);
        var b = Read(request.PathB);
        string? registryPath = request.RegistryPath;
        DivergenceRegistry registry;
        if (registryPath is null && File.Exists(DefaultRegistry)) registryPath = DefaultRegistry;
        if (registryPath is null)
            registry = DivergenceRegistry.Empty;
        else if (!File.Exists(registryPath))
            throw new ReportInputException($"{registryPath}: registry of accepted divergences not found");
        else
        {
            try { registry = DivergenceRegistry.Load(registryPath); }
            catch (RegistryFormatException e) { throw new ReportInputException(e.Message, e); }
        }
        try
        {
            var result = TraceDiffer.Compare(a, b,
                new DiffOptions { AllowScenarioMismatch = request.ForceScenario, CompareIncompletePrefix = request.ComparePrefix }, registry);
            return new DiffSession(a, b, result, registryPath);
        }
        catch (DiffRefusedException e)
        {
            var hint = a.Header.Scenario != b.Header.Scenario && !request.ForceScenario
                ? " — pass --force-scenario to compare them anyway"
                : !request.ComparePrefix ? " — pass --prefix to compare what it holds" : "";
            var message = e.Message.Replace(" (force with AllowScenarioMismatch)", "", StringComparison.Ordinal)
                .Replace(" (compare its complete prefix with CompareIncompletePrefix)", "", StringComparison.Ordinal);
            throw new ReportInputException(message + hint, e);
        }
    }

    /// <summary>Reads one trace; a missing, corrupt or truncated file is a <see cref="ReportInputException"/> naming it (and the line).</summary>
    public static TraceModel Read(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new ReportInputException($"{path}: no such trace file or folder");
        try { return TraceReader.Read(path); }
        catch (TraceFormatException e) { throw new ReportInputException("cannot read trace " + e.Message, e); }
    }

    /// <summary>The exit status of the diff commands: 0 only when every observable is equal or accepted, else 1.</summary>
    public int ExitCode => Result.Passed ? 0 : 1;
}
