using System.Text;
using System.Text.RegularExpressions;

namespace Harness.Diff;

/// <summary>
/// A text pattern of divergences.toml: a glob (<c>*</c> any run of characters, <c>?</c> one character,
/// everything else literal) or, with the prefix <c>re:</c>, a .NET regular expression. Both match the whole text.
/// </summary>
public sealed class Pattern
{
    private readonly Regex _regex;

    /// <summary>Compiles <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">The <c>re:</c> expression is not valid.</exception>
    public Pattern(string text)
    {
        Text = text;
        var expr = text.StartsWith("re:", StringComparison.Ordinal) ? $"^(?:{text[3..]})$" : GlobToRegex(text);
        _regex = new Regex(expr, RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>True when the whole of <paramref name="value"/> matches.</summary>
    public bool Matches(string value) => _regex.IsMatch(value);

    /// <inheritdoc />
    public override string ToString() => Text;

    private static string GlobToRegex(string glob)
    {
        var sb = new StringBuilder("^");
        foreach (var c in glob)
            sb.Append(c switch { '*' => ".*", '?' => ".", _ => Regex.Escape(c.ToString()) });
        return sb.Append('$').ToString();
    }
}
