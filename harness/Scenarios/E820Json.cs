using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Harness.Scenarios;

/// <summary>
/// Reads an E820 map in the format of the reference observations' <c>e820.json</c>: one JSON array of
/// areas, each <c>[base, length, type, acpi]</c> (unsigned integers; <c>acpi</c> may be left out and is
/// then 0). Errors name the JSON file with line and column.
/// </summary>
public static class E820Json
{
    /// <summary>Read and validate the areas of <paramref name="path"/>; throws <see cref="ScenarioException"/>.</summary>
    public static ImmutableArray<E820Area> Load(string path)
    {
        var errors = new List<ScenarioError>();
        var areas = Read(path, path, errors);
        if (errors.Count > 0)
            throw new ScenarioException(errors);
        return areas;
    }

    /// <summary>The canonical text of a map in this format (as the reference's e820.json files are written).</summary>
    public static string Format(IEnumerable<E820Area> areas) =>
        "[" + string.Join(", ", areas.Select(a => string.Create(CultureInfo.InvariantCulture,
            $"[{a.Base}, {a.Length}, {a.Type}, {a.Acpi}]"))) + "]";

    /// <summary>Read <paramref name="path"/>; problems are added to <paramref name="errors"/> under the name <paramref name="display"/>.</summary>
    internal static ImmutableArray<E820Area> Read(string path, string display, List<ScenarioError> errors)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new ScenarioError(display, 1, null, $"cannot read the file: {e.Message}"));
            return [];
        }

        var start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        var data = bytes.AsMemory(start);
        var before = errors.Count;
        var result = ImmutableArray.CreateBuilder<E820Area>();

        void Fail(long offset, string text)
        {
            var (line, col) = Position(data.Span, offset);
            errors.Add(new ScenarioError(display, line, col, text));
        }

        var reader = new Utf8JsonReader(data.Span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                Fail(reader.TokenStartIndex, "expected a JSON array of areas [[base, length, type, acpi], ...]");
                return [];
            }

            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var entryStart = reader.TokenStartIndex;
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    Fail(entryStart, $"area {index}: expected an array [base, length, type, acpi]");
                    reader.Skip();
                    index++;
                    continue;
                }

                if (index == E820Spec.MaxAreas)
                {
                    Fail(entryStart, $"area {index}: more than {E820Spec.MaxAreas} areas do not fit at 0x500..0x5000 ({E820Spec.MaxAreas} entries of {E820Spec.EntrySize} bytes)");
                    return [];
                }

                var values = new List<(ulong Value, long Offset)>();
                var ok = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var offset = reader.TokenStartIndex;
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out var v))
                    {
                        values.Add((v, offset));
                    }
                    else
                    {
                        Fail(offset, $"area {index}: field {values.Count} must be an unsigned integer");
                        ok = false;
                        if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                            reader.Skip();
                        values.Add((0, offset));
                    }
                }

                if (!ok)
                {
                    index++;
                    continue;
                }

                if (values.Count is not (3 or 4))
                {
                    Fail(entryStart, $"area {index}: expected [base, length, type, acpi] (3 or 4 numbers), found {values.Count}");
                    index++;
                    continue;
                }

                var names = new[] { "type", "acpi" };
                for (var f = 2; f < values.Count; f++)
                {
                    if (values[f].Value > uint.MaxValue)
                    {
                        Fail(values[f].Offset, $"area {index}: {names[f - 2]} {values[f].Value} does not fit in 32 bits");
                        ok = false;
                    }
                }

                var area = new E820Area(values[0].Value, values[1].Value, (uint)Math.Min(values[2].Value, uint.MaxValue),
                    values.Count == 4 ? (uint)Math.Min(values[3].Value, uint.MaxValue) : 0);
                if (ScenarioLoader.CheckWidth(area) is { } problem)
                {
                    Fail(entryStart, $"area {index}: {problem}");
                    ok = false;
                }

                if (ok)
                    result.Add(area);
                index++;
            }

            if (reader.Read())
                Fail(reader.TokenStartIndex, "unexpected data after the array of areas");
        }
        catch (JsonException e)
        {
            errors.Add(new ScenarioError(display, (int)(e.LineNumber ?? 0) + 1,
                e.BytePositionInLine is { } b ? (int)b + 1 : null, JsonMessage(e)));
        }

        return errors.Count == before ? result.ToImmutable() : [];
    }

    private static string JsonMessage(JsonException e)
    {
        // System.Text.Json appends " LineNumber: n | BytePositionInLine: m." to its messages; the
        // position is already at the front of ours.
        var m = e.Message;
        var cut = m.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return "invalid JSON: " + (cut > 0 ? m[..cut] : m);
    }

    private static (int Line, int Column) Position(ReadOnlySpan<byte> data, long offset)
    {
        var line = 1;
        var lineStart = 0;
        var end = (int)Math.Min(offset, data.Length);
        for (var i = 0; i < end; i++)
        {
            if (data[i] == (byte)'\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, end - lineStart + 1);
    }
}
