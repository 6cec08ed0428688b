using Tomlyn.Syntax;

namespace Harness.Scenarios;

// A small semantic view of a Tomlyn syntax tree that keeps every key's and value's span, so that
// each error can name the line of the offending key or value. Tomlyn's own validation (run by
// SyntaxParser.Parse(..., validate: true)) has already refused redefined keys and tables when this
// is built, so the builder only has to follow TOML's rules for headers, dotted keys and [[arrays]].

public abstract class TNode(SourceSpan span)
{
    public SourceSpan Span { get; } = span;

    /// <summary>The TOML type name used in messages ("a string", "an integer", ...).</summary>
    public abstract string Describe();
}

public sealed record TEntry(string Key, SourceSpan KeySpan, TNode Value);

public sealed class TTable(SourceSpan span) : TNode(span)
{
    private readonly Dictionary<string, TEntry> _byKey = new(StringComparer.Ordinal);

    public List<TEntry> Entries { get; } = [];

    public TEntry? Find(string key) => _byKey.GetValueOrDefault(key);

    public void Add(TEntry entry)
    {
        _byKey[entry.Key] = entry;
        Entries.Add(entry);
    }

    public override string Describe() => "a table";
}

public sealed class TArray(SourceSpan span) : TNode(span)
{
    public List<TNode> Items { get; } = [];

    public override string Describe() => "an array";
}

public sealed class TScalar(ValueSyntax syntax) : TNode(syntax.Span)
{
    public ValueSyntax Syntax { get; } = syntax;

    public override string Describe() => Syntax switch
    {
        StringValueSyntax => "a string",
        IntegerValueSyntax => "an integer",
        FloatValueSyntax => "a float",
        BooleanValueSyntax => "a boolean",
        DateTimeValueSyntax => "a date-time",
        _ => "a value",
    };
}

/// <summary>The builder's own refusals (should not happen after Tomlyn's validation).</summary>
public sealed class TomlTreeException(SourceSpan span, string message) : Exception(message)
{
    public SourceSpan Span { get; } = span;
}

public static class TomlTree
{
    public static TTable Build(DocumentSyntax doc)
    {
        var root = new TTable(new SourceSpan(doc.Span.FileName, new TextPosition(0, 0, 0), new TextPosition(0, 0, 0)));
        foreach (var kv in doc.KeyValues)
            AddKeyValue(root, kv);

        foreach (var table in doc.Tables)
        {
            var name = table.Name ?? throw new TomlTreeException(table.Span, "table header without a name");
            var path = KeyPath(name);
            var parent = root;
            for (var i = 0; i < path.Count - 1; i++)
                parent = Descend(parent, path[i], name.Span, table.Span);

            var last = path[^1];
            TTable target;
            if (table is TableArraySyntax)
            {
                var existing = parent.Find(last);
                TArray array;
                if (existing is null)
                {
                    array = new TArray(table.Span);
                    parent.Add(new TEntry(last, name.Span, array));
                }
                else if (existing.Value is TArray a)
                {
                    array = a;
                }
                else
                {
                    throw new TomlTreeException(name.Span, $"`{last}` is already defined as {existing.Value.Describe()}");
                }

                target = new TTable(table.Span);
                array.Items.Add(target);
            }
            else
            {
                var existing = parent.Find(last);
                if (existing is null)
                {
                    target = new TTable(table.Span);
                    parent.Add(new TEntry(last, name.Span, target));
                }
                else if (existing.Value is TTable t)
                {
                    target = t;
                }
                else
                {
                    throw new TomlTreeException(name.Span, $"`{last}` is already defined as {existing.Value.Describe()}");
                }
            }

            foreach (var kv in table.Items)
                AddKeyValue(target, kv);
        }

        return root;
    }

    private static TTable Descend(TTable parent, string key, SourceSpan keySpan, SourceSpan tableSpan)
    {
        var existing = parent.Find(key);
        switch (existing?.Value)
        {
            case null:
                var t = new TTable(tableSpan);
                parent.Add(new TEntry(key, keySpan, t));
                return t;
            case TTable table:
                return table;
            case TArray { Items.Count: > 0 } array when array.Items[^1] is TTable lastTable:
                return lastTable;
            default:
                throw new TomlTreeException(keySpan, $"`{key}` is already defined as {existing.Value.Describe()}");
        }
    }

    private static void AddKeyValue(TTable table, KeyValueSyntax kv)
    {
        var key = kv.Key ?? throw new TomlTreeException(kv.Span, "key/value without a key");
        var value = kv.Value ?? throw new TomlTreeException(kv.Span, "key/value without a value");
        var path = KeyPath(key);
        var parent = table;
        for (var i = 0; i < path.Count - 1; i++)
            parent = Descend(parent, path[i], key.Span, key.Span);
        if (parent.Find(path[^1]) is { } dup)
            throw new TomlTreeException(key.Span, $"the key `{path[^1]}` is already defined at line {dup.KeySpan.Start.Line + 1}");
        parent.Add(new TEntry(path[^1], key.Span, Convert(value)));
    }

    private static TNode Convert(ValueSyntax value)
    {
        switch (value)
        {
            case ArraySyntax array:
            {
                var result = new TArray(array.Span);
                foreach (var item in array.Items)
                {
                    if (item.Value is { } v)
                        result.Items.Add(Convert(v));
                }

                return result;
            }

            case InlineTableSyntax inline:
            {
                var result = new TTable(inline.Span);
                foreach (var item in inline.Items)
                {
                    if (item.KeyValue is { } kv)
                        AddKeyValue(result, kv);
                }

                return result;
            }

            default:
                return new TScalar(value);
        }
    }

    private static List<string> KeyPath(KeySyntax key)
    {
        var path = new List<string> { KeyText(key.Key, key.Span) };
        foreach (var dotted in key.DotKeys)
            path.Add(KeyText(dotted.Key, dotted.Span));
        return path;
    }

    private static string KeyText(BareKeyOrStringValueSyntax? key, SourceSpan span) => key switch
    {
        BareKeySyntax bare => bare.Key?.Text ?? throw new TomlTreeException(span, "empty key"),
        StringValueSyntax str => str.Value ?? "",
        _ => throw new TomlTreeException(span, "unexpected key syntax"),
    };
}
