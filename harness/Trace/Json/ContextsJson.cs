using System.Text.Json.Nodes;
using H = Harness.Trace.Hex;

namespace Harness.Trace.Json;

/// <summary>The <c>contexts</c> record of <c>redox-trace/4</c> (traces/FORMAT.md, "Processes").</summary>
internal static class ContextsJson
{
    public const string Type = "contexts";

    public static JsonObject Encode(ContextsRecord r, long seq) => new()
    {
        ["type"] = Type,
        ["seq"] = seq,
        ["context"] = r.Context is { } c ? c : null,
        ["at"] = r.At,
        ["contexts"] = new JsonArray(r.Contexts.Select(x => (JsonNode?)new JsonObject
        {
            ["id"] = x.Id,
            ["cr3"] = H.Format(x.Cr3),
            ["status"] = x.Status,
            ["pages"] = new JsonArray(x.Pages.Select(p => (JsonNode?)new JsonArray(H.Format(p.Va), H.Format(p.Entry), p.Sha256)).ToArray()),
            ["grants"] = new JsonArray(x.Grants.Select(g => (JsonNode?)new JsonArray(H.Format(g.Start), H.Format(g.Size), H.Format(g.Flags))).ToArray()),
            ["files"] = new JsonArray(x.Files.Select(f => (JsonNode?)new JsonObject
            {
                ["fd"] = f.Fd, ["scheme"] = f.Scheme, ["name"] = f.SchemeName, ["number"] = H.Format(f.Number), ["flags"] = H.Format(f.Flags),
                ["cloexec"] = f.Cloexec,
            }).ToArray()),
        }).ToArray()),
        ["schemes"] = new JsonArray(r.Schemes.Select(s => (JsonNode?)new JsonArray(s.Namespace, s.Name, s.Id)).ToArray()),
    };

    public static ContextsRecord Decode(RecordFields f)
    {
        var contexts = new List<ContextState>();
        var ca = f.Array("contexts");
        for (var i = 0; i < ca.Count; i++)
        {
            var where = $"contexts[{i}]";
            if (ca[i] is not JsonObject o) throw f.Error($"{where} is not an object");
            var pages = new List<UserPage>();
            foreach (var (p, j) in Items(f, o, "pages", where))
            {
                if (p is not JsonArray a || a.Count != 3 || a.Any(x => x is null)) throw f.Error($"{where}.pages[{j}] is not [va, entry, sha256]");
                pages.Add(new UserPage(f.AsULong(a[0]!, $"{where}.pages[{j}][0]"), f.AsULong(a[1]!, $"{where}.pages[{j}][1]"), f.AsString(a[2]!, $"{where}.pages[{j}][2]")));
            }
            var grants = new List<GrantEntry>();
            foreach (var (g, j) in Items(f, o, "grants", where))
            {
                if (g is not JsonArray a || a.Count != 3 || a.Any(x => x is null)) throw f.Error($"{where}.grants[{j}] is not [start, size, flags]");
                grants.Add(new GrantEntry(f.AsULong(a[0]!, $"{where}.grants[{j}][0]"), f.AsULong(a[1]!, $"{where}.grants[{j}][1]"), f.AsULong(a[2]!, $"{where}.grants[{j}][2]")));
            }
            var files = new List<FileEntry>();
            foreach (var (x, j) in Items(f, o, "files", where))
            {
                var w = $"{where}.files[{j}]";
                if (x is not JsonObject e) throw f.Error($"{w} is not an object");
                files.Add(new FileEntry(Req(f, e, "fd", w), Req(f, e, "scheme", w), e["name"] is { } n ? f.AsString(n, $"{w}.name") : null,
                    Req(f, e, "number", w), Req(f, e, "flags", w), e["cloexec"] is JsonValue b && b.TryGetValue<bool>(out var cl) ? cl : throw f.Error($"{w}.cloexec is not a boolean")));
            }
            contexts.Add(new ContextState
            {
                Id = Req(f, o, "id", where), Cr3 = Req(f, o, "cr3", where),
                Status = o["status"] is { } s ? f.AsString(s, $"{where}.status") : throw f.Error($"{where} has no status"),
                Pages = pages, Grants = grants, Files = files,
            });
        }
        var schemes = new List<SchemeEntry>();
        var sa = f.Array("schemes");
        for (var i = 0; i < sa.Count; i++)
        {
            if (sa[i] is not JsonArray a || a.Count != 3 || a.Any(x => x is null)) throw f.Error($"schemes[{i}] is not [namespace, name, id]");
            schemes.Add(new SchemeEntry(f.AsULong(a[0]!, $"schemes[{i}][0]"), f.AsString(a[1]!, $"schemes[{i}][1]"), f.AsULong(a[2]!, $"schemes[{i}][2]")));
        }
        return new ContextsRecord { Seq = f.Long("seq"), Context = f.OptULong("context"), At = f.String("at"), Contexts = contexts, Schemes = schemes };
    }

    private static IEnumerable<(JsonNode? Item, int Index)> Items(RecordFields f, JsonObject o, string key, string where) =>
        o[key] is JsonArray a ? a.Select((x, i) => (x, i)) : throw f.Error($"{where}.{key} is not an array");

    private static ulong Req(RecordFields f, JsonObject o, string key, string where) =>
        o[key] is { } v ? f.AsULong(v, $"{where}.{key}") : throw f.Error($"{where} has no {key}");
}
