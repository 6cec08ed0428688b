using System.Collections.Concurrent;
using System.Globalization;

namespace Harness.Trace;

/// <summary>A path the harness cannot write to, found before any work is done.</summary>
public sealed class OutputPathException(string message) : IOException(message);

/// <summary>
/// One output file of one run (a trace, an HTML report): written under a name of its own next to the final path,
/// <c>FINAL.PID-START-ID.partial</c> (PID and START name the process that writes it), and renamed whole to the final
/// path by <see cref="Commit"/> — so two runs on one path never write the same file, and a final path only ever
/// holds exactly one run's complete output. A file that is not committed is, on <see cref="Dispose"/> or
/// <see cref="AbandonAll"/>, renamed to its <see cref="AbandonedPath"/> (a trace's <c>FINAL.partial</c>: an
/// incomplete trace) or deleted. A run killed outright leaves its <c>….partial</c>, which the next output file
/// created in that folder deletes once its owner process is gone.
/// </summary>
public sealed class OutputFile : IDisposable
{
    private static readonly ConcurrentDictionary<OutputFile, byte> Open = new();
    private static readonly Lazy<string> Owner = new(() => ProcessTag(Environment.ProcessId) ?? $"{Environment.ProcessId}-0");
    private readonly Lock _lock = new();
    private FileStream? _stream;
    private bool _done;

    /// <summary>
    /// Starts writing the file that becomes <paramref name="finalPath"/>; <paramref name="abandonedPath"/> is where an
    /// uncommitted file goes (null: it is deleted). The path is checked first (<see cref="CheckWritable"/>).
    /// </summary>
    /// <exception cref="OutputPathException">The path is a folder, or its folder cannot be created or written.</exception>
    public OutputFile(string finalPath, string? abandonedPath = null)
    {
        FinalPath = CheckWritable(finalPath);
        AbandonedPath = abandonedPath is null ? null : Path.GetFullPath(abandonedPath);
        TempPath = $"{FinalPath}.{Owner.Value}-{Guid.NewGuid().ToString("N")[..8]}{TraceFormat.PartialSuffix}";
        try
        {
            _stream = new FileStream(TempPath, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputPathException($"cannot write {FinalPath}: {e.Message}");
        }
        CurrentPath = TempPath;
        Open[this] = 0;
    }

    /// <summary>Where the file goes when it is complete.</summary>
    public string FinalPath { get; }

    /// <summary>Where it is written until then (this run's own name).</summary>
    public string TempPath { get; }

    /// <summary>Where it goes when it is not completed (null: deleted).</summary>
    public string? AbandonedPath { get; }

    /// <summary>Where the file is now: <see cref="FinalPath"/> once committed, the abandoned path once abandoned, the temporary name until then; null once deleted.</summary>
    public string? CurrentPath { get; private set; }

    /// <summary>True once renamed to <see cref="FinalPath"/>.</summary>
    public bool IsCommitted { get; private set; }

    /// <summary>The stream to write (null once committed or abandoned).</summary>
    public FileStream Stream => _stream ?? throw new IOException(IsCommitted
        ? $"{FinalPath} is already complete"
        : $"{FinalPath} was given up before it was complete (the run was interrupted, or a write failed)");

    /// <summary>Flushes and closes the file and renames it to <see cref="FinalPath"/> (replacing an older file).</summary>
    /// <exception cref="IOException">The write or the rename failed (e.g. a full disk): the file is abandoned.</exception>
    public void Commit()
    {
        lock (_lock)
        {
            if (_done)
                throw new IOException($"{FinalPath} was abandoned before it was complete (the run was interrupted)");
            try
            {
                _stream!.Flush(flushToDisk: true);
                _stream.Dispose();
                _stream = null;
                File.Move(TempPath, FinalPath, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                AbandonLocked();
                throw new IOException($"cannot write {FinalPath}: {e.Message}", e);
            }
            _done = true;
            IsCommitted = true;
            CurrentPath = FinalPath;
            Open.TryRemove(this, out _);
        }
    }

    /// <summary>Gives the file up: closed and renamed to <see cref="AbandonedPath"/>, or deleted. Returns where it is (null: deleted).</summary>
    public string? Abandon()
    {
        lock (_lock)
        {
            if (!_done)
                AbandonLocked();
            return CurrentPath;
        }
    }

    private void AbandonLocked()
    {
        _done = true;
        Open.TryRemove(this, out _);
        try { _stream?.Dispose(); }
        catch (IOException) { }
        _stream = null;
        try
        {
            if (AbandonedPath is not null)
            {
                File.Move(TempPath, AbandonedPath, overwrite: true);
                CurrentPath = AbandonedPath;
            }
            else
            {
                File.Delete(TempPath);
                CurrentPath = null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(TempPath); } catch (Exception e2) when (e2 is IOException or UnauthorizedAccessException) { }
            CurrentPath = null;
        }
    }

    /// <summary>Deletes the file unless it was committed (nothing worth keeping was written).</summary>
    public void Discard()
    {
        lock (_lock)
        {
            if (_done) return;
            _done = true;
            Open.TryRemove(this, out _);
            try { _stream?.Dispose(); } catch (IOException) { }
            _stream = null;
            try { File.Delete(TempPath); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            CurrentPath = null;
        }
    }

    /// <summary>Abandons the file unless it was committed.</summary>
    public void Dispose() => Abandon();

    /// <summary>Abandons every output file of this process that is not committed (a signal handler's last act).</summary>
    public static void AbandonAll()
    {
        foreach (var f in Open.Keys.ToList())
            f.Abandon();
    }

    /// <summary>
    /// Checks that <paramref name="path"/> can be written as a file: not a folder, not under /proc or /sys, its folder
    /// created and writable; the per-run files that dead runs left in that folder are deleted. Returns the full path.
    /// </summary>
    /// <exception cref="OutputPathException">Why it cannot (one line, naming the path).</exception>
    public static string CheckWritable(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new OutputPathException($"cannot write {path}: {e.Message}");
        }
        if (Directory.Exists(full) || path.EndsWith('/'))
            throw new OutputPathException($"cannot write {path}: it is a folder (give a file name)");
        foreach (var pseudo in new[] { "/proc", "/sys", "/dev" })
            if (full == pseudo || full.StartsWith(pseudo + "/", StringComparison.Ordinal))
                throw new OutputPathException($"cannot write {path}: {pseudo} is not a place for output files");
        var dir = Path.GetDirectoryName(full)!;
        try
        {
            Directory.CreateDirectory(dir);
            SweepOrphans(dir);
            var probe = Path.Combine(dir, $".harness-write-test-{Owner.Value}-{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputPathException($"cannot write {path}: {e.Message}");
        }
        return full;
    }

    /// <summary>Deletes the <c>….PID-START-ID.partial</c> files in <paramref name="dir"/> whose writer process is gone.</summary>
    public static int SweepOrphans(string dir)
    {
        var removed = 0;
        List<string> files;
        try { files = Directory.EnumerateFiles(dir, "*" + TraceFormat.PartialSuffix).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
        foreach (var file in files)
        {
            if (OwnerOf(Path.GetFileName(file)) is not { } owner || ProcessTag(owner.Pid) == owner.Tag)
                continue;
            try
            {
                File.Delete(file);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return removed;
    }

    /// <summary>The writer of a per-run file name <c>….PID-START-ID.partial</c>, or null for any other name.</summary>
    public static (int Pid, string Tag)? OwnerOf(string fileName)
    {
        if (!fileName.EndsWith(TraceFormat.PartialSuffix, StringComparison.Ordinal))
            return null;
        var stem = fileName[..^TraceFormat.PartialSuffix.Length];
        var dot = stem.LastIndexOf('.');
        if (dot < 0)
            return null;
        var parts = stem[(dot + 1)..].Split('-');
        if (parts.Length != 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _) || parts[2].Length != 8)
            return null;
        return (pid, parts[0] + "-" + parts[1]);
    }

    /// <summary><c>PID-START</c> of a running process (START: field 22 of /proc/PID/stat), or null when none runs with that PID.</summary>
    public static string? ProcessTag(int pid)
    {
        string stat;
        try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        var close = stat.LastIndexOf(')');
        if (close < 0) return null;
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 19 ? $"{pid}-{fields[19]}" : null;
    }
}
