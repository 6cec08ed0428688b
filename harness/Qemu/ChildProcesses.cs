using System.Collections.Concurrent;
using System.Diagnostics;

namespace Harness.Qemu;

/// <summary>
/// Starts the harness's long-lived child processes (QEMU) so that none outlives the harness, whatever ends it.
/// <list type="bullet">
/// <item>Each child is started under <c>setpriv --pdeathsig KILL</c> (util-linux): the kernel sends it SIGKILL when
/// the thread that started it ends, so even a SIGKILL of the harness takes QEMU with it. That thread is one
/// dedicated thread that lives as long as the process (a thread-pool thread may retire and would kill the child
/// early).</item>
/// <item>Every live child is listed: <see cref="KillAll"/> (called by the CLI on SIGTERM, SIGINT, SIGHUP) stops them at once.</item>
/// </list>
/// Without setpriv (not Debian) the children are started directly; then only the signal handlers protect them.
/// </summary>
public static class ChildProcesses
{
    /// <summary>The util-linux tool that sets the parent-death signal before it executes the child.</summary>
    public const string Setpriv = "setpriv";

    private static readonly ConcurrentDictionary<int, Process> Live = new();
    private static readonly BlockingCollection<Action> Starts = new();
    private static readonly Lazy<string?> SetprivPath = new(() => QemuRunner.FindExecutable(Setpriv));
    private static readonly Lazy<Thread> Starter = new(() =>
    {
        var thread = new Thread(() =>
        {
            foreach (var start in Starts.GetConsumingEnumerable())
                start();
        })
        {
            IsBackground = true,
            Name = "harness child-process starter",
        };
        thread.Start();
        return thread;
    });

    /// <summary>True when children are tied to the harness by the parent-death signal (setpriv is installed).</summary>
    public static bool DieWithHarness => SetprivPath.Value is not null;

    /// <summary>The children started and not yet exited.</summary>
    public static IReadOnlyCollection<Process> Running => Live.Values.Where(p => !HasExited(p)).ToList();

    /// <summary>
    /// Starts <paramref name="psi"/> (its FileName, ArgumentList, environment and redirections) on the starter thread,
    /// under setpriv when it is installed, and lists it until it exits. Returns the started process (its PID is the
    /// child's own: setpriv executes it in place). With <paramref name="cpu"/>, the child starts pinned to that CPU (the
    /// starter thread is pinned while it forks, and the child inherits its mask).
    /// </summary>
    public static Process Start(ProcessStartInfo psi, int? cpu = null)
    {
        ArgumentNullException.ThrowIfNull(psi);
        if (SetprivPath.Value is { } setpriv)
        {
            var args = psi.ArgumentList.ToList();
            psi.ArgumentList.Clear();
            psi.ArgumentList.Add("--pdeathsig");
            psi.ArgumentList.Add("KILL");
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(psi.FileName);
            foreach (var a in args)
                psi.ArgumentList.Add(a);
            psi.FileName = setpriv;
        }
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Starter.Value;
        Starts.Add(() =>
        {
            var previous = cpu is { } c ? CpuAffinity.PinCurrentThread(c) : null;
            try
            {
                process.Start();
                Live[process.Id] = process;
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
            finally
            {
                if (previous is not null)
                    CpuAffinity.RestoreCurrentThread(previous);
            }
        });
        done.Task.GetAwaiter().GetResult();
        var id = process.Id;
        process.Exited += (_, _) => Live.TryRemove(id, out _);
        if (HasExited(process))
            Live.TryRemove(id, out _);
        return process;
    }

    /// <summary>Kills every listed child that still runs (SIGKILL) and waits a little for each to go; returns how many were killed.</summary>
    public static int KillAll()
    {
        var killed = 0;
        foreach (var (id, p) in Live.ToArray())
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    killed++;
                    p.WaitForExit(5_000);
                }
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
            {
            }
            Live.TryRemove(id, out _);
        }
        return killed;
    }

    private static bool HasExited(Process p)
    {
        try
        {
            return p.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }
}
