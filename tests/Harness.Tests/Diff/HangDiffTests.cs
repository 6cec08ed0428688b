using System.Text.Json.Nodes;
using Harness.Diff;
using Harness.Trace;
using TraceModel = Harness.Trace.Trace;

namespace Harness.Tests.Diff;

/// <summary>
/// The <c>hang</c> checkpoint and record compared (traces/FORMAT.md, "hang"), on the original's recording of
/// user-gpdeadlock (QUIRKS U9): its state like any checkpoint's, its location by the maps' roles.
/// </summary>
public class HangDiffTests
{
    private static readonly TraceModel Reference = TraceEdits.Load("user-gpdeadlock");

    /// <summary><paramref name="t"/> with its other records (the hang record among them) edited, the process records kept.</summary>
    private static TraceModel WithOther(TraceModel t, Func<JsonObject, JsonObject?> edit, IReadOnlyList<Checkpoint>? checkpoints = null, EndRecord? end = null) =>
        new(t.SourcePath + ".edited", t.Header, checkpoints ?? t.Checkpoints, t.Events, t.Serial, end ?? t.End, t.ObservationPoints,
            [.. t.OtherRecords.Select(r => edit((JsonObject)r.DeepClone())).OfType<JsonObject>()])
        {
            Syscalls = t.Syscalls, Processes = t.Processes, AddressSpaces = t.AddressSpaces,
        };

    private static JsonObject? EditHang(JsonObject r, Action<JsonObject> edit)
    {
        if ((string?)r["type"] == "hang") edit(r);
        return r;
    }

    [Fact]
    public void The_recording_of_the_original_ends_in_the_expected_hang_inside_the_protection_fault_under_the_write()
    {
        Assert.True(Reference.IsComplete);
        Assert.Equal(EndHow.Hang, Reference.End!.How);
        Assert.Equal("hang", Reference.Checkpoints[^1].Name);
        Assert.NotNull(Reference.Checkpoints[^1].PageTables);
        Assert.NotNull(Reference.Checkpoints[^1].Heap);
        var hang = HangRecord.Of(Reference)!;
        Assert.StartsWith("kernel::arch::x86_64::interrupt::exception::protection::inner", hang.At, StringComparison.Ordinal);
        Assert.Equal(["exception::protection", "syscall::file_op", "syscall::syscall"], hang.Roles);
        // The write that faulted never returned: written at the end without a result.
        Assert.Contains(Reference.Syscalls, s => s.Name == "write" && s.Result is null);
    }

    [Fact]
    public void The_same_hang_with_other_symbols_is_equal()
    {
        // Another kernel's symbols and offsets (the port's), the same roles: only the roles are compared.
        var b = WithOther(Reference, r => EditHang(r, h =>
        {
            h["at"] = "hal_atomic_load + 3";
            h["rip"] = "0xffffff0000101eb3";
            h["role"] = null;
            h["stack"] = new JsonArray("Kernel_spin_MutexExt__Lock + 77", "kernel_exception_protection + 23", "Kernel_Kernel_syscall_Fs__FileOp + 975");
        }));

        var r = TraceDiffer.Compare(Reference, b);
        Assert.Equal(CellStatus.Equal, r.Cell(Observable.Hang, "hang").Status);
        Assert.True(r.Cells.Where(c => c.Checkpoint == "hang").All(c => c.Status is CellStatus.Equal or CellStatus.NotObserved), string.Join(", ", r.Cells.Where(c => c.Checkpoint == "hang").Select(c => $"{c.Observable} {c.Status}")));
        Assert.Equal(CellStatus.Equal, r.Status);
    }

    [Fact]
    public void A_hang_elsewhere_is_the_first_divergence_naming_both_locations()
    {
        var b = WithOther(Reference, r => EditHang(r, h =>
        {
            h["at"] = "Kernel_Kernel_scheme_Debug__Write + 12";
            h["role"] = null;
            h["roles"] = new JsonArray("syscall::file_op", "syscall::syscall");
        }));

        var r = TraceDiffer.Compare(Reference, b);
        Assert.Equal(CellStatus.Diverged, r.Status);
        var d = r.FirstDivergence!;
        Assert.Equal(Observable.Hang, d.Observable);
        Assert.Equal("hang", d.Checkpoint);
        Assert.Equal("hang.roles", d.Path);
        Assert.Equal("exception::protection < syscall::file_op < syscall::syscall", d.A);
        Assert.Equal("syscall::file_op < syscall::syscall", d.B);
        Assert.Contains("Kernel_Kernel_scheme_Debug__Write + 12", d.Sentence);
    }

    [Fact]
    public void A_registry_entry_of_observable_hang_accepts_exactly_its_roles()
    {
        // user-filesz's entry: the port's 2 KiB stack scan ends before the dispatcher the original's reaches.
        var b = WithOther(Reference, r => EditHang(r, h => h["roles"] = new JsonArray("exception::protection", "syscall::file_op")));
        var registry = DivergenceRegistry.Parse("""
            [[divergence]]
            id = "shallower-scan"
            scenario = "user-gpdeadlock"
            observable = "hang"
            path = "hang.roles"
            a = "exception::protection < syscall::file_op < syscall::syscall"
            b = "exception::protection < syscall::file_op"
            reason = "r"
            """, "hang.toml");

        var r = TraceDiffer.Compare(Reference, b, registry: registry);
        Assert.Equal(CellStatus.Accepted, r.Cell(Observable.Hang, "hang").Status);
        Assert.Equal("shallower-scan", r.Cell(Observable.Hang, "hang").Differences.Single().AcceptedBy!.Id);

        // Another hang location is not what the entry names: still diverged.
        var c = WithOther(Reference, r => EditHang(r, h => h["roles"] = new JsonArray("syscall::file_op")));
        Assert.Equal(CellStatus.Diverged, TraceDiffer.Compare(Reference, c, registry: registry).Cell(Observable.Hang, "hang").Status);
    }

    [Fact]
    public void A_kernel_that_does_not_hang_diverges_at_the_hang()
    {
        // B panics where A hung: its trace is complete, without the hang checkpoint and record.
        var checkpoints = Reference.Checkpoints.Where(c => c.Name != "hang").ToList();
        var b = WithOther(Reference, r => (string?)r["type"] == "hang" ? null : r, checkpoints,
            Reference.End! with { How = EndHow.Panic });

        var r = TraceDiffer.Compare(Reference, b);
        Assert.Equal(CellStatus.Diverged, r.Status);
        Assert.Equal(CellStatus.Diverged, r.Cell(Observable.Hang, "hang").Status);
        var d = r.Cell(Observable.Hang, "hang").Differences.Single();
        Assert.Null(d.B);
        Assert.Contains("B did not hang (its boot ended: panic)", d.Sentence);
    }

    [Fact]
    public void A_kernel_that_ran_into_its_timeout_instead_is_incomplete_never_equal()
    {
        var checkpoints = Reference.Checkpoints.Where(c => c.Name != "hang").ToList();
        var b = WithOther(Reference, r => (string?)r["type"] == "hang" ? null : r, checkpoints,
            Reference.End! with { How = EndHow.Timeout, Complete = false });

        var r = TraceDiffer.Compare(Reference, b, new DiffOptions { CompareIncompletePrefix = true });
        Assert.Equal(CellStatus.Incomplete, r.Cell(Observable.Hang, "hang").Status);
        Assert.False(r.Passed);
    }
}
