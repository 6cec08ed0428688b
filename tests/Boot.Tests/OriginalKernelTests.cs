using System.Diagnostics;
using Harness.Trace;

namespace Boot.Tests;

/// <summary>
/// A test that boots an original Redox 0.3.5 kernel: it runs only when <c>REDOX_KERNEL</c> names one (any Redox 0.3.5
/// kernel ELF with symbols, e.g. ../shared/tools/original's build); otherwise it is reported as skipped, saying why.
/// </summary>
public sealed class OriginalFactAttribute : FactAttribute
{
    /// <summary>The original kernel ELF from <c>REDOX_KERNEL</c>, or null.</summary>
    public static string? Kernel =>
        Environment.GetEnvironmentVariable("REDOX_KERNEL") is { Length: > 0 } k ? Path.GetFullPath(k, OriginalKernelTests.Root) : null;

    public OriginalFactAttribute()
    {
        if (Kernel is not { } k)
            Skip = "REDOX_KERNEL is not set: no original kernel to boot (set it to an original Redox 0.3.5 kernel ELF with symbols, e.g. build/original/kernel.elf from ../shared/tools/original/build.sh)";
        else if (!File.Exists(k))
            Skip = $"REDOX_KERNEL={k} does not exist";
    }
}

/// <summary>
/// The original in the loop: its observation map (redox-0.3.5/observe.toml) records every state an original kernel
/// has (frame allocator, heap, PAT, section symbols, statics) at every checkpoint from kstart through its panic,
/// and diff-boot / gate / references boot it live beside the port. Needs <c>REDOX_KERNEL</c> (else skipped); the
/// `references` command's refusals of bad input run always.
/// </summary>
public class OriginalKernelTests
{
    internal static string Root => Repo.Root;

    private static (int Status, string Output) Harness(int timeoutSeconds, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "harness.dll"));
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["COLUMNS"] = "200";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"harness {string.Join(' ', args)} did not finish in {timeoutSeconds} s");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static string Original => OriginalFactAttribute.Kernel!;

    [OriginalFact]
    public void The_map_records_every_state_of_the_original_from_entry_to_its_panic()
    {
        var dir = Directory.CreateTempSubdirectory("original-record-").FullName;
        try
        {
            var path = Path.Combine(dir, "q35-2g-slot4m.jsonl");
            var (status, output) = Harness(300, "record", "--kernel", Original, "--scenario", "q35-2g-slot4m", "--map", "redox-0.3.5/observe.toml", "--out", path);
            Assert.True(status == 0, output);
            Assert.DoesNotContain("not observed", output); // every point of the map is in this kernel (frees may be inlined: see below)

            var t = TraceReader.Read(path);
            Assert.True(t.IsComplete, t.IncompleteReason);
            Assert.Equal(KernelKind.Original, t.Header.Kernel.Which);
            Assert.Equal(EndHow.Panic, t.End!.How);
            Assert.True(t.End.ReachedKmain);
            string[] names =
            [
                "entry", "memory_done", "paging_done", "gdt_done", "idt_done", "heap_done", "graphical_debug_done",
                "device_done", "acpi_done", "device_noncore_done", "memory_noncore_done", "graphical_debug_fini_done", "kmain", "panic",
            ];
            Assert.Equal(names, t.Checkpoints.Select(c => c.Name));

            // Section symbols and the per-CPU statics (STT_TLS symbols placed in the per-CPU area).
            foreach (var cls in KernelSections.Classes)
                Assert.NotNull(t.Header.Kernel.Sections.Range(cls));
            Assert.Equal(0xC0000008UL, t.Header.Kernel.Statics["gdt"].Address);
            Assert.Equal(0xC0000050UL, t.Header.Kernel.Statics["tss"].Address);

            // Every checkpoint but the panic (whose state is not read) has every state record.
            foreach (var c in t.Checkpoints.Where(c => c.Name != "panic"))
            {
                Assert.NotNull(c.PageTables);
                Assert.NotNull(c.Descriptors);
                Assert.NotNull(c.FrameAllocator);
                Assert.NotNull(c.Heap);
            }

            // The PAT, from the wrmsr in paging::init on (FIDELITY.md §3b).
            Assert.Null(t.CheckpointsByName["memory_done"].PageTables!.Pat);
            foreach (var c in t.Checkpoints.SkipWhile(c => c.Name != "paging_done").Where(c => c.PageTables is not null))
                Assert.Equal(0x0007040100070406UL, c.PageTables!.Pat);

            // The frame allocator's offsets: after memory::init the bump allocator is on the first area at frame 0; at kmain
            // on the big free area above the 4 MiB slot, and the recycle list holds the two frames graphical_debug::fini
            // freed, as the first recordings (another observer) say.
            var memory = t.CheckpointsByName["memory_done"].FrameAllocator!;
            Assert.Equal(new MemoryArea(0x0, 0x9fc00), memory.CurrentArea);
            Assert.Equal(0UL, memory.NextFreeFrame);
            Assert.Empty(memory.Recycled);
            var kmain = t.CheckpointsByName["kmain"].FrameAllocator!;
            Assert.Equal(new MemoryArea(0x100000, 0x7fedf000), kmain.CurrentArea);
            Assert.Equal(0x91e000UL, kmain.NextFreeFrame);
            Assert.Equal([new FrameRange(0x615000, 2)], kmain.Recycled);
            Assert.Equal(1053, t.Events.OfType<FrameAllocEvent>().Count());

            // The heap's offsets: empty and 1 MiB after allocator::init, 4 MiB after three growths, hole list consistent.
            Assert.False(t.CheckpointsByName["entry"].Heap!.Initialised);
            var heapDone = t.CheckpointsByName["heap_done"].Heap!;
            Assert.True(heapDone.Initialised);
            Assert.Equal(0xfffffe8000000000UL, heapDone.Bottom);
            Assert.Equal([new HeapHole(0xfffffe8000000000, 0x100000)], heapDone.Holes);
            var heap = t.CheckpointsByName["kmain"].Heap!;
            Assert.Equal(0x400000UL, heap.Size);
            var (bottom, size) = (heap.Bottom!.Value, heap.Size!.Value);
            Assert.All(heap.Holes, h => Assert.InRange(h.Address, bottom, bottom + size - h.Size));
            Assert.Equal(3, t.Events.OfType<HeapExtendEvent>().Count());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [OriginalFact]
    public void Diff_boot_with_the_original_live_passes_on_the_novga_scenario()
    {
        var dir = Directory.CreateTempSubdirectory("original-diff-boot-").FullName;
        try
        {
            var (status, output) = Harness(600, "diff-boot", "--kernel", Repo.Kernel, "--scenario", "q35-2g-novga", "--original", Original, "--out", dir);
            Assert.True(status == 0, output);
            Assert.Contains("events compared: 282, equal: 282", output);
            Assert.True(File.Exists(Path.Combine(dir, "traces", "original", "q35-2g-novga.jsonl")), output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The gate with both kernels live: q35-2g's slot follows the original's size (kernel_slot = "original").</summary>
    [OriginalFact]
    public void Gate_with_the_original_live_passes_and_gives_both_kernels_its_size_as_the_slot()
    {
        var dir = Directory.CreateTempSubdirectory("original-gate-").FullName;
        try
        {
            var (status, output) = Harness(900, "gate", "--kernel", Repo.Kernel, "--original", Original, "--only", "q35-2g,zero-length-wrap", "--output-dir", dir);
            Assert.True(status == 0, output);
            Assert.Contains("original (live)", output);
            Assert.Contains("gate passed", output);
            var size = (ulong)new FileInfo(Original).Length;
            foreach (var side in new[] { "original", "port" })
            {
                var t = TraceReader.Read(Path.Combine(dir, "traces", side, "q35-2g.jsonl"));
                Assert.Equal(size, t.Header.KernelSlot);
                Assert.Equal(size, t.Header.Args!.KernelSize);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [OriginalFact]
    public void References_writes_a_complete_recording_with_its_provenance_and_leaves_no_temporary_folder()
    {
        var dir = Directory.CreateTempSubdirectory("original-references-").FullName;
        try
        {
            // An old folder is replaced whole.
            Directory.CreateDirectory(Path.Combine(dir, "q35-2g-novga"));
            File.WriteAllText(Path.Combine(dir, "q35-2g-novga", "observations.jsonl"), "old\n");
            var (status, output) = Harness(600, "references", "--kernel", Original, "--only", "q35-2g-novga", "--reference-dir", dir);
            Assert.True(status == 0, output);
            Assert.Equal(["PROVENANCE.md", "trace.jsonl"], Directory.GetFiles(Path.Combine(dir, "q35-2g-novga")).Select(Path.GetFileName).Order());
            Assert.Equal(["q35-2g-novga"], Directory.GetDirectories(dir).Select(Path.GetFileName));
            var t = TraceReader.Read(Path.Combine(dir, "q35-2g-novga"));
            Assert.True(t.IsComplete);
            Assert.Equal(Path.GetFileName(Original), t.Header.Kernel.Path); // the file name, not this machine's path
            var provenance = File.ReadAllText(Path.Combine(dir, "q35-2g-novga", "PROVENANCE.md"));
            Assert.Contains(t.Header.Kernel.Sha256!, provenance);
            Assert.Contains("QEMU emulator version", provenance);
            Assert.Contains("traces/scenarios/q35-2g-novga.toml", provenance);
            Assert.Contains("redox-0.3.5/observe.toml", provenance);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void References_refuses_bad_input_naming_it()
    {
        var (status, output) = Harness(120, "references", "--kernel", "/no/such/kernel.elf");
        Assert.Equal(2, status);
        Assert.Contains("/no/such/kernel.elf: no such file", output);

        (status, output) = Harness(120, "references", "--kernel", Repo.Kernel, "--only", "no-such-scenario*");
        Assert.Equal(2, status);
        Assert.Contains("matches --only no-such-scenario*", output);

        (status, output) = Harness(120, "references", "--kernel", Repo.Kernel, "--initfs", "/no/such/initfs");
        Assert.Equal(2, status);
        Assert.Contains("--initfs /no/such/initfs: no such folder", output);

        (status, output) = Harness(120, "references", "--kernel", Repo.Kernel, "--jobs", "0");
        Assert.Equal(2, status);
        Assert.Contains("--jobs must be at least 1", output);
    }

    /// <summary>A kernel the original's map does not fit (the port) records nothing, and an old reference stays as it was.</summary>
    [Fact]
    public void A_failed_recording_leaves_the_old_reference_untouched()
    {
        var dir = Directory.CreateTempSubdirectory("references-fail-").FullName;
        try
        {
            var old = Path.Combine(dir, "q35-2g-novga");
            Directory.CreateDirectory(old);
            File.WriteAllText(Path.Combine(old, "trace.jsonl"), "the old reference\n");
            var (status, output) = Harness(300, "references", "--kernel", Repo.Kernel, "--only", "q35-2g-novga", "--reference-dir", dir);
            Assert.Equal(1, status);
            Assert.Contains("not written", output);
            Assert.Equal("the old reference\n", File.ReadAllText(Path.Combine(old, "trace.jsonl")));
            Assert.Equal(["q35-2g-novga"], Directory.GetDirectories(dir).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
