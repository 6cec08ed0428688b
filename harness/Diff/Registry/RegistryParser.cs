using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Harness.Diff;

/// <summary>
/// Parses divergences.toml: only <c>[[divergence]]</c> tables, each with the keys of <see cref="AcceptedDivergence"/>.
/// Errors name the file and the 1-based line.
/// </summary>
internal static class RegistryParser
{
    private static readonly HashSet<string> Keys = ["id", "scenario", "scenarios", "observable", "checkpoint", "path", "a", "b", "only_bits", "from", "before", "reason"];

    public static IReadOnlyList<AcceptedDivergence> Parse(string text, string file)
    {
        var doc = SyntaxParser.Parse(text, file, true);
        foreach (var d in doc.Diagnostics)
            if (d.Kind == DiagnosticMessageKind.Error)
                throw new RegistryFormatException(file, d.Span.Start.Line + 1, d.Message);
        foreach (var kv in doc.KeyValues)
            throw new RegistryFormatException(file, Line(kv), $"unexpected top-level key '{kv.Key}': entries go in [[divergence]] tables");

        var entries = new List<AcceptedDivergence>();
        foreach (var table in doc.Tables)
        {
            var line = Line(table);
            if (table is not TableArraySyntax || table.Name?.ToString().Trim() != "divergence")
                throw new RegistryFormatException(file, line, $"unexpected table '{table.Name}': only [[divergence]] entries belong here");
            entries.Add(Entry(table, file, line));
        }
        var dup = entries.GroupBy(e => e.Id).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw new RegistryFormatException(file, dup.Skip(1).First().Line, $"id '{dup.Key}' is used twice (first at line {dup.First().Line})");
        return entries;
    }

    private static AcceptedDivergence Entry(TableSyntaxBase table, string file, int line)
    {
        var values = new Dictionary<string, (ValueSyntax Value, int Line)>();
        foreach (var kv in table.Items)
        {
            var key = kv.Key?.ToString().Trim() ?? "";
            if (!Keys.Contains(key))
                throw new RegistryFormatException(file, Line(kv), $"unknown key '{key}' (known: {string.Join(", ", Keys)})");
            if (!values.TryAdd(key, (kv.Value!, Line(kv))))
                throw new RegistryFormatException(file, Line(kv), $"key '{key}' given twice");
        }

        string? Str(string key)
        {
            if (!values.TryGetValue(key, out var v)) return null;
            return v.Value is StringValueSyntax s ? s.Value
                : throw new RegistryFormatException(file, v.Line, $"'{key}' must be a string");
        }

        string Required(string key) =>
            Str(key) is { Length: > 0 } s ? s : throw new RegistryFormatException(file, line, $"[[divergence]] lacks '{key}' (required)");

        Pattern? Pat(string key)
        {
            var s = Str(key);
            if (s is null) return null;
            try { return new Pattern(s); }
            catch (ArgumentException e) { throw new RegistryFormatException(file, values[key].Line, $"'{key}' is not a valid pattern: {e.Message}"); }
        }

        var scenarios = new List<Pattern>();
        if (Str("scenario") is { } one) scenarios.Add(new Pattern(one));
        if (values.TryGetValue("scenarios", out var many))
        {
            if (many.Value is not ArraySyntax arr) throw new RegistryFormatException(file, many.Line, "'scenarios' must be an array of strings");
            foreach (var item in arr.Items)
                scenarios.Add(item.Value is StringValueSyntax s ? new Pattern(s.Value!)
                    : throw new RegistryFormatException(file, many.Line, "'scenarios' must be an array of strings"));
        }

        List<string>? onlyBits = null;
        if (values.TryGetValue("only_bits", out var bits))
        {
            if (bits.Value is not ArraySyntax arr || !arr.Items.Any() || arr.Items.Any(i => i.Value is not StringValueSyntax { Value.Length: > 0 }))
                throw new RegistryFormatException(file, bits.Line, "'only_bits' must be a non-empty array of flag names (e.g. [\"A\", \"D\"])");
            onlyBits = arr.Items.Select(i => ((StringValueSyntax)i.Value!).Value!).ToList();
        }

        var observable = Required("observable");
        if (!Observable.All.Contains(observable) && observable is not (Observable.Processes or Observable.Hang))
            throw new RegistryFormatException(file, values["observable"].Line,
                $"unknown observable '{observable}' (known: {string.Join(", ", Observable.All)}, {Observable.Processes}, {Observable.Hang})");

        return new AcceptedDivergence
        {
            Id = Required("id"),
            Scenarios = scenarios,
            Observable = observable,
            Checkpoint = Pat("checkpoint"),
            Path = Pat("path") ?? throw new RegistryFormatException(file, line, "[[divergence]] lacks 'path' (required)"),
            A = Pat("a"),
            B = Pat("b"),
            OnlyBits = onlyBits,
            From = Str("from"),
            Before = Str("before"),
            Reason = Required("reason"),
            File = file,
            Line = line,
        };
    }

    private static int Line(SyntaxNodeBase node) => node.Span.Start.Line + 1;
}
