using System.Diagnostics;
using System.Text.Json.Nodes;
using Harness.Elf;
using Harness.Observe;
using Harness.Tests.Trace;
using Harness.Trace;

namespace Harness.Tests.Observe;

/// <summary>Observed boots of the port under real QEMU (the kernel: build/kernel.elf or $HARNESS_TEST_KERNEL).</summary>
[Collection("observed boots")]
public class ObservedBootTests
{
    private const string Scenario = "q35-2g-slot4m";

    [Fact]
    public async Task The_port_boots_observed_and_its_entry_matches_the_loaders_state()
    {
        using var dir = new TempDir();
        var kernel = ObserveFixtures.PortKernel;
        var qemu = ObserveFixtures.Plan(Scenario, kernel, dir.Path);
        var progress = new List<ObserveProgress>();
        var result = await KernelObserver.RunAsync(ObserveFixtures.Request(kernel, qemu, dir.File("port.jsonl"), Scenario, progress.Add));

        Assert.True(result.Complete, result.Error);
        Assert.Equal(dir.File("port.jsonl"), result.TracePath);
        Assert.Null(result.Error);
        Assert.Contains("entry", result.Checkpoints);
        Assert.Contains("memory_done", result.Checkpoints);
        Assert.True(result.Gdb.BytesRead > 0);
        Assert.NotEmpty(progress);

        var trace = TraceReader.Read(result.TracePath);
        Assert.True(trace.IsComplete, trace.IncompleteReason);
        Assert.Equal(TraceFormat.Current, trace.Header.Format);
        Assert.Equal(KernelKind.Port, trace.Header.Kernel.Which);
        Assert.Equal(new KernelArgs(0x100000, 0x400000, 0xffffff0000080000, 0x1f000, 0xffffff000009f000, 0), trace.Header.Args);
        Assert.Equal(0x400000UL, trace.Header.KernelSlot);
        Assert.False(trace.Header.Kernel.Sections.IsEmpty);

        // The entry state is the loader's: the same page tables as the original's reference, the loader's GDT.
        var reference = TraceReader.Read(ObserveFixtures.ReferenceObservations(Scenario));
        var entry = trace.CheckpointsByName["entry"];
        var referenceEntry = reference.CheckpointsByName["entry"];
        Assert.Equal(Describe(referenceEntry.PageTables!), Describe(entry.PageTables!));
        Assert.Equal(0x70000UL, entry.PageTables!.Cr3);
        Assert.Equal(new TableRegister(0x8840, 0x19), entry.Regs.Gdtr);
        Assert.Equal(26, entry.Descriptors!.Gdt!.Length);
        Assert.Equal(referenceEntry.Regs.Cr0, entry.Regs.Cr0);
        Assert.Equal(referenceEntry.Regs.Cr4, entry.Regs.Cr4);
        Assert.Equal(referenceEntry.Regs.Efer, entry.Regs.Efer);
        Assert.Equal(0UL, entry.FrameAllocator!.NextFreeFrame);
        Assert.Null(entry.FrameAllocator.CurrentArea);

        // memory_done: the bump allocator sits on the first free area, as in the original.
        var memory = trace.CheckpointsByName["memory_done"];
        Assert.Equal(reference.CheckpointsByName["memory_done"].FrameAllocator!.CurrentArea, memory.FrameAllocator!.CurrentArea);

        // The PAT the port writes in paging::init (FIDELITY.md §3b), read off its wrmsr, once paging is done.
        Assert.Null(entry.PageTables!.Pat);
        if (trace.CheckpointsByName.TryGetValue("paging_done", out var paging))
            Assert.Equal(0x0007040100070406UL, paging.PageTables!.Pat);

        // Events, when the port allocates already: each has a phase, a count and a caller of this binary.
        foreach (var e in trace.Events.OfType<FrameAllocEvent>())
        {
            Assert.Equal(1UL, e.Count);
            Assert.NotNull(e.Frame);
            Assert.StartsWith("Kernel_", e.Caller);
        }
        Assert.Equal(result.Events, trace.Events.Count);
        // Serial output streamed into the trace equals QEMU's byte-exact transcript.
        Assert.StartsWith("Kernel: 100000:500000\n", trace.Serial.Text);
        Assert.Equal(result.Outcome!.Transcript.Serial.ToArray(), trace.Serial.Bytes);
        // The observer's own numbers are in the trace.
        var observer = trace.ObservationPoints.Select(o => o["observer"]).OfType<JsonObject>().Single();
        Assert.Equal(result.Gdb.BytesRead, (long)observer["gdb"]!["bytes_read"]!);
    }

    [Fact]
    public async Task QEMU_killed_mid_run_leaves_an_incomplete_trace_with_the_reason()
    {
        using var dir = new TempDir();
        var kernel = ObserveFixtures.PortKernel;
        var qemu = ObserveFixtures.Plan(Scenario, kernel, dir.Path);
        var socket = ((Harness.Qemu.GdbEndpoint.UnixSocket)qemu.Gdb!).Path;
        int? killed = null;
        var result = await KernelObserver.RunAsync(ObserveFixtures.Request(kernel, qemu, dir.File("killed.jsonl"), Scenario, p =>
        {
            // At the first checkpoint after entry, kill this run's QEMU (found by its own gdb socket path).
            if (killed is null && p.Checkpoint == "memory_done" && ObserveFixtures.FindQemu(socket) is { } pid)
            {
                killed = pid;
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
        }));

        Assert.NotNull(killed);
        Assert.False(result.Complete);
        Assert.NotNull(result.Error);
        Assert.True(result.Error!.Contains("last checkpoint: memory_done", StringComparison.Ordinal), result.Error);
        Assert.Contains("serial tail:", result.Error);
        Assert.Contains("MemoryArea", result.Error);
        // QemuRunner reads a SIGKILLed QEMU's status 137 as isa-debug-exit 0x44: the map's clean_exit (0x0) keeps it from passing.
        Assert.Contains(result.How, new[] { "qemu-died", EndHow.ConnectionLost, "observer-error", EndHow.QemuExit });
        var trace = TraceReader.Read(result.TracePath);
        Assert.False(trace.IsComplete);
        Assert.Contains("memory_done", trace.CheckpointsByName.Keys);
    }

    [Fact]
    public async Task A_kernel_that_hangs_times_out_and_the_trace_is_incomplete()
    {
        using var dir = new TempDir();
        // The port with `jmp $` at the first instruction after the memory step: the boot hangs there.
        var original = ObserveFixtures.PortKernel;
        var elf = ElfImage.Load(original);
        var resolved = Harness.Observe.Map.ResolvedObservationMap.Resolve(
            Harness.Observe.Map.ObservationMapLoader.Load(ObserveFixtures.PortMap), elf);
        var hangAt = resolved.Checkpoints.Single(c => c.Name == "memory_done").Address;
        var section = elf.SectionAt(hangAt)!;
        var bytes = File.ReadAllBytes(original);
        var offset = (long)(section.Offset + (hangAt - section.Address));
        bytes[offset] = 0xEB;
        bytes[offset + 1] = 0xFE;
        var kernel = dir.File("hang.elf");
        File.WriteAllBytes(kernel, bytes);

        // The timeout counts from QEMU's start: it must leave a loaded machine time to reach memory_done
        // (4 s did not always), as the triple-fault test's 20 s do.
        var qemu = ObserveFixtures.Plan(Scenario, kernel, dir.Path, timeout: TimeSpan.FromSeconds(20));
        var result = await KernelObserver.RunAsync(ObserveFixtures.Request(kernel, qemu, dir.File("hang.jsonl"), Scenario));

        Assert.False(result.Complete);
        Assert.Equal(EndHow.Timeout, result.How);
        Assert.Contains("timeout", result.Error);
        Assert.True(result.Error!.Contains("last checkpoint: memory_done", StringComparison.Ordinal), result.Error);
        var trace = TraceReader.Read(result.TracePath);
        Assert.False(trace.IsComplete);
        Assert.Equal(EndHow.Timeout, trace.End!.How);
    }

    [Fact]
    public async Task A_kernel_that_triple_faults_between_two_events_leaves_an_incomplete_trace_saying_so()
    {
        using var dir = new TempDir();
        // The port with `ud2` right after the memory step: the loader's IDT (the real-mode vector
        // table) is still loaded, so the #UD cannot be delivered and the CPU triple-faults.
        var original = ObserveFixtures.PortKernel;
        var elf = ElfImage.Load(original);
        var resolved = Harness.Observe.Map.ResolvedObservationMap.Resolve(
            Harness.Observe.Map.ObservationMapLoader.Load(ObserveFixtures.PortMap), elf);
        var faultAt = resolved.Checkpoints.Single(c => c.Name == "memory_done").Address;
        var section = elf.SectionAt(faultAt)!;
        var bytes = File.ReadAllBytes(original);
        var offset = (long)(section.Offset + (faultAt - section.Address));
        bytes[offset] = 0x0F;
        bytes[offset + 1] = 0x0B;
        var kernel = dir.File("triple.elf");
        File.WriteAllBytes(kernel, bytes);

        var qemu = ObserveFixtures.Plan(Scenario, kernel, dir.Path, timeout: TimeSpan.FromSeconds(20));
        var result = await KernelObserver.RunAsync(ObserveFixtures.Request(kernel, qemu, dir.File("triple.jsonl"), Scenario));

        Assert.False(result.Complete);
        Assert.Equal(EndHow.TripleFault, result.How);
        Assert.NotNull(result.Error);
        Assert.True(result.Error!.Contains("last checkpoint: memory_done", StringComparison.Ordinal), result.Error);
        var trace = TraceReader.Read(result.TracePath);
        Assert.False(trace.IsComplete);
        Assert.Contains("memory_done", trace.CheckpointsByName.Keys);
        Assert.DoesNotContain("paging_done", trace.CheckpointsByName.Keys);
    }

    [Fact]
    public async Task A_required_symbol_missing_from_the_kernel_fails_before_anything_boots()
    {
        using var dir = new TempDir();
        var kernel = ObserveFixtures.PortKernel;
        var map = Harness.Observe.Map.ObservationMapLoader.Parse("""
            kernel = "port"
            entry = "kstart"
            [checkpoints]
            kmain = { at = "Kernel_Kernel_NoSuchKmain" }
            """, "missing.toml");
        var request = ObserveFixtures.Request(kernel, ObserveFixtures.Plan(Scenario, kernel, dir.Path), dir.File("x.jsonl"), Scenario) with { Map = map };
        var e = await Assert.ThrowsAsync<Harness.Observe.Map.ObservationMapException>(() => KernelObserver.RunAsync(request));
        Assert.Contains("missing.toml:4:", e.Message);
        Assert.Contains("'Kernel_Kernel_NoSuchKmain'", e.Message);
        Assert.Contains(kernel, e.Message);
        Assert.False(File.Exists(dir.File("x.jsonl")));
        Assert.False(File.Exists(dir.File("x.jsonl.partial")));
    }

    private static List<string> Describe(PageTablesRecord tables) =>
        [.. tables.Tables.Select(t => $"{t.Level} 0x{t.Frame:x} 0x{t.Va:x} " + string.Join(",", t.Entries.Select(e => $"{e.Key}={e.Value:x}")))];
}
