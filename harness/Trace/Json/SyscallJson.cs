using System.Text.Json.Nodes;

namespace Harness.Trace.Json;

/// <summary>The <c>syscall</c> record of <c>redox-trace/2</c> (traces/FORMAT.md, "Processes").</summary>
internal static class SyscallJson
{
    public const string Type = "syscall";

    public static JsonObject Encode(SyscallRecord s, long seq)
    {
        if (s.Args.Count != 5) throw new ArgumentException($"a syscall has five arguments, not {s.Args.Count}", nameof(s));
        return new JsonObject
        {
            ["type"] = Type,
            ["seq"] = seq,
            ["context"] = s.Context is { } c ? c : null,
            ["number"] = Hex.Format(s.Number),
            ["name"] = s.Name,
            ["args"] = new JsonArray(s.Args.Select(a => (JsonNode?)Hex.Format(a)).ToArray()),
            ["result"] = s.Result is { } r ? Hex.Format(r) : null,
            ["errno"] = s.Errno,
            ["caller"] = s.Caller,
            ["stack"] = s.Stack is null ? null : new JsonArray(s.Stack.Select(x => (JsonNode?)x).ToArray()),
        };
    }

    public static SyscallRecord Decode(RecordFields f)
    {
        if (f.Required("args") is not JsonArray a || a.Count != 5 || a.Any(x => x is null))
            throw f.Error("'syscall' record: args is not an array of five values");
        var number = f.ULong("number");
        return new SyscallRecord
        {
            Seq = f.Long("seq"),
            Context = f.OptULong("context"),
            Number = number,
            Name = f.OptString("name") ?? SyscallNames.Name(number),
            Args = a.Select((x, i) => f.AsULong(x!, $"args[{i}]")).ToArray(),
            Result = f.OptULong("result"),
            Caller = f.OptString("caller"),
            Stack = f.OptArray("stack")?.Select((x, i) => x is null ? throw f.Error($"stack[{i}] is null") : f.AsString(x, $"stack[{i}]")).ToArray(),
        };
    }
}
