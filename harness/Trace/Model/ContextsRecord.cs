namespace Harness.Trace;

/// <summary>
/// Every live context's state at one moment (<c>contexts</c> record, new in <c>redox-trace/4</c>), read from outside by
/// walking the kernel's context list through the observation map: per context its saved CR3, status, user pages,
/// grants and file table; and the scheme list. Written at the same moments as the <c>address_space</c> records
/// (exec, exit, panic, the calls the map names), after them.
/// </summary>
public sealed record ContextsRecord
{
    /// <summary>The record's sequence number.</summary>
    public required long Seq { get; init; }

    /// <summary>The context whose event this is (the one that exec'd, exits, panicked or made the call).</summary>
    public ulong? Context { get; init; }

    /// <summary>When: as <see cref="AddressSpaceRecord.At"/>.</summary>
    public required string At { get; init; }

    /// <summary>The live contexts in id order.</summary>
    public required IReadOnlyList<ContextState> Contexts { get; init; }

    /// <summary>The scheme list: every (namespace, name, scheme id), in namespace then name order.</summary>
    public required IReadOnlyList<SchemeEntry> Schemes { get; init; }
}

/// <summary>One context: its id, saved CR3 (<c>Context.arch.cr3</c>), status, user pages (as an <c>address_space</c> record's, read from that CR3), grants and file table.</summary>
public sealed record ContextState
{
    /// <summary>The context's id (the context list's key).</summary>
    public required ulong Id { get; init; }

    /// <summary>The saved page-table root (physical; 0 when the context has none yet).</summary>
    public required ulong Cr3 { get; init; }

    /// <summary><c>runnable</c>, <c>blocked</c>, <c>stopped(N)</c>, <c>exited(N)</c> (N the signal or status, decimal), or <c>?(tag)</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The present user pages of <see cref="Cr3"/>'s lower half, in address order (empty when CR3 is 0).</summary>
    public required IReadOnlyList<UserPage> Pages { get; init; }

    /// <summary>The grants in the context's order (<c>grants: Vec&lt;Grant&gt;</c>).</summary>
    public required IReadOnlyList<GrantEntry> Grants { get; init; }

    /// <summary>The open file descriptors in fd order (empty slots left out).</summary>
    public required IReadOnlyList<FileEntry> Files { get; init; }
}

/// <summary>A grant: its user start address, size in bytes and page-table flags as the kernel keeps them.</summary>
public sealed record GrantEntry(ulong Start, ulong Size, ulong Flags);

/// <summary>
/// An open file descriptor: its fd, the scheme of its description (id, and its name in the scheme list: null when no
/// namespace names it), the scheme's own number for it, the description's flags, and the descriptor's cloexec.
/// </summary>
public sealed record FileEntry(ulong Fd, ulong Scheme, string? SchemeName, ulong Number, ulong Flags, bool Cloexec);

/// <summary>A scheme list entry: the namespace, the scheme's name (Latin-1) and its id.</summary>
public sealed record SchemeEntry(ulong Namespace, string Name, ulong Id);
