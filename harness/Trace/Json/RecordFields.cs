using System.Text.Json;
using System.Text.Json.Nodes;

namespace Harness.Trace.Json;

/// <summary>
/// Typed access to one record's fields; every failure becomes a <see cref="TraceFormatException"/>
/// naming the file, the line and the field.
/// </summary>
internal sealed class RecordFields(JsonObject obj, string file, int line)
{
    public JsonObject Object => obj;

    public string Type => String("type");

    public TraceFormatException Error(string problem) => new(file, line, problem);

    /// <summary>Fields of a nested object, reporting errors at the same file and line.</summary>
    public RecordFields With(JsonObject nested) => new(nested, file, line);

    public bool Has(string name) => obj.TryGetPropertyValue(name, out var n) && n is not null;

    public JsonNode? Node(string name) => obj.TryGetPropertyValue(name, out var n) ? n : null;

    public JsonNode Required(string name) =>
        Node(name) ?? throw Error($"'{TypeOrUnknown()}' record lacks the field '{name}'");

    public string String(string name) => AsString(Required(name), name);

    public string? OptString(string name) => Node(name) is { } n ? AsString(n, name) : null;

    public long Long(string name) => (long)ULong(name);

    public ulong ULong(string name) => AsULong(Required(name), name);

    public ulong? OptULong(string name) => Node(name) is { } n ? AsULong(n, name) : null;

    public bool Bool(string name) => Required(name) is JsonValue v && v.TryGetValue<bool>(out var b)
        ? b : throw Error($"field '{name}' is not true/false");

    public double? OptDouble(string name) => Node(name) is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    public JsonArray Array(string name) => Required(name) as JsonArray ?? throw Error($"field '{name}' is not an array");

    public JsonArray? OptArray(string name) => Node(name) is { } n ? n as JsonArray ?? throw Error($"field '{name}' is not an array") : null;

    public JsonObject ObjectField(string name) => Required(name) as JsonObject ?? throw Error($"field '{name}' is not an object");

    public JsonObject? OptObject(string name) => Node(name) is { } n ? n as JsonObject ?? throw Error($"field '{name}' is not an object") : null;

    public byte[]? OptBytes(string name)
    {
        var s = OptString(name);
        if (s is null) return null;
        try { return Hex.DecodeBytes(s); }
        catch (FormatException) { throw Error($"field '{name}' is not a string of hex digit pairs"); }
    }

    /// <summary>Reads a number written either as a JSON number or as a "0x…"/decimal string.</summary>
    public ulong AsULong(JsonNode node, string what)
    {
        if (node is JsonValue v)
        {
            switch (v.GetValueKind())
            {
                case JsonValueKind.Number:
                    if (v.TryGetValue<ulong>(out var u)) return u;
                    if (v.TryGetValue<long>(out var l) && l >= 0) return (ulong)l;
                    break;
                case JsonValueKind.String:
                    if (Hex.TryParse(v.GetValue<string>(), out var h)) return h;
                    break;
            }
        }
        throw Error($"field '{what}' is not a number or 0x… string: {node.ToJsonString()}");
    }

    public string AsString(JsonNode node, string what) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw Error($"field '{what}' is not a string");

    private string TypeOrUnknown() =>
        obj.TryGetPropertyValue("type", out var t) && t is JsonValue v && v.TryGetValue<string>(out var s) ? s : "?";
}
