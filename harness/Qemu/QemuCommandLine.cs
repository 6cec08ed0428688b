using System.Globalization;

namespace Harness.Qemu;

/// <summary>The files a run's devices write to.</summary>
public sealed record QemuRunFiles(string DebugconLog, string QemuLog)
{
    public static QemuRunFiles In(string directory) =>
        new(Path.Combine(directory, "debugcon.log"), Path.Combine(directory, "qemu.log"));
}

/// <summary>Builds QEMU's arguments for a run.</summary>
public static class QemuCommandLine
{
    /// <summary>
    /// The arguments (without the executable). COM1 goes to QEMU's stdout, the
    /// loader's debugcon (port 0xE9) and QEMU's own log to files; isa-debug-exit
    /// sits at 0xF4; a triple fault or reset ends QEMU (-no-reboot) and is
    /// logged (-d cpu_reset); a guest power-off (ACPI S5) is logged by the trace
    /// event qemu_system_shutdown_request, which a reset does not emit.
    /// </summary>
    public static IReadOnlyList<string> Build(QemuOptions options, QemuRunFiles files)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(files);
        if (options.MemoryMiB <= 0)
            throw new ArgumentException($"memory must be positive, not {options.MemoryMiB} MiB", nameof(options));
        if (options.Cpus <= 0)
            throw new ArgumentException($"CPU count must be positive, not {options.Cpus}", nameof(options));
        if (options.DiskImage.Contains(','))
            throw new ArgumentException($"disk image path {options.DiskImage} contains a comma, which QEMU's -drive cannot take", nameof(options));

        var args = new List<string>();
        if (options.NoDefaults)
            args.Add("-nodefaults");
        args.AddRange(["-machine", options.Machine]);
        if (options.Accel is { } accel)
            args.AddRange(["-accel", accel]);
        args.AddRange(["-m", options.MemoryMiB.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["-smp", options.Cpus.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["-vga", options.Vga]);
        args.AddRange(["-display", "none"]);
        args.Add("-no-reboot");
        args.AddRange(["-monitor", "none"]);
        args.AddRange(["-serial", "stdio"]);
        args.AddRange(["-debugcon", "file:" + files.DebugconLog]);
        args.AddRange(["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]);
        var drive = $"file={options.DiskImage},format=raw,if=ide,index=0,media=disk";
        if (options.SnapshotDisk)
            drive += ",snapshot=on";
        args.AddRange(["-drive", drive]);
        args.AddRange(["-d", "guest_errors,cpu_reset", "-D", files.QemuLog]);
        args.AddRange(["-trace", QemuRunner.ShutdownTraceEvent]);
        if (options.Gdb is { } gdb)
            args.AddRange(["-gdb", gdb.ToQemuArgument()]);
        if (options.StartPaused)
            args.Add("-S");
        args.AddRange(options.ExtraArgs);
        return args;
    }
}
