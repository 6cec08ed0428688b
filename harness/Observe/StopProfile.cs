using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Harness.Observe;

/// <summary>How the guest left a breakpoint it stopped at.</summary>
internal enum StepOff
{
    /// <summary>A step of QEMU's (<c>s</c>): a stop of its own.</summary>
    Stepped,
    /// <summary>The observer wrote what the instruction leaves (StepOver) and the run continued from the next one.</summary>
    Emulated,
    /// <summary>Handling removed the breakpoint (a temporary return breakpoint): the continue runs the instruction.</summary>
    NotNeeded,
}

/// <summary>
/// What the observer's stops cost, measured by the observer itself (a stop is a cycle: the continue that
/// runs the guest to a breakpoint, the register read, the handling, leaving the breakpoint: a step, or none).
/// </summary>
/// <param name="Cycles">Stops measured (cycles from one continue to the end of the step that follows it).</param>
/// <param name="MedianMicros">Median wall time of a cycle, µs.</param>
/// <param name="P90Micros">90th percentile of a cycle's wall time, µs.</param>
/// <param name="ContinueMicros">Mean wall time from sending <c>c</c> to its stop reply (the guest running + QEMU), µs.</param>
/// <param name="RegistersMicros">Mean wall time of the register read at a stop, µs.</param>
/// <param name="HandleMicros">Mean wall time of handling a stop (memory reads, state, trace records), µs.</param>
/// <param name="StepMicros">Mean wall time of the step off the breakpoint, µs.</param>
/// <param name="CpuMicrosPerStop">The harness process's CPU time (all threads) during the run loop, per stop, µs (the JIT's first compilations included).</param>
/// <param name="PacketsPerStop">Packets sent to the stub during the run loop, per stop.</param>
/// <param name="LoopSeconds">Wall time of the run loop (from <c>kstart</c>'s breakpoints being armed to the end).</param>
/// <param name="LongestGapSeconds">The longest continue leg (for a boot of this kernel, the RTC wait of <c>device_noncore</c>).</param>
public sealed record StopProfile(
    long Cycles, double MedianMicros, double P90Micros, double ContinueMicros, double RegistersMicros, double HandleMicros,
    double StepMicros, double CpuMicrosPerStop, double PacketsPerStop, double LoopSeconds, double LongestGapSeconds)
{
    /// <summary>Median wall time of each leg of a cycle (continue, registers, handling, step), µs.</summary>
    public (double Continue, double Registers, double Handle, double Step) LegMedians { get; init; }

    /// <summary>
    /// The harness process's CPU time of the median cycle, µs (all threads, from the continue to the end of the step): a
    /// stop's own CPU cost, without the JIT's one-time compilations of the first stops of each path.
    /// </summary>
    public double CpuMedianMicros { get; init; }

    /// <summary>The harness process's median CPU time in each leg of a cycle (continue, registers, handling, step), µs.</summary>
    public (double Continue, double Registers, double Handle, double Step) LegCpuMedians { get; init; }

    /// <summary>Packets sent during the run loop per stop, by command (<c>c</c>, <c>s</c>, <c>g</c>, <c>m</c>, <c>Z</c>...).</summary>
    public IReadOnlyDictionary<char, double> PacketsPerStopByCommand { get; init; } = new Dictionary<char, double>();

    /// <summary>Round trips to the stub per stop: packets, less those sent together with another (a register read and the context id's).</summary>
    public double RoundTripsPerStop { get; init; }

    /// <summary>How many stops were left by a step of QEMU's, by the observer performing the instruction (StepOver), or with no step (the breakpoint was removed).</summary>
    public (long Stepped, long Emulated, long NotNeeded) LeftBy { get; init; }

    /// <summary>One line for the record table and <c>make bench</c>.</summary>
    public string Describe()
    {
        var kinds = string.Join(", ", PacketsPerStopByCommand.Where(k => k.Value >= 0.005)
            .Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Key} {k.Value:0.00}")));
        var (c, r, h, s) = LegMedians;
        var (cc, rc, hc, sc) = LegCpuMedians;
        return string.Create(CultureInfo.InvariantCulture,
            $"{MedianMicros:0} µs median, {P90Micros:0} µs p90 ({Cycles} stops; µs median/mean: continue {c:0}/{ContinueMicros:0}, " +
            $"registers {r:0}/{RegistersMicros:0}, handling {h:0}/{HandleMicros:0}, step {s:0}/{StepMicros:0}; " +
            $"left by a step {LeftBy.Stepped}, emulated {LeftBy.Emulated}, no step needed {LeftBy.NotNeeded}); " +
            $"CPU {CpuMicrosPerStop:0} µs/stop (median stop {CpuMedianMicros:0}: continue {cc:0}, registers {rc:0}, handling {hc:0}, step {sc:0}); {PacketsPerStop:0.0} packets/stop ({kinds}), {RoundTripsPerStop:0.0} round trips; " +
            $"run loop {LoopSeconds:0.000} s, {LoopSeconds - LongestGapSeconds:0.000} s without its longest wait ({LongestGapSeconds:0.000} s)");
    }
}

/// <summary>Collects a <see cref="StopProfile"/>: timestamps around each leg of every stop (Stopwatch ticks and the process's CPU time; no allocation per stop beyond list entries).</summary>
internal sealed class StopProfiler
{
    private readonly List<long> _cycles = new(4096);
    private readonly List<long> _cpu = new(4096);
    private readonly List<long> _continues = new(4096), _registerReads = new(4096), _handles = new(4096), _steps = new(4096);
    private long _cycleStart;
    private long _cycleCpuStart;
    private long _mark;
    private long _continue, _registers, _handle, _step, _longest;
    private long _c, _r, _h;
    private long _cpuMark, _cc, _rc, _hc;
    private readonly List<long> _cpuContinues = new(4096), _cpuRegisters = new(4096), _cpuHandles = new(4096), _cpuSteps = new(4096);
    private long _loopStart;
    private TimeSpan _cpuStart;
    private long _packetsStart;
    private long _pairsStart;
    private IReadOnlyDictionary<char, long> _byCommandStart = new Dictionary<char, long>();
    private bool _inCycle;
    private readonly long[] _leftBy = new long[3];

    public void Start(long packetsSent, long pairsSent, IReadOnlyDictionary<char, long> byCommand)
    {
        _pairsStart = pairsSent;
        _loopStart = Stopwatch.GetTimestamp();
        _cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        _packetsStart = packetsSent;
        _byCommandStart = byCommand;
    }

    /// <summary>A continue is about to be sent.</summary>
    public void BeginCycle()
    {
        _cycleCpuStart = _cpuMark = CpuTicks();
        _cycleStart = _mark = Stopwatch.GetTimestamp();
        _inCycle = true;
        _c = _r = _h = 0;
        _cc = _rc = _hc = 0;
    }

    /// <summary>The continue's stop reply came.</summary>
    public void Stopped()
    {
        var d = Lap();
        _continue += d;
        _c += d;
        _cc += CpuLap();
        if (d > _longest) _longest = d;
    }

    public void RegistersRead()
    {
        var d = Lap();
        _registers += d;
        _r += d;
        _rc += CpuLap();
    }

    public void Handled()
    {
        var d = Lap();
        _handle += d;
        _h += d;
        _hc += CpuLap();
    }

    /// <summary>The guest left the breakpoint (<paramref name="how"/>): the cycle is complete.</summary>
    public void Stepped(StepOff how)
    {
        if (!_inCycle) return;
        _leftBy[(int)how]++;
        var d = Lap();
        var stepCpu = CpuLap();
        _step += d;
        _cycles.Add(_mark - _cycleStart);
        _cpu.Add(_cpuMark - _cycleCpuStart);
        _continues.Add(_c);
        _registerReads.Add(_r);
        _handles.Add(_h);
        _steps.Add(d);
        _cpuContinues.Add(_cc);
        _cpuRegisters.Add(_rc);
        _cpuHandles.Add(_hc);
        _cpuSteps.Add(stepCpu);
        _inCycle = false;
    }

    /// <summary>The process's CPU time (user + system, all threads) in 100 ns ticks: one getrusage call.</summary>
    private static long CpuTicks() => Environment.CpuUsage.TotalTime.Ticks;

    private long CpuLap()
    {
        var now = CpuTicks();
        var d = now - _cpuMark;
        _cpuMark = now;
        return d;
    }

    private long Lap()
    {
        var now = Stopwatch.GetTimestamp();
        var d = now - _mark;
        _mark = now;
        return d;
    }

    public StopProfile? Finish(long packetsSent, long pairsSent, IReadOnlyDictionary<char, long> byCommand)
    {
        if (_loopStart == 0 || _cycles.Count == 0) return null;
        var loop = Stopwatch.GetElapsedTime(_loopStart);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpuStart;
        var n = _cycles.Count;
        double Us(double ticks) => ticks * 1e6 / Stopwatch.Frequency;
        var p90 = Percentile(_cycles, 0.9);
        var perCommand = new SortedDictionary<char, double>();
        foreach (var (command, count) in byCommand)
            perCommand[command] = (double)(count - _byCommandStart.GetValueOrDefault(command)) / n;
        return new StopProfile(n, Us(Median(_cycles)), Us(p90), Us((double)_continue / n), Us((double)_registers / n), Us((double)_handle / n),
            Us((double)_step / n), cpu.TotalMicroseconds / n, (double)(packetsSent - _packetsStart) / n, loop.TotalSeconds,
            (double)_longest / Stopwatch.Frequency)
        {
            LegMedians = (Us(Median(_continues)), Us(Median(_registerReads)), Us(Median(_handles)), Us(Median(_steps))),
            CpuMedianMicros = Median(_cpu) / 10.0,
            LegCpuMedians = (Median(_cpuContinues) / 10.0, Median(_cpuRegisters) / 10.0, Median(_cpuHandles) / 10.0, Median(_cpuSteps) / 10.0),
            PacketsPerStopByCommand = perCommand,
            RoundTripsPerStop = (double)(packetsSent - _packetsStart - (pairsSent - _pairsStart)) / n,
            LeftBy = (_leftBy[(int)StepOff.Stepped], _leftBy[(int)StepOff.Emulated], _leftBy[(int)StepOff.NotNeeded]),
        };
    }

    private static double Median(List<long> values)
    {
        var sorted = values.Order().ToArray();
        var n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    private static long Percentile(List<long> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}
