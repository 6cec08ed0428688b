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
/// <para>One run on the machine at a time is pinned. Runs observed at once (the gate's and the references' jobs, or
/// several harness processes: make test runs its test assemblies side by side) would otherwise put their QEMUs on the
/// same CPU: two pinned runs on two CPUs took 20-30 % longer each than two left to the scheduler. So a run is pinned
/// only when it is the only one in progress in its process and it takes the machine's pin claim, an exclusive
/// <c>flock</c> on <see cref="DefaultClaimPath"/> (a fixed path, not under TMPDIR, so every harness process on the
/// machine sees the same one), held until the run ends and released by the kernel if the process dies. The first of
/// several runs of one process may have been pinned when it started alone; its reader stops polling as soon as
/// another run is in progress. <c>HARNESS_PIN=0</c> turns pinning off.</para>
/// </remarks>
public sealed class CpuAffinity
{
    /// <summary>The environment variable that turns pinning off (<c>HARNESS_PIN=0</c>).</summary>
    public const string EnableVariable = "HARNESS_PIN";

    /// <summary>The machine's pin claim: one harness process at a time pins a run (the file stays, empty; the lock is what counts).</summary>
    public const string DefaultClaimPath = "/tmp/harness-cpu-pin.lock";

    /// <summary>How long a reader with its CPU to itself polls before a blocking read: longer than a stop's run (~0.5 ms), short against a long wait (an RTC second).</summary>
    public static readonly TimeSpan ReaderPoll = TimeSpan.FromMilliseconds(2);

    /// <summary>The harness's runs: the CPUs this process may use; pinning unless <see cref="EnableVariable"/> is 0, one run on the machine at a time.</summary>
    public static CpuAffinity Shared { get; } =
        new(Allowed(), Environment.GetEnvironmentVariable(EnableVariable) != "0" && OperatingSystem.IsLinux(), DefaultClaimPath);

    private readonly IReadOnlyList<int> _allowed;
    private readonly bool _enabled;
    private readonly string? _claimPath;
    private int _runs;

    /// <summary>
    /// A planner over <paramref name="allowed"/> CPUs, pinning only when <paramref name="enabled"/> and, with a
    /// <paramref name="claimPath"/>, only while it holds the exclusive lock on that file.
    /// </summary>
    public CpuAffinity(IReadOnlyList<int> allowed, bool enabled, string? claimPath = null)
    {
        _allowed = allowed;
        _enabled = enabled;
        _claimPath = claimPath;
    }

    /// <summary>
    /// An observed run starts: pinned (<see cref="CpuLease.Qemu"/>, <see cref="CpuLease.Reader"/>: the two
    /// highest-numbered allowed CPUs, as CPU 0 serves more of the system's interrupts) when it is the only run in progress
    /// in this process, pinning is on and possible (two CPUs allowed) and the machine's claim is free; else not pinned,
    /// and <see cref="CpuLease.Describe"/> says why. Disposing the lease ends the run and releases the claim.
    /// </summary>
    public CpuLease Begin()
    {
        var alone = Interlocked.Increment(ref _runs) == 1;
        var why = !_enabled ? $"not pinned ({EnableVariable}=0)"
            : _allowed.Count < 2 ? "not pinned (one CPU allowed)"
            : !alone ? "not pinned (another observed run of this process is in progress)"
            : null;
        FileStream? claim = null;
        if (why is null && _claimPath is not null)
            claim = TryClaim(_claimPath, out why);
        return why is null
            ? new CpuLease(this, _allowed[^1], _allowed[^2], claim, null)
            : new CpuLease(this, null, null, null, why);
    }

    /// <summary>The exclusive lock on <paramref name="path"/> (.NET takes <c>flock(LOCK_EX | LOCK_NB)</c> for <see cref="FileShare.None"/>), or null and why not.</summary>
    private static FileStream? TryClaim(string path, out string? why)
    {
        try
        {
            why = null;
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.None);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or DirectoryNotFoundException or PathTooLongException)
        {
            why = $"not pinned ({path}: {e.Message})";
        }
        catch (IOException)
        {
            // The lock is held (EWOULDBLOCK): .NET reports it as a sharing violation.
            why = $"not pinned (another harness process on this machine holds {path})";
        }
        return null;
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

/// <summary>One observed run's CPUs (<see cref="CpuAffinity.Begin"/>); disposing it ends the run and releases the machine's pin claim.</summary>
public sealed class CpuLease : IDisposable
{
    private readonly CpuAffinity _planner;
    private readonly FileStream? _claim;
    private readonly string? _notPinned;
    private int _ended;

    internal CpuLease(CpuAffinity planner, int? qemu, int? reader, FileStream? claim, string? notPinned)
    {
        _planner = planner;
        Qemu = qemu;
        Reader = reader;
        _claim = claim;
        _notPinned = notPinned;
    }

    /// <summary>The CPU QEMU is pinned to, or null (not pinned).</summary>
    public int? Qemu { get; }

    /// <summary>The CPU the observer's reader thread is pinned to, or null (not pinned).</summary>
    public int? Reader { get; }

    /// <summary>Whether the reader has its CPU to itself now (pinned, and no other run in progress): then it may poll.</summary>
    public bool ReaderAlone => Reader is not null && Volatile.Read(ref _ended) == 0 && _planner.OneRun;

    /// <summary>Where the run's threads ran: the CPUs, or why they were left to the scheduler.</summary>
    public string Describe() => Qemu is { } q && Reader is { } r
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"QEMU on CPU {q}, the observer's reader on CPU {r}")
        : _notPinned ?? "not pinned";

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            _claim?.Dispose();
            _planner.End();
        }
    }
}
