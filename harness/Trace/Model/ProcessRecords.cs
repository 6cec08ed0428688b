namespace Harness.Trace;

/// <summary>
/// One event of a context's life as the observer saw it from outside (<c>process</c> record, new in
/// <c>redox-trace/3</c>): read at the syscall dispatcher's stops (the calls' arguments, results and the user memory
/// they name) and at the kernel's signal handler. <see cref="Event"/> says which fields are set.
/// </summary>
public sealed record ProcessRecord
{
    /// <summary><c>clone</c>, <c>exec</c>, <c>exit</c>, <c>waitpid</c> or <c>signal</c>.</summary>
    public static readonly IReadOnlyList<string> Events = ["clone", "exec", "exit", "waitpid", "signal"];

    /// <summary>The record's sequence number.</summary>
    public required long Seq { get; init; }

    /// <summary>One of <see cref="Events"/>.</summary>
    public required string Event { get; init; }

    /// <summary>The context the event happened in (the parent of a clone, the caller of exec, exit and waitpid, the context a signal is delivered to).</summary>
    public ulong? Context { get; init; }

    /// <summary>clone: the child's id (the call's result; null when it failed or never returned).</summary>
    public ulong? Child { get; init; }

    /// <summary>clone: the flags (<c>CLONE_VM</c>, <c>CLONE_FS</c>, <c>CLONE_FILES</c>, <c>CLONE_VFORK</c>, …).</summary>
    public ulong? Flags { get; init; }

    /// <summary>exec: the path, as the call passed it (Latin-1: one character per byte).</summary>
    public string? Path { get; init; }

    /// <summary>exec: the arguments, as the call passed them.</summary>
    public IReadOnlyList<string>? Args { get; init; }

    /// <summary>exit: the status the kernel keeps (<c>(code &amp; 0xFF) &lt;&lt; 8</c>); waitpid: the status written to user space (null when none was asked for or the call failed).</summary>
    public ulong? Status { get; init; }

    /// <summary>waitpid: the pid asked for (0 = any child).</summary>
    public ulong? Pid { get; init; }

    /// <summary>waitpid, exec: the call's result (<c>-errno</c> as 64 bits on error), null for an exec that succeeded (it never returns).</summary>
    public ulong? Result { get; init; }

    /// <summary>signal: the signal number delivered.</summary>
    public ulong? Signal { get; init; }
}

/// <summary>
/// A context's user address space at one moment (<c>address_space</c> record, new in <c>redox-trace/3</c>): every
/// present 4 KiB user page (the lower half of its page tables, read from its CR3 in physical memory) with its
/// page-table entry and a hash of its frame's contents.
/// </summary>
public sealed record AddressSpaceRecord
{
    /// <summary>The record's sequence number.</summary>
    public required long Seq { get; init; }

    /// <summary>The context whose address space this is (the current one).</summary>
    public ulong? Context { get; init; }

    /// <summary>When: <c>exec</c> (the new image, at its first system call), <c>exit</c> (at the exit call), <c>call:NAME</c> (at a call the map names), <c>panic</c>.</summary>
    public required string At { get; init; }

    /// <summary>The PML4's physical address (CR3 without its low bits).</summary>
    public required ulong Cr3 { get; init; }

    /// <summary>The present user pages in address order.</summary>
    public required IReadOnlyList<UserPage> Pages { get; init; }
}

/// <summary>One present user page: its virtual address, its leaf entry as the kernel wrote it (frame and flags), and the first 16 hex digits of the SHA-256 of its frame's 4 KiB.</summary>
public sealed record UserPage(ulong Va, ulong Entry, string Sha256)
{
    /// <summary>The physical frame the entry maps.</summary>
    public ulong Frame => Entry & 0x000F_FFFF_FFFF_F000;

    /// <summary>The entry's flags without the frame (bits 0–11 and 52–63), with the CPU-set accessed (5) and dirty (6) bits removed.</summary>
    public ulong Flags => Entry & ~0x000F_FFFF_FFFF_F000UL & ~0x60UL;
}
