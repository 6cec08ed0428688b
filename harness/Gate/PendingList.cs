using Harness.Scenarios;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Harness.Gate;

/// <summary>One scenario the port is known not to pass yet, with what it lacks (a line of traces/pending.toml).</summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Reason">What the port lacks for it (the port's missing part, and the issue).</param>
/// <param name="Location">FILE:LINE of the entry.</param>
public sealed record PendingScenario(string Scenario, string Reason, string Location);

/// <summary>
/// traces/pending.toml: the scenarios the port does not pass yet because a part of the kernel is still being ported
/// (a strict "expected failure", never a registry of accepted divergences). The gate still runs each of them: one that
/// fails is reported as <c>pending</c> with its first divergence and does not fail the gate; one that passes fails the
/// gate until its entry is removed, so the list can only shrink honestly. An entry naming no scenario is an error.
/// <code>
/// [[pending]]
/// scenario = "user-clone"
/// reason = "clone is not ported yet (issue 13)"
/// </code>
/// </summary>
public sealed class PendingList
{
    /// <summary>The list's file name, beside a scenario folder (traces/pending.toml for traces/scenarios).</summary>
    public const string FileName = "pending.toml";

    private readonly Dictionary<string, PendingScenario> _byName;

    private PendingList(Dictionary<string, PendingScenario> byName) => _byName = byName;

    /// <summary>No scenario pending.</summary>
    public static PendingList Empty { get; } = new(new Dictionary<string, PendingScenario>(StringComparer.Ordinal));

    /// <summary>Every entry, by scenario name.</summary>
    public IReadOnlyCollection<PendingScenario> Entries => _byName.Values;

    /// <summary>The entry for a scenario, or null.</summary>
    public PendingScenario? Find(string scenario) => _byName.GetValueOrDefault(scenario);

    /// <summary>Reads the list; a missing file is an empty list.</summary>
    /// <exception cref="GateInputException">The file is malformed (the message names file and line).</exception>
    public static PendingList Load(string path)
    {
        if (!File.Exists(path)) return Empty;
        var doc = SyntaxParser.Parse(File.ReadAllText(path), path, validate: true);
        if (doc.HasErrors)
        {
            var d = doc.Diagnostics.First(x => x.Kind == DiagnosticMessageKind.Error);
            throw new GateInputException($"{path}:{d.Span.Start.Line + 1}: {d.Message}");
        }
        TTable root;
        try { root = TomlTree.Build(doc); }
        catch (TomlTreeException e) { throw new GateInputException($"{path}:{e.Span.Start.Line + 1}: {e.Message}"); }

        string At(SourceSpan span) => $"{path}:{span.Start.Line + 1}";
        var byName = new Dictionary<string, PendingScenario>(StringComparer.Ordinal);
        foreach (var entry in root.Entries)
        {
            if (entry.Key != "pending")
                throw new GateInputException($"{At(entry.KeySpan)}: unknown key \"{entry.Key}\" (only [[pending]] tables)");
            if (entry.Value is not TArray array)
                throw new GateInputException($"{At(entry.KeySpan)}: \"pending\" must be an array of tables ([[pending]])");
            foreach (var item in array.Items)
            {
                if (item is not TTable t)
                    throw new GateInputException($"{At(item.Span)}: a [[pending]] entry must be a table");
                string Text(string key)
                {
                    var e = t.Find(key) ?? throw new GateInputException($"{At(t.Span)}: [[pending]] entry without \"{key}\"");
                    if (e.Value is not TScalar { Syntax: StringValueSyntax s } || string.IsNullOrWhiteSpace(s.Value))
                        throw new GateInputException($"{At(e.KeySpan)}: \"{key}\" must be a non-empty string");
                    return s.Value!;
                }
                foreach (var e in t.Entries.Where(e => e.Key is not ("scenario" or "reason")))
                    throw new GateInputException($"{At(e.KeySpan)}: unknown key \"{e.Key}\" in [[pending]] (scenario, reason)");
                var name = Text("scenario");
                var p = new PendingScenario(name, Text("reason"), At(t.Find("scenario")!.KeySpan));
                if (!byName.TryAdd(name, p))
                    throw new GateInputException($"{p.Location}: scenario \"{name}\" is pending twice (also {byName[name].Location})");
            }
        }
        return new PendingList(byName);
    }

    /// <summary>Refuses an entry that names no scenario of the folder.</summary>
    /// <exception cref="GateInputException">An entry names a scenario that does not exist.</exception>
    public void CheckNames(IEnumerable<string> scenarioNames)
    {
        var known = scenarioNames.ToHashSet(StringComparer.Ordinal);
        foreach (var p in _byName.Values.OrderBy(p => p.Location, StringComparer.Ordinal))
            if (!known.Contains(p.Scenario))
                throw new GateInputException($"{p.Location}: pending scenario \"{p.Scenario}\" does not exist: remove the entry");
    }

    /// <summary>
    /// The gate's verdict once the pending list is applied: a pending scenario that did not pass becomes
    /// <see cref="GateStage.Verdict.Pending"/>; one that passed fails, naming the entry to remove. Load failures stay.
    /// </summary>
    public GateStage.Outcome Apply(GateStage.Outcome o)
    {
        if (Find(o.Name) is not { } p || o.Verdict == GateStage.Verdict.FailedToLoad)
            return o;
        if (o.Verdict is GateStage.Verdict.Equal or GateStage.Verdict.Accepted)
            return o with
            {
                Verdict = GateStage.Verdict.Failed,
                Message = $"passes ({o.Verdict.Word()}) but {p.Location} lists it as pending (\"{p.Reason}\"): remove the entry",
            };
        return o with { Verdict = GateStage.Verdict.Pending, Message = $"{o.Verdict.Word()}: {o.Message} (pending: {p.Reason})" };
    }
}
