using System.Text.Json.Nodes;

namespace Harness.Trace.Json;

/// <summary>The <c>process</c> and <c>address_space</c> records of <c>redox-trace/3</c> (traces/FORMAT.md, "Processes").</summary>
internal static class ProcessJson
{
    public const string ProcessType = "process";
    public const string AddressSpaceType = "address_space";

    public static JsonObject Encode(ProcessRecord p, long seq)
    {
        if (!ProcessRecord.Events.Contains(p.Event)) throw new ArgumentException($"unknown process event '{p.Event}'", nameof(p));
        var o = new JsonObject { ["type"] = ProcessType, ["seq"] = seq, ["event"] = p.Event, ["context"] = p.Context is { } c ? c : null };
        switch (p.Event)
        {
            case "clone":
                o["child"] = p.Child is { } child ? child : null;
                o["flags"] = Hex(p.Flags);
                break;
            case "exec":
                o["path"] = p.Path;
                o["args"] = p.Args is null ? null : new JsonArray(p.Args.Select(a => (JsonNode?)a).ToArray());
                o["result"] = Hex(p.Result);
                break;
            case "exit":
                o["status"] = Hex(p.Status);
                break;
            case "waitpid":
                o["pid"] = p.Pid is { } pid ? pid : null;
                o["result"] = Hex(p.Result);
                o["status"] = Hex(p.Status);
                break;
            case "signal":
                o["signal"] = p.Signal is { } s ? s : null;
                break;
        }
        return o;
    }

    public static ProcessRecord DecodeProcess(RecordFields f)
    {
        var e = f.String("event");
        if (!ProcessRecord.Events.Contains(e))
            throw f.Error($"'process' record: unknown event '{e}' (known: {string.Join(", ", ProcessRecord.Events)})");
        return new ProcessRecord
        {
            Seq = f.Long("seq"), Event = e, Context = f.OptULong("context"), Child = f.OptULong("child"), Flags = f.OptULong("flags"),
            Path = f.OptString("path"),
            Args = f.OptArray("args")?.Select((x, i) => x is null ? throw f.Error($"args[{i}] is null") : f.AsString(x, $"args[{i}]")).ToArray(),
            Status = f.OptULong("status"), Pid = f.OptULong("pid"), Result = f.OptULong("result"), Signal = f.OptULong("signal"),
        };
    }

    public static JsonObject Encode(AddressSpaceRecord a, long seq) => new()
    {
        ["type"] = AddressSpaceType,
        ["seq"] = seq,
        ["context"] = a.Context is { } c ? c : null,
        ["at"] = a.At,
        ["cr3"] = Harness.Trace.Hex.Format(a.Cr3),
        ["pages"] = new JsonArray(a.Pages.Select(p => (JsonNode?)new JsonArray(Harness.Trace.Hex.Format(p.Va), Harness.Trace.Hex.Format(p.Entry), p.Sha256)).ToArray()),
    };

    public static AddressSpaceRecord DecodeAddressSpace(RecordFields f)
    {
        var pages = new List<UserPage>();
        var a = f.Array("pages");
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] is not JsonArray p || p.Count != 3 || p.Any(x => x is null)) throw f.Error($"pages[{i}] is not [va, entry, sha256]");
            pages.Add(new UserPage(f.AsULong(p[0]!, $"pages[{i}][0]"), f.AsULong(p[1]!, $"pages[{i}][1]"), f.AsString(p[2]!, $"pages[{i}][2]")));
        }
        return new AddressSpaceRecord { Seq = f.Long("seq"), Context = f.OptULong("context"), At = f.String("at"), Cr3 = f.ULong("cr3"), Pages = pages };
    }

    private static JsonNode? Hex(ulong? v) => v is { } x ? Harness.Trace.Hex.Format(x) : null;
}
