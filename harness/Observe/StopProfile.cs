using System.Diagnostics;
using System.Globalization;

namespace Harness.Observe;

/// <summary>
/// What the observer's stops cost, measured by the observer itself (a stop is a cycle: the continue that
/// runs the guest to a breakpoint, the register read, the handling, the step off the breakpoint).
/// </summary>
/// <param name="Cycles">Stops measured (cycles from one continue to the end of the step that follows it).</param>
/// <param name="MedianMicros">Median wall time of a cycle, µs.</param>
/// <param name="P90Micros">90th percentile of a cycle's wall time, µs.</param>
/// <param name="ContinueMicros">Mean wall time from sending <c>c</c> to its stop reply (the guest running + QEMU), µs.</param>
/// <param name="RegistersMicros">Mean wall time of the register read at a stop, µs.</param>
/// <param name="HandleMicros">Mean wall time of handling a stop (memory reads, state, trace records), µs.</param>
/// <param name="StepMicros">Mean wall time of the step off the breakpoint, µs.</param>
/// <param name="CpuMicrosPerStop">The harness process's CPU time (all threads) during the run loop, per stop, µs.</param>
/// <param name="PacketsPerStop">Packets sent to the stub during the run loop, per stop.</param>
/// <param name="LoopSeconds">Wall time of the run loop (from <c>kstart</c>'s breakpoints being armed to the end).</param>
/// <param name="LongestGapSeconds">The longest continue leg (for a boot of this kernel, the RTC wait of <c>device_noncore</c>).</param>
public sealed record StopProfile(
    long Cycles, double MedianMicros, double P90Micros, double ContinueMicros, double RegistersMicros, double HandleMicros,
    double StepMicros, double CpuMicrosPerStop, double PacketsPerStop, double LoopSeconds, double LongestGapSeconds)
{
    /// <summary>One line for the record table and <c>make bench</c>.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{MedianMicros:0} µs median, {P90Micros:0} µs p90 ({Cycles} stops: continue {ContinueMicros:0}, registers {RegistersMicros:0}, " +
        $"handling {HandleMicros:0}, step {StepMicros:0} µs mean); CPU {CpuMicrosPerStop:0} µs/stop; {PacketsPerStop:0.0} packets/stop; " +
        $"run loop {LoopSeconds:0.000} s, {LoopSeconds - LongestGapSeconds:0.000} s without its longest wait ({LongestGapSeconds:0.000} s)");
}

/// <summary>Collects a <see cref="StopProfile"/>: timestamps around each leg of every stop (Stopwatch ticks, no allocation per stop beyond a list entry).</summary>
internal sealed class StopProfiler
{
    private readonly List<long> _cycles = new(4096);
    private long _cycleStart;
    private long _mark;
    private long _continue, _registers, _handle, _step, _longest;
    private long _loopStart;
    private TimeSpan _cpuStart;
    private long _packetsStart;
    private bool _inCycle;

    public void Start(long packetsSent)
    {
        _loopStart = Stopwatch.GetTimestamp();
        _cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        _packetsStart = packetsSent;
    }

    /// <summary>A continue is about to be sent.</summary>
    public void BeginCycle()
    {
        _cycleStart = _mark = Stopwatch.GetTimestamp();
        _inCycle = true;
    }

    /// <summary>The continue's stop reply came.</summary>
    public void Stopped()
    {
        var d = Lap();
        _continue += d;
        if (d > _longest) _longest = d;
    }

    public void RegistersRead() => _registers += Lap();

    public void Handled() => _handle += Lap();

    /// <summary>The step off the breakpoint ended: the cycle is complete.</summary>
    public void Stepped()
    {
        if (!_inCycle) return;
        _step += Lap();
        _cycles.Add(_mark - _cycleStart);
        _inCycle = false;
    }

    private long Lap()
    {
        var now = Stopwatch.GetTimestamp();
        var d = now - _mark;
        _mark = now;
        return d;
    }

    public StopProfile? Finish(long packetsSent)
    {
        if (_loopStart == 0 || _cycles.Count == 0) return null;
        var loop = Stopwatch.GetElapsedTime(_loopStart);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpuStart;
        var n = _cycles.Count;
        var sorted = _cycles.Order().ToArray();
        double Us(double ticks) => ticks * 1e6 / Stopwatch.Frequency;
        var median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        var p90 = sorted[Math.Min(n - 1, (int)Math.Ceiling(0.9 * n) - 1)];
        return new StopProfile(n, Us(median), Us(p90), Us((double)_continue / n), Us((double)_registers / n), Us((double)_handle / n),
            Us((double)_step / n), cpu.TotalMicroseconds / n, (double)(packetsSent - _packetsStart) / n, loop.TotalSeconds,
            (double)_longest / Stopwatch.Frequency);
    }
}
