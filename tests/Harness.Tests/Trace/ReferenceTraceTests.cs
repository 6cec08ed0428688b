using Harness.Trace;

namespace Harness.Tests.Trace;

/// <summary>Every recording of the original (traces/reference, `harness references`) reads into the model with the counts FIDELITY.md §3b gives.</summary>
public class ReferenceTraceTests
{
    public static TheoryData<string, int, int, int, int, bool> Expected => new()
    {
        // scenario, frame_alloc, heap_extend, heap_map, checkpoints, reached kmain
        { "e820-512th-entry", 1053, 3, 3, 14, true },
        { "e820-free-inside-kernel", 1053, 3, 3, 14, true },
        { "e820-many-small-areas", 1053, 3, 3, 14, true },
        { "e820-no-free-above-1m", 1, 0, 0, 3, false },
        { "e820-out-of-order", 1053, 3, 3, 14, true },
        { "e820-overlapping", 1053, 3, 3, 14, true },
        { "hole-above-kernel", 1053, 3, 3, 14, true },
        { "no-free-above-kernel", 1, 0, 0, 3, false },
        { "out-of-frames-heap", 768, 1, 2, 7, false },
        { "pc-512m", 1052, 3, 3, 14, true },
        { "q35-128m", 1052, 3, 3, 14, true },
        { "q35-2g", 1051, 3, 3, 14, true },
        { "q35-2g-1280x1024", 1567, 5, 5, 14, true },
        { "q35-2g-800x600", 796, 2, 2, 14, true },
        { "q35-2g-env", 1053, 3, 3, 14, true },
        { "q35-2g-novga", 282, 0, 0, 14, true },
        { "q35-2g-slot4m", 1053, 3, 3, 14, true },
        { "q35-2g-smp2", 1053, 3, 3, 14, true },
        { "q35-2g-smp4", 1053, 3, 3, 14, true },
        { "q35-32m", 1052, 3, 3, 14, true },
        { "q35-3584m", 1053, 3, 3, 14, true },
        { "q35-512m", 1052, 3, 3, 14, true },
        { "q35-64m", 1052, 3, 3, 14, true },
        { "q35-6g", 1053, 3, 3, 14, true },
        { "seed-2018", 1053, 3, 3, 14, true },
        { "zero-length-wrap", 1053, 3, 3, 14, true },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void Reference_trace_reads_with_expected_counts(string scenario, int allocs, int extends, int maps, int checkpoints, bool kmain)
    {
        var t = TraceReader.Read(RepoPaths.Reference(scenario));

        // Re-recorded with the current observer (redox-trace/2, handler names in the header). On the empty initfs no
        // process makes a system call (userspace_init's calls run inside the kernel), so there is no syscall record.
        Assert.Contains(t.Header.Format, new[] { TraceFormat.Version2, TraceFormat.Version3, TraceFormat.Current });
        Assert.NotEmpty(t.Header.Kernel.Handlers);
        Assert.Empty(t.Syscalls);
        Assert.Equal(KernelKind.Original, t.Header.Kernel.Which);
        Assert.False(t.Header.Kernel.Sections.IsEmpty);
        Assert.Equal(scenario, t.Header.Scenario);
        Assert.Equal(allocs, t.Events.OfType<FrameAllocEvent>().Count());
        Assert.Equal(extends, t.Events.OfType<HeapExtendEvent>().Count());
        Assert.Equal(maps, t.Events.OfType<HeapMapEvent>().Count());
        Assert.Equal(checkpoints, t.Checkpoints.Count);
        Assert.True(t.IsComplete);
        Assert.Equal(EndHow.Panic, t.End!.How);
        Assert.Equal(kmain, t.End.ReachedKmain);
        Assert.Equal("entry", t.Checkpoints[0].Name);
        Assert.Equal("panic", t.Checkpoints[^1].Name);
        Assert.All(t.Checkpoints.Where(c => c.Name != "panic"), c =>
        {
            Assert.NotNull(c.PageTables);
            Assert.NotNull(c.Descriptors);
            Assert.NotNull(c.FrameAllocator);
            Assert.NotNull(c.Heap);
            if (c.Ordinal > t.CheckpointsByName["memory_done"].Ordinal) Assert.Equal(0x0007040100070406UL, c.PageTables!.Pat);
        });
        Assert.True(t.Serial.Observed);
        Assert.EndsWith("HALT", t.Serial.Lines[^1]);
    }

    [Fact]
    public void Every_reference_folder_is_covered_by_the_table()
    {
        var covered = Expected.Select(row => (string)row[0]).ToHashSet();
        // The boot scenarios; the user-* references (an initfs of tests/userspace) are read by TraceReplayTests.
        var boot = RepoPaths.ReferenceScenarios.Where(s => !s.StartsWith("user-", StringComparison.Ordinal)).ToList();
        Assert.Equal(26, boot.Count);
        Assert.All(boot, s => Assert.Contains(s, covered));
    }

    [Fact]
    public void Baseline_details_are_typed()
    {
        var t = TraceReader.Read(RepoPaths.Reference("q35-2g-slot4m"));

        Assert.Equal(new KernelArgs(0x100000, 0x400000, 0xffffff0000080000, 0x1f000, 0xffffff000009f000, 0), t.Header.Args);
        Assert.Equal("02e69ef968fc5287640ba7dd9472cd00a69b431e121b7eb7bda7f3dfb9a19efd", t.Header.Kernel.Sha256);
        Assert.Equal(0xffffff00001c9390UL, t.Header.Kernel.Sections.Range("tdata")!.Value.Start);
        Assert.Equal(0xc0000050UL, t.Header.Kernel.Statics["tss"].Address);

        string[] names =
        [
            "entry", "memory_done", "paging_done", "gdt_done", "idt_done", "heap_done", "graphical_debug_done",
            "device_done", "acpi_done", "device_noncore_done", "memory_noncore_done", "graphical_debug_fini_done", "kmain", "panic",
        ];
        Assert.Equal(names, t.Checkpoints.Select(c => c.Name));

        var first = Assert.IsType<FrameAllocEvent>(t.Events[0]);
        Assert.Equal("paging", first.Phase);
        Assert.Equal(0x501000UL, first.Frame);
        Assert.Equal(1UL, first.Count);
        Assert.StartsWith("kernel::arch::x86_64::paging::init", first.Caller);
        Assert.Equal("paging_done", t.CheckpointAfter(first.Seq)!.Name);

        var gdt = t.CheckpointsByName["gdt_done"];
        Assert.Equal(0x68UL, gdt.Regs.Tr!.Limit);
        Assert.Equal(0xc0000008UL, gdt.Regs.Gdtr!.Base);
        Assert.Equal(0x18UL, gdt.Regs.Segments["fs"].Sel);
        Assert.Equal(0x501000UL, gdt.PageTables!.Cr3);
        Assert.NotNull(gdt.Descriptors!.Gdt);
        Assert.Null(gdt.Descriptors.Idt);
        Assert.Equal("Cannot access memory at address 0x0", gdt.Descriptors.Error);

        var fini = t.CheckpointsByName["graphical_debug_fini_done"];
        Assert.Equal([new FrameRange(0x615000, 2)], fini.FrameAllocator!.Recycled);
        Assert.Equal(4194304UL, fini.Heap!.Size);

        var heapDone = t.CheckpointsByName["heap_done"].Heap!;
        Assert.True(heapDone.Initialised);
        Assert.Equal([new HeapHole(0xfffffe8000000000, 1048576)], heapDone.Holes);
        Assert.False(t.CheckpointsByName["entry"].Heap!.Initialised);

        Assert.Equal(2, t.ObservationPoints.Count);
        Assert.StartsWith("Kernel: 100000:500000", t.Serial.Lines[0]);
    }

    [Fact]
    public void Observer_written_e820_map_is_in_the_header()
    {
        // The first observer wrote explicit maps at 0x500 itself (redox-observations/1); the project's loader writes them.
        var t = TraceReader.Read(RepoPaths.ObservationsFixture);
        Assert.Equal(TraceFormat.Observations1, t.Header.Format);
        Assert.NotNull(t.Header.E820WrittenByObserver);
        Assert.Equal(new E820Entry(0, 654336, 1, 0), t.Header.E820WrittenByObserver![0]);
        Assert.Null(TraceReader.Read(RepoPaths.Reference("zero-length-wrap")).Header.E820WrittenByObserver);
    }

    [Fact]
    public void The_first_observers_format_reads_with_its_serial_log_beside_it()
    {
        var t = TraceReader.Read(RepoPaths.ObservationsFixture);
        Assert.Equal("no-free-above-kernel", t.Header.Scenario);
        Assert.Equal("249b9ac52e5412c919e3b856685d33bc80f3ba4fb1aeceb20f59764d9fe855a5", t.Header.Kernel.Sha256);
        Assert.True(t.Header.Kernel.Sections.IsEmpty);
        Assert.True(t.IsComplete);
        Assert.Equal(EndHow.Panic, t.End!.How);
        Assert.Single(t.Events.OfType<FrameAllocEvent>());
        Assert.Equal(["entry", "memory_done", "panic"], t.Checkpoints.Select(c => c.Name));
        Assert.True(t.Serial.Observed);
        Assert.EndsWith("HALT", t.Serial.Lines[^1]);
    }

    [Fact]
    public void A_folder_can_be_named_instead_of_the_file()
    {
        var t = TraceReader.Read(Path.Combine(RepoPaths.ReferenceRoot, "no-free-above-kernel"));
        Assert.Equal("no-free-above-kernel", t.Header.Scenario);
    }
}
