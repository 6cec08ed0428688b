using System.Collections.Concurrent;
using System.Globalization;

namespace Harness.Qemu;

/// <summary>
/// A run's temporary work folder (disk image, QEMU's logs, the gdb socket), owned by this process: its name is
/// <c>harness-PID-START-PURPOSE-ID</c> in the temp folder, PID and START (the process's start time, from
/// /proc/PID/stat) naming the owner. Creating one first sweeps the folders whose owner is gone (a harness that was
/// SIGKILLed cannot clean up after itself); <see cref="DeleteAll"/> removes this process's own (signal handlers,
/// the end of a run).
/// </summary>
public static class WorkFolder
{
    /// <summary>The prefix of every work folder's name.</summary>
    public const string Prefix = "harness-";

    private static readonly ConcurrentDictionary<string, byte> Owned = new();
    private static readonly Lazy<string> Owner = new(() => OwnerTag(Environment.ProcessId) ?? Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-0");
    private static int _swept;

    /// <summary>This process's owner tag (<c>PID-START</c>).</summary>
    public static string OwnerId => Owner.Value;

    /// <summary>Creates a fresh work folder for <paramref name="purpose"/> (letters, digits, '-', '.') under the temp folder.</summary>
    public static string Create(string purpose)
    {
        if (Interlocked.Exchange(ref _swept, 1) == 0)
            SweepOrphans();
        var safe = new string(purpose.Take(40).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' ? c : '_').ToArray());
        var dir = Path.Combine(Path.GetTempPath(), $"{Prefix}{Owner.Value}-{safe}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        Owned[dir] = 0;
        return dir;
    }

    /// <summary>Deletes <paramref name="dir"/> (quietly: a folder that cannot be removed stays).</summary>
    public static void Delete(string dir)
    {
        Owned.TryRemove(dir, out _);
        try { Directory.Delete(dir, recursive: true); }
        catch (DirectoryNotFoundException) { }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Forgets <paramref name="dir"/> without deleting it (a folder the user asked to keep).</summary>
    public static void Keep(string dir) => Owned.TryRemove(dir, out _);

    /// <summary>Deletes every work folder this process created and has not deleted or kept.</summary>
    public static void DeleteAll()
    {
        foreach (var dir in Owned.Keys.ToList())
            Delete(dir);
    }

    /// <summary>
    /// Deletes the work folders in the temp folder whose owner process is gone (or is another process with the same
    /// PID). Returns how many were removed.
    /// </summary>
    public static int SweepOrphans()
    {
        var removed = 0;
        IEnumerable<string> dirs;
        try { dirs = Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
        foreach (var dir in dirs)
        {
            if (OwnerOf(Path.GetFileName(dir)) is not { } owner || OwnerAlive(owner))
                continue;
            try
            {
                Directory.Delete(dir, recursive: true);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return removed;
    }

    /// <summary>The <c>PID-START</c> of a work folder's name, or null when the name is not one of ours.</summary>
    public static (int Pid, string Tag)? OwnerOf(string name)
    {
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
            return null;
        var parts = name[Prefix.Length..].Split('-');
        if (parts.Length < 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            return null;
        return (pid, parts[0] + "-" + parts[1]);
    }

    /// <summary>Whether the process that owns a tag still runs (same PID and same start time).</summary>
    public static bool OwnerAlive((int Pid, string Tag) owner) => OwnerTag(owner.Pid) is { } now && now == owner.Tag;

    /// <summary><c>PID-START</c> of a running process (START: field 22 of /proc/PID/stat), or null when it does not run.</summary>
    public static string? OwnerTag(int pid)
    {
        string stat;
        try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        var close = stat.LastIndexOf(')');
        if (close < 0) return null;
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        return fields.Length > 19 ? $"{pid}-{fields[19]}" : null;
    }
}
