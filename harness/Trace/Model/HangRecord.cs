using System.Text.Json.Nodes;

namespace Harness.Trace;

/// <summary>
/// A <c>hang</c> record (traces/FORMAT.md, "hang"): where the CPU was when the observer interrupted a kernel that had
/// done nothing observable for the scenario's quiet window, written right after the <c>hang</c> checkpoint's state.
/// A record type added to <c>redox-trace/3</c>: a reader that does not know it keeps it among
/// <see cref="Trace.OtherRecords"/>, which is where <see cref="Of"/> finds it.
/// </summary>
/// <param name="Seq">The record's sequence number.</param>
/// <param name="Checkpoint">Always <see cref="CheckpointName"/>.</param>
/// <param name="Rip">RIP at the interrupt.</param>
/// <param name="At">RIP symbolised in this kernel's ELF (<c>symbol + offset</c>), or the address when no symbol holds it.</param>
/// <param name="Role">The map's role (<c>[roles]</c>) of the function RIP is in, or null.</param>
/// <param name="Stack">The kernel stack's return addresses from RSP, innermost first, symbolised (as <c>syscall.stack</c>).</param>
/// <param name="Roles">The roles of RIP and of each stack entry, innermost first, repeats in a row merged: what the diff compares.</param>
public sealed record HangRecord(long Seq, string Checkpoint, ulong Rip, string At, string? Role, IReadOnlyList<string> Stack, IReadOnlyList<string> Roles)
{
    /// <summary>The name of the checkpoint a hang is recorded as (and of the record type).</summary>
    public const string CheckpointName = "hang";

    /// <summary>The record as JSON.</summary>
    public JsonObject Encode(long seq) => new()
    {
        ["type"] = "hang",
        ["seq"] = seq,
        ["checkpoint"] = Checkpoint,
        ["rip"] = Hex.Format(Rip),
        ["at"] = At,
        ["role"] = Role,
        ["stack"] = new JsonArray([.. Stack.Select(s => (JsonNode)JsonValue.Create(s)!)]),
        ["roles"] = new JsonArray([.. Roles.Select(s => (JsonNode)JsonValue.Create(s)!)]),
    };

    /// <summary>The trace's <c>hang</c> record, or null when it has none.</summary>
    /// <exception cref="TraceFormatException">The record lacks a field or has one of the wrong type.</exception>
    public static HangRecord? Of(Trace trace)
    {
        var o = trace.OtherRecords.FirstOrDefault(r => (string?)r["type"] == "hang");
        if (o is null) return null;
        try
        {
            var rip = (string?)o["rip"] ?? throw new FormatException("no rip");
            if (!Hex.TryParse(rip, out var value)) throw new FormatException($"rip '{rip}' is not a number");
            return new HangRecord(
                (long?)o["seq"] ?? 0,
                (string?)o["checkpoint"] ?? CheckpointName,
                value,
                (string?)o["at"] ?? throw new FormatException("no at"),
                (string?)o["role"],
                [.. (o["stack"] as JsonArray ?? throw new FormatException("no stack")).Select(x => (string?)x ?? "")],
                [.. (o["roles"] as JsonArray ?? throw new FormatException("no roles")).Select(x => (string?)x ?? "")]);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            throw new TraceFormatException(trace.SourcePath, null, $"the hang record (seq {o["seq"]}): {e.Message}");
        }
    }

    /// <summary>
    /// The roles of a hang's location: <paramref name="ripRole"/> then <paramref name="stackRoles"/> (null: no role),
    /// innermost first, without the nulls and with repeats in a row merged.
    /// </summary>
    public static IReadOnlyList<string> MergeRoles(string? ripRole, IEnumerable<string?> stackRoles)
    {
        var roles = new List<string>();
        foreach (var r in stackRoles.Prepend(ripRole))
            if (r is not null && (roles.Count == 0 || roles[^1] != r))
                roles.Add(r);
        return roles;
    }
}
