using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Harness.Observe;
using Harness.Tests.Observe;
using Harness.Tests.Trace;
using Harness.Trace;

namespace Harness.Tests.Faults;

/// <summary>
/// The gdb connection dropped in the middle of an observed boot (the socket destroyed from outside with `ss -K`, as a
/// firewall or a dying proxy would): the observation ends with a clear outcome, the trace is incomplete, QEMU is stopped.
/// </summary>
[Collection("observed boots")]
public class GdbConnectionFaultTests
{
    private const string Scenario = "q35-2g-slot4m";

    [Fact]
    public async Task A_gdb_connection_dropped_mid_boot_ends_as_an_incomplete_trace_and_stops_QEMU()
    {
        var seed = Environment.TickCount;
        var dropAfter = new Random(seed).Next(1, 350); // events; a boot of the port has ~450
        using var dir = new TempDir();
        var kernel = ObserveFixtures.PortKernel;
        var port = FreePort();
        var qemu = ObserveFixtures.Plan(Scenario, kernel, dir.Path, timeout: TimeSpan.FromSeconds(300)) with { Gdb = new Harness.Qemu.GdbEndpoint.Tcp(port) };
        var dropped = false;
        string? ssOutput = null;
        var result = await KernelObserver.RunAsync(ObserveFixtures.Request(kernel, qemu, dir.File("dropped.jsonl"), Scenario, p =>
        {
            if (dropped || p.Events < dropAfter) return;
            dropped = true;
            ssOutput = Run("ss", "-K", "dst", "127.0.0.1", "dport", "=", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }));

        var context = $"seed {seed}, dropped after {dropAfter} events; ss: {ssOutput}; result: {result.How}: {result.Error}";
        Assert.True(dropped, context);
        Assert.False(result.Complete, context);
        Assert.NotNull(result.Error);
        Assert.Contains("gdb connection", result.Error);
        var trace = TraceReader.Read(result.TracePath);
        Assert.False(trace.IsComplete, context);
        Assert.Null(ObserveFixtures.FindQemu(dir.Path));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return text;
    }
}
