namespace Harness.Cli;

/// <summary>The harness's exit statuses (documented in `harness --help`).</summary>
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
}
