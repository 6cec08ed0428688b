using System.Collections.Immutable;
using System.Globalization;

namespace Harness.Scenarios;

/// <summary>One problem in a scenario file (or in the JSON areas file it names).</summary>
/// <param name="File">The file at fault, as it was given to the loader.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column, or null when only the line is known.</param>
public sealed record ScenarioError(string File, int Line, int? Column, string Text)
{
    public override string ToString() => Column is { } col
        ? string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}:{col}: {Text}")
        : string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}: {Text}");
}

/// <summary>
/// A scenario (or a set of them) could not be loaded. The message is one line per error, each
/// <c>path:line:col: text</c> (or <c>path:line: text</c>), first error first.
/// </summary>
public sealed class ScenarioException : Exception
{
    public ScenarioException(IEnumerable<ScenarioError> errors)
        : this(errors.ToImmutableArray())
    {
    }

    public ScenarioException(ScenarioError error)
        : this(ImmutableArray.Create(error))
    {
    }

    private ScenarioException(ImmutableArray<ScenarioError> errors)
        : base(Format(errors))
    {
        Errors = errors;
    }

    public ImmutableArray<ScenarioError> Errors { get; }

    /// <summary>The first error (there is always one).</summary>
    public ScenarioError First => Errors[0];

    private static string Format(ImmutableArray<ScenarioError> errors)
    {
        if (errors.IsDefaultOrEmpty)
            throw new ArgumentException("a ScenarioException needs at least one error", nameof(errors));
        return string.Join(Environment.NewLine, errors.Select(e => e.ToString()));
    }
}
