namespace Harness.Qemu;

/// <summary>How to start one QEMU run. Defaults match the reference boots (q35, 2 GiB, 1 CPU, std VGA).</summary>
public sealed record QemuOptions
{
    /// <summary>The raw disk image to boot (from DiskImageBuilder).</summary>
    public required string DiskImage { get; init; }

    /// <summary>QEMU machine type: q35 or pc.</summary>
    public string Machine { get; init; } = "q35";

    public int MemoryMiB { get; init; } = 2048;

    public int Cpus { get; init; } = 1;

    /// <summary>QEMU -vga value: std, none, cirrus, ...</summary>
    public string Vga { get; init; } = "std";

    /// <summary>The whole run, from QEMU's start; then the run ends as <see cref="BootOutcome.Timeout"/>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>After a serial line starting "PANIC:", how long to keep collecting before QEMU is stopped.</summary>
    public TimeSpan PanicGrace { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// End the run as <see cref="BootOutcome.Idle"/> once COM1 has been silent this long after its last byte
    /// (null: never). For a boot that runs processes: the kernel's idle loop with nothing left to run.
    /// </summary>
    public TimeSpan? QuietEnd { get; init; }

    /// <summary>
    /// With <see cref="QuietEnd"/>: silence counts only after a COM1 line starting with this (null: from the
    /// start). Redox's kmain prints "BSP: " first: a boot's own slow stretches before it are not idleness.
    /// </summary>
    public string? QuietAfter { get; init; }

    /// <summary>How many of the last serial lines a timeout reports.</summary>
    public int TailLines { get; init; } = 20;

    /// <summary>QEMU's gdb stub: where it listens (null: no stub).</summary>
    public GdbEndpoint? Gdb { get; init; }

    /// <summary>Start with the CPUs stopped (-S), for a debugger to attach first.</summary>
    public bool StartPaused { get; init; }

    /// <summary>Open the disk with snapshot=on: the image is never written and several runs may share it.</summary>
    public bool SnapshotDisk { get; init; } = true;

    /// <summary>Pass -nodefaults (no default NIC, parallel port, CD-ROM). The reference boots did not.</summary>
    public bool NoDefaults { get; init; }

    /// <summary>The CPU QEMU and every thread it starts are pinned to (<see cref="CpuAffinity"/>); null: not pinned.</summary>
    public int? Cpu { get; init; }

    /// <summary>QEMU -accel value (tcg, kvm); null leaves QEMU's default (tcg).</summary>
    public string? Accel { get; init; }

    /// <summary>More arguments, appended last.</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    /// <summary>The QEMU executable: a name looked up on the search path, or a path.</summary>
    public string Executable { get; init; } = QemuRunner.DefaultExecutable;

    /// <summary>The folders to look for <see cref="Executable"/> in (PATH syntax); null: the PATH variable.</summary>
    public string? SearchPath { get; init; }

    /// <summary>
    /// Where the run's files go (debugcon.log, qemu.log). Null: a fresh temporary
    /// folder, removed after the run (the transcript keeps their text).
    /// </summary>
    public string? WorkDirectory { get; init; }
}

/// <summary>Where QEMU's gdb stub listens.</summary>
public abstract record GdbEndpoint
{
    private GdbEndpoint() { }

    /// <summary>The -gdb argument.</summary>
    public abstract string ToQemuArgument();

    public sealed record Tcp(int Port, string Host = "127.0.0.1") : GdbEndpoint
    {
        public override string ToQemuArgument() => $"tcp:{Host}:{Port}";
    }

    public sealed record UnixSocket(string Path) : GdbEndpoint
    {
        public override string ToQemuArgument() => $"unix:{Path},server=on,wait=off";
    }
}
