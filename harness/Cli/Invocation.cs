using System.CommandLine;
using System.Runtime.InteropServices;
using Harness.Qemu;
using Harness.Trace;

namespace Harness.Cli;

/// <summary>
/// Runs the command line with the harness's exit statuses (<see cref="ExitCodes"/>): a usage error (unknown command
/// or option, a missing required option, a value that does not parse) is 2, an unexpected exception is 4 with its
/// stack trace, and SIGINT, SIGTERM or SIGHUP stop every QEMU, give up unfinished output files and remove the work
/// folders before the harness exits with 128 + the signal's number.
/// </summary>
public static class Invocation
{
    private static readonly List<PosixSignalRegistration> Registrations = [];
    private static int _stopping;

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        InstallSignalHandlers();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                Console.Error.WriteLine("harness: " + error.Message);
            Console.Error.WriteLine("Try 'harness --help' (or 'harness COMMAND --help') for the commands and their options.");
            return ExitCodes.BadInput;
        }
        try
        {
            var status = await parse.InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null, // the handlers below own SIGINT and SIGTERM
            });
            WaitIfStopping();
            return status;
        }
        catch (Exception e)
        {
            // After a signal the run fails in whatever it was doing (QEMU killed, files given up): that is no bug.
            WaitIfStopping();
            return InternalError(e);
        }
        finally
        {
            WorkFolder.DeleteAll();
        }
    }

    /// <summary>Prints an unexpected exception (a bug of the harness) and returns <see cref="ExitCodes.InternalError"/>.</summary>
    public static int InternalError(Exception e)
    {
        Console.Error.WriteLine($"harness: internal error (a bug in the harness; please report it with the lines below): {e.GetType().FullName}: {e.Message}");
        Console.Error.WriteLine(e.StackTrace);
        return ExitCodes.InternalError;
    }

    /// <summary>When a signal handler is ending the process, blocks (its exit status is the signal's, and nothing more is printed).</summary>
    private static void WaitIfStopping()
    {
        if (Volatile.Read(ref _stopping) != 0)
            Thread.Sleep(Timeout.Infinite);
    }

    private static void InstallSignalHandlers()
    {
        foreach (var (signal, status) in new[] { (PosixSignal.SIGINT, ExitCodes.Interrupted), (PosixSignal.SIGTERM, ExitCodes.Terminated), (PosixSignal.SIGHUP, 129) })
        {
            Registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                Stop(signal, status);
            }));
        }
    }

    /// <summary>Stops every QEMU, leaves unfinished traces as .partial (deleting other unfinished files), removes the work folders, exits.</summary>
    private static void Stop(PosixSignal signal, int status)
    {
        if (Interlocked.Exchange(ref _stopping, 1) != 0)
            return;
        var killed = ChildProcesses.KillAll();
        OutputFile.AbandonAll();
        WorkFolder.DeleteAll();
        try
        {
            Console.Error.WriteLine($"harness: {signal}: stopped{(killed > 0 ? $" {killed} QEMU process(es)" : "")}; unfinished traces are left as .partial");
        }
        catch (IOException)
        {
        }
        Environment.Exit(status);
    }
}
