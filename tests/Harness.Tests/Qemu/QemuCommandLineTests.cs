using Harness.Qemu;

namespace Harness.Tests.Qemu;

/// <summary>The arguments QEMU gets, without running it.</summary>
public sealed class QemuCommandLineTests
{
    private static readonly QemuRunFiles Files = QemuRunFiles.In("/tmp/run");

    private static IReadOnlyList<string> Build(Func<QemuOptions, QemuOptions>? adjust = null)
    {
        var options = new QemuOptions { DiskImage = "/tmp/disk.img" };
        return QemuCommandLine.Build(adjust?.Invoke(options) ?? options, Files);
    }

    private static string? After(IReadOnlyList<string> args, string flag)
    {
        var i = args.ToList().IndexOf(flag);
        return i >= 0 && i + 1 < args.Count ? args[i + 1] : null;
    }

    [Fact]
    public void Defaults_are_the_reference_machine()
    {
        var args = Build();

        Assert.Equal("q35", After(args, "-machine"));
        Assert.Equal("2048", After(args, "-m"));
        Assert.Equal("1", After(args, "-smp"));
        Assert.Equal("std", After(args, "-vga"));
        Assert.Equal("none", After(args, "-display"));
        Assert.Equal("none", After(args, "-monitor"));
        Assert.Equal("stdio", After(args, "-serial"));
        Assert.Contains("-no-reboot", args);
        Assert.DoesNotContain("-nodefaults", args);
        Assert.DoesNotContain("-S", args);
        Assert.Null(After(args, "-gdb"));
    }

    [Fact]
    public void Devices_for_the_loader_channel_and_exit_are_there()
    {
        var args = Build();

        Assert.Equal("file:/tmp/run/debugcon.log", After(args, "-debugcon"));
        Assert.Equal("isa-debug-exit,iobase=0xf4,iosize=0x04", After(args, "-device"));
        Assert.Equal("file=/tmp/disk.img,format=raw,if=ide,index=0,media=disk,snapshot=on", After(args, "-drive"));
        Assert.Equal("guest_errors,cpu_reset", After(args, "-d"));
        Assert.Equal("/tmp/run/qemu.log", After(args, "-D"));
        Assert.Equal("qemu_system_shutdown_request", After(args, "-trace")); // a power-off's mark in qemu.log
    }

    [Fact]
    public void Options_change_the_machine()
    {
        var args = Build(o => o with
        {
            Machine = "pc",
            MemoryMiB = 512,
            Cpus = 4,
            Vga = "none",
            NoDefaults = true,
            Accel = "tcg",
            SnapshotDisk = false,
            ExtraArgs = ["-cpu", "max"],
        });

        Assert.Equal("pc", After(args, "-machine"));
        Assert.Equal("512", After(args, "-m"));
        Assert.Equal("4", After(args, "-smp"));
        Assert.Equal("none", After(args, "-vga"));
        Assert.Equal("-nodefaults", args[0]);
        Assert.Equal("tcg", After(args, "-accel"));
        Assert.DoesNotContain("snapshot=on", After(args, "-drive"));
        Assert.Equal(["-cpu", "max"], args.TakeLast(2));
    }

    [Fact]
    public void Gdb_endpoints_and_pause()
    {
        Assert.Equal("tcp:127.0.0.1:1234", After(Build(o => o with { Gdb = new GdbEndpoint.Tcp(1234) }), "-gdb"));
        Assert.Equal("unix:/tmp/g.sock,server=on,wait=off",
            After(Build(o => o with { Gdb = new GdbEndpoint.UnixSocket("/tmp/g.sock") }), "-gdb"));
        Assert.Contains("-S", Build(o => o with { StartPaused = true }));
    }

    [Fact]
    public void Bad_values_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Build(o => o with { MemoryMiB = 0 }));
        Assert.Throws<ArgumentException>(() => Build(o => o with { Cpus = 0 }));
        Assert.Throws<ArgumentException>(() => Build(o => o with { DiskImage = "/tmp/a,b.img" }));
    }
}
