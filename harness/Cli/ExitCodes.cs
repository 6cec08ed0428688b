namespace Harness.Cli;

/// <summary>The harness's exit statuses: `harness --help` prints <see cref="Help"/>, generated from these.</summary>
public static class ExitCodes
{
    /// <summary>The boot ended as expected (boot: a clean isa-debug-exit; diff-boot: every compared observable equal or accepted).</summary>
    public const int Ok = 0;

    /// <summary>The kernel panicked (boot) or the diff found a divergence (diff-boot).</summary>
    public const int Failed = 1;

    /// <summary>Bad input: a scenario, kernel file, option or trace the harness refused.</summary>
    public const int BadInput = 2;

    /// <summary>The boot did not end: timeout, triple fault, reset, QEMU died, loader error, QEMU missing.</summary>
    public const int Aborted = 3;

    /// <summary>A bug in the harness itself (an unexpected exception): its stack trace is printed.</summary>
    public const int InternalError = 4;

    /// <summary>Interrupted by SIGINT (Ctrl-C): QEMU stopped, work folders removed, unfinished traces left as .partial.</summary>
    public const int Interrupted = 130;

    /// <summary>Ended by SIGTERM (or SIGHUP: 129), as Interrupted.</summary>
    public const int Terminated = 143;

    /// <summary>Every status with its meaning, in order (the source of the help text).</summary>
    public static IReadOnlyList<(int Status, string Meaning)> All { get; } =
    [
        (Ok, "ok: the boot ended cleanly, the trace is complete, or every observable is equal or accepted"),
        (Failed, "the kernel panicked (boot) or the traces diverged or one is incomplete (diff, diff-boot, report, gate)"),
        (BadInput, "bad input: a usage error (unknown command or option, a missing or malformed value), a scenario, " +
                   "kernel, map, trace or output path the harness refused; nothing was booted"),
        (Aborted, "the boot did not end: timeout, triple fault, reset, QEMU died or is missing, loader error, an incomplete observation"),
        (InternalError, "a bug in the harness (an unexpected error; its stack trace is printed)"),
        (Interrupted, "interrupted by SIGINT (129 SIGHUP, 143 SIGTERM): QEMU stopped, work folders removed, unfinished traces left as NAME.jsonl.partial"),
    ];

    /// <summary>The "Exit status:" paragraph of `harness --help`.</summary>
    public static string Help => "Exit status:\n" + string.Join("\n", All.Select(s => $"  {s.Status,3}  {s.Meaning}"));
}
