using System.Runtime.InteropServices;

namespace Harness.Qemu;

/// <summary>
/// Pins an observed run that has the machine to itself to two CPUs: QEMU (every thread it starts inherits the mask it
/// was started with) to one, the observer's reader thread (on which the observer handles each stop) to another, and
/// lets that reader poll for the stub's replies instead of sleeping until they come.
/// </summary>
/// <remarks>
/// A stop of the observer is a chain of wake-ups between QEMU's main loop and the observer's reader (the stop reply,
/// the register read and its reply, the continue). Left to the scheduler, a woken thread may be placed on the CPU that
/// is busy with the other one and wait there; and a reader that blocks is put to sleep and woken by the kernel for each
/// reply. Pinned, with the reader polling the socket for up to <see cref="ReaderPoll"/> before it blocks: the median
/// stop on q35-2g-slot4m 650 µs against 827 unpinned (issue 15, a 2-CPU Firecracker VM, 8 runs each, interleaved; the
/// register read's round trip 70 against 167 µs), on user-driver 667 against 789. QEMU and the reader on one CPU was no
/// better than unpinned.
/// Runs observed at once (the gate's and the references' jobs) are not pinned: two pinned runs on two CPUs took 20-30 %
/// longer each than two left to the scheduler, since each QEMU's two busy threads then share one CPU. The first of them
/// may have been pinned when it started alone; its reader stops polling as soon as another run is in progress.
/// <b>Off unless <see cref="EnableVariable"/> is <c>1</c></b>: a process knows only its own runs, and with observed runs of
/// several harness processes at once (make test runs the test assemblies side by side) every one would pin its QEMU to
/// the same CPU. Pinning is for a measurement on an otherwise idle machine (make bench sets it).
/// </remarks>
public sealed class CpuAffinity
{
    /// <summary>The environment variable that turns pinning on (<c>HARNESS_PIN=1</c>).</summary>
    public const string EnableVariable = "HARNESS_PIN";

    /// <summary>How long a reader with its CPU to itself polls before a blocking read: longer than a stop's run (~0.5 ms), short against a long wait (an RTC second).</summary>
    public static readonly TimeSpan ReaderPoll = TimeSpan.FromMilliseconds(2);

    /// <summary>The harness's runs: the CPUs this process may use, pinning on only when <see cref="EnableVariable"/> is 1.</summary>
    public static CpuAffinity Shared { get; } = new(Allowed(), Environment.GetEnvironmentVariable(EnableVariable) == "1" && OperatingSystem.IsLinux());

    private readonly IReadOnlyList<int> _allowed;
    private readonly bool _enabled;
    private int _runs;

    /// <summary>A planner over <paramref name="allowed"/> CPUs (pinning only when <paramref name="enabled"/>).</summary>
    public CpuAffinity(IReadOnlyList<int> allowed, bool enabled)
    {
        _allowed = allowed;
        _enabled = enabled;
    }

    /// <summary>
    /// An observed run starts: pinned (<see cref="CpuLease.Qemu"/>, <see cref="CpuLease.Reader"/>: the two
    /// highest-numbered allowed CPUs, as CPU 0 serves more of the system's interrupts) when it is the only run in progress
    /// and pinning is on and possible (two CPUs allowed); else not pinned. Disposing the lease ends the run.
    /// </summary>
    public CpuLease Begin()
    {
        var alone = Interlocked.Increment(ref _runs) == 1;
        return alone && _enabled && _allowed.Count >= 2
            ? new CpuLease(this, _allowed[^1], _allowed[^2])
            : new CpuLease(this, null, null);
    }

    /// <summary>Whether exactly one run is in progress.</summary>
    internal bool OneRun => Volatile.Read(ref _runs) == 1;

    internal void End() => Interlocked.Decrement(ref _runs);

    /// <summary>The CPUs the calling thread may run on, in order (empty when the mask cannot be read).</summary>
    public static IReadOnlyList<int> Allowed()
    {
        var mask = new ulong[MaskWords];
        if (!OperatingSystem.IsLinux() || SchedGetAffinity(0, MaskWords * sizeof(ulong), mask) != 0)
            return [];
        var cpus = new List<int>();
        for (var i = 0; i < MaskWords * 64; i++)
        {
            if ((mask[i / 64] & (1UL << (i % 64))) != 0)
                cpus.Add(i);
        }
        return cpus;
    }

    /// <summary>Pins the calling thread to <paramref name="cpu"/>; returns its previous mask, or null when the kernel refused.</summary>
    public static ulong[]? PinCurrentThread(int cpu)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cpu);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(cpu, MaskWords * 64);
        var previous = new ulong[MaskWords];
        if (SchedGetAffinity(0, MaskWords * sizeof(ulong), previous) != 0)
            return null;
        var mask = new ulong[MaskWords];
        mask[cpu / 64] = 1UL << (cpu % 64);
        return SchedSetAffinity(0, MaskWords * sizeof(ulong), mask) == 0 ? previous : null;
    }

    /// <summary>Gives the calling thread back a mask <see cref="PinCurrentThread"/> returned.</summary>
    public static void RestoreCurrentThread(ulong[] mask) => _ = SchedSetAffinity(0, MaskWords * sizeof(ulong), mask);

    /// <summary>Room for 1 024 CPUs, glibc's cpu_set_t.</summary>
    private const int MaskWords = 16;

    [DllImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static extern int SchedGetAffinity(int pid, nint size, [Out] ulong[] mask);

    [DllImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static extern int SchedSetAffinity(int pid, nint size, ulong[] mask);
}

/// <summary>One observed run's CPUs (<see cref="CpuAffinity.Begin"/>); disposing it ends the run.</summary>
public sealed class CpuLease : IDisposable
{
    private readonly CpuAffinity _planner;
    private int _ended;

    internal CpuLease(CpuAffinity planner, int? qemu, int? reader)
    {
        _planner = planner;
        Qemu = qemu;
        Reader = reader;
    }

    /// <summary>The CPU QEMU is pinned to, or null (not pinned).</summary>
    public int? Qemu { get; }

    /// <summary>The CPU the observer's reader thread is pinned to, or null (not pinned).</summary>
    public int? Reader { get; }

    /// <summary>Whether the reader has its CPU to itself now (pinned, and no other run in progress): then it may poll.</summary>
    public bool ReaderAlone => Reader is not null && Volatile.Read(ref _ended) == 0 && _planner.OneRun;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
            _planner.End();
    }
}
