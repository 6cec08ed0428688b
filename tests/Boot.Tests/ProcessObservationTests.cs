using System.Diagnostics;
using Harness.Trace;

namespace Boot.Tests;

/// <summary>
/// A test that boots an original Redox 0.3.5 kernel built with tests/userspace's initfs (branch userland:
/// <c>make userspace</c>, then <c>INITFS_FOLDER=build/userspace/initfs ../shared/tools/original/build.sh OUT</c>):
/// it runs only when <c>REDOX_USERLAND_KERNEL</c> names one; otherwise it is reported as skipped, saying why.
/// </summary>
public sealed class UserlandOriginalFactAttribute : FactAttribute
{
    public static string? Kernel =>
        Environment.GetEnvironmentVariable("REDOX_USERLAND_KERNEL") is { Length: > 0 } k ? Path.GetFullPath(k, Repo.Root) : null;

    public UserlandOriginalFactAttribute()
    {
        if (Kernel is not { } k)
            Skip = "REDOX_USERLAND_KERNEL is not set: no original kernel with tests/userspace's initfs to boot (build one with " +
                   "INITFS_FOLDER=build/userspace/initfs ../shared/tools/original/build.sh, see tests/userspace/README.md on branch userland)";
        else if (!File.Exists(k))
            Skip = $"REDOX_USERLAND_KERNEL={k} does not exist";
    }
}

/// <summary>Processes observed from outside (issue 15): the original's map catches every syscall of a userspace run.</summary>
public class ProcessObservationTests
{
    // tests/userspace's scenario user-brk (branch userland), without its initfs key: the kernel already embeds it.
    private const string Scenario = """
        name = "user-brk"
        description = "init execs /bin/brk: brk query, growth, shrink, a fork's copy and a thread's sharing of the heap"
        [machine]
        type = "q35"
        memory_mib = 2048
        cpus = 1
        vga = "std"
        [boot]
        kernel_slot = 0x400000
        vbe = "1024x768"
        env = "TEST=brk\n"
        timeout_s = 90
        [e820]
        source = "bios"
        """;

    [UserlandOriginalFact]
    public void Every_syscall_of_a_userspace_run_is_recorded_per_context_with_its_result()
    {
        var dir = Directory.CreateTempSubdirectory("process-record-").FullName;
        try
        {
            var scenario = Path.Combine(dir, "user-brk.toml");
            File.WriteAllText(scenario, Scenario);
            var path = Path.Combine(dir, "user-brk.jsonl");
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "harness.dll"), "record", "--kernel", UserlandOriginalFactAttribute.Kernel!,
                         "--scenario", scenario, "--map", "redox-0.3.5/observe.toml", "--out", path })
                psi.ArgumentList.Add(a);
            psi.Environment["COLUMNS"] = "200";
            using (var p = Process.Start(psi)!)
            {
                var output = p.StandardOutput.ReadToEndAsync();
                var errors = p.StandardError.ReadToEndAsync();
                if (!p.WaitForExit(600_000))
                {
                    p.Kill(entireProcessTree: true);
                    Assert.Fail("harness record did not finish in 600 s");
                }
                Assert.True(File.Exists(path) || File.Exists(path + TraceFormat.PartialSuffix), output.Result + errors.Result);
            }

            var t = TraceReader.Read(File.Exists(path) ? path : path + TraceFormat.PartialSuffix);
            Assert.Equal(TraceFormat.Current, t.Header.Format);
            Assert.True(t.End!.ReachedKmain);
            var calls = t.Syscalls;
            Assert.NotEmpty(calls);
            Assert.All(calls, c => Assert.NotNull(c.Context));
            Assert.All(calls, c => Assert.StartsWith("kernel::arch::x86_64::interrupt::syscall::syscall::inner", c.Caller));

            // init (the first user context) reads env:TEST and execs /bin/brk: open, read, close, execve (which never
            // returns to its caller), then brk's own calls in the same context.
            var init = calls.Where(c => c.Context == calls[0].Context).ToList();
            Assert.Equal(["open", "read", "close"], init.Take(3).Select(c => c.Name));
            Assert.Equal(3UL, init[0].Result); // the first fd after stdin/out/err
            var exec = Assert.Single(init, c => c.Name == "execve");
            Assert.Null(exec.Result);
            var brk = init.First(c => c.Name == "brk");
            Assert.Equal(0UL, brk.Args[0]); // the query
            Assert.True(brk.Result > 0 && brk.Errno is null);
            Assert.True(init.IndexOf(exec) < init.IndexOf(brk));

            // The program forks: clone returns the child's id in the parent, and the child's calls carry that id.
            var clone = calls.First(c => c.Name == "clone" && c.Context == calls[0].Context);
            Assert.Contains(calls, c => c.Context == clone.Result);
            Assert.Contains(calls, c => c.Name == "waitpid" && c.Context == calls[0].Context);
            Assert.True(calls.Select(c => c.Context).Distinct().Count() >= 2);

            // Every live context (redox-trace/4), walked through the map's [processes.tables]: at init's exec its file
            // table is stdin/out/err on debug: (env:TEST's fd 3 closed), its user pages are those of its saved CR3, and
            // the scheme list names the root namespace's schemes; at the fork's exit the child is live with its own CR3.
            var atExec = t.Contexts.First(r => r.At == "exec" && r.Context == calls[0].Context);
            var me = Assert.Single(atExec.Contexts, c => c.Id == calls[0].Context);
            Assert.Equal([0UL, 1UL, 2UL], me.Files.Select(f => f.Fd));
            Assert.All(me.Files, f => Assert.Equal("debug", f.SchemeName));
            Assert.Equal(t.AddressSpaces.First(a => a.At == "exec").Pages, me.Pages);
            Assert.Equal(["", "debug", "env", "event", "initfs", "irq", "memory", "pipe", "sys", "time"], atExec.Schemes.Select(s => s.Name));
            var child = t.Contexts.First(r => r.At == "exit" && r.Context == clone.Result).Contexts.Single(c => c.Id == clone.Result);
            Assert.NotEqual(me.Cr3, child.Cr3);
            Assert.NotEmpty(child.Pages);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
