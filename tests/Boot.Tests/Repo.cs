namespace Boot.Tests;

/// <summary>Paths in the repository the tests run from.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>The port's image, built by `make kernel` (which `make test` runs first).</summary>
    public static string Kernel
    {
        get
        {
            var path = Path.Combine(Root, "build", "kernel.elf");
            if (!File.Exists(path))
                Assert.Fail($"{path} does not exist: build the port first (`make kernel`, or `make test` which builds it)");
            return path;
        }
    }

    public static string Scenarios => Path.Combine(Root, "traces", "scenarios");

    public static string Reference(string name) => Path.Combine(Root, "traces", "reference", name);

    /// <summary>The repository holding the test binaries, or (when they were built elsewhere, e.g. with --artifacts-path) this source file.</summary>
    private static string FindRoot([System.Runtime.CompilerServices.CallerFilePath] string thisFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(thisFile) ?? "" })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Port.sln")))
                    return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no Port.sln above {AppContext.BaseDirectory} or {thisFile}");
    }
}
