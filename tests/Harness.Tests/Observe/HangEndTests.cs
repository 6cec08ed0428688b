using Harness.Elf;
using Harness.Observe;
using Harness.Tests.Trace;
using Harness.Trace;

namespace Harness.Tests.Observe;

/// <summary>
/// A scenario's expected hang (<c>[expect] end = "hang"</c>, <see cref="ObserveRequest.ExpectHangAfter"/>) against real
/// QEMU: the port patched to spin (<c>jmp $</c>) right after its memory step ends as <c>hang</c>, complete, with the
/// <c>hang</c> checkpoint and where the CPU spins; the unpatched port, which panics, fails the expectation.
/// (A hang the scenario does not expect stays a timeout: ObservedBootTests.A_kernel_that_hangs_times_out_and_the_trace_is_incomplete.)
/// </summary>
[Collection("observed boots")]
public class HangEndTests
{
    private const string Scenario = "q35-2g-slot4m";

    /// <summary>The quiet window: long against any silent stretch of a boot on a loaded machine; the tests never depend on speed otherwise.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task An_expected_hang_is_interrupted_and_recorded_where_the_cpu_spins()
    {
        using var dir = new TempDir();
        var original = ObserveFixtures.PortKernel;
        var elf = ElfImage.Load(original);
        var resolved = Harness.Observe.Map.ResolvedObservationMap.Resolve(
            Harness.Observe.Map.ObservationMapLoader.Load(ObserveFixtures.PortMap), elf);
        // Past the memory_done checkpoint's breakpoint (a `jmp $` on a breakpoint would stop there for ever): the first
        // instruction after it that does not follow a call (a call's return site may be one of the observer's too).
        var memoryDone = resolved.Checkpoints.Single(c => c.Name == "memory_done").Address;
        var listing = elf.Disassemble(memoryDone, 0, 6).Instructions.Where(i => i.Address >= memoryDone).ToList();
        var hangAt = listing.Zip(listing.Skip(1)).First(p => p.First.Instruction.Mnemonic != Iced.Intel.Mnemonic.Call).Second.Address;
        var section = elf.SectionAt(hangAt)!;
        var bytes = File.ReadAllBytes(original);
        var offset = (long)(section.Offset + (hangAt - section.Address));
        bytes[offset] = 0xEB;
        bytes[offset + 1] = 0xFE;
        var kernel = dir.File("hang.elf");
        File.WriteAllBytes(kernel, bytes);

        var qemu = ObserveFixtures.Plan(Scenario, kernel, dir.Path, timeout: TimeSpan.FromSeconds(240));
        var request = ObserveFixtures.Request(kernel, qemu, dir.File("hang.jsonl"), Scenario) with { ExpectHangAfter = Quiet };
        var result = await KernelObserver.RunAsync(request);

        Assert.True(result.Complete, result.Error);
        Assert.Equal(EndHow.Hang, result.How);
        Assert.Null(result.Error);
        Assert.Equal("hang", result.Checkpoints[^1]);
        Assert.Equal(["entry", "hang"], result.Checkpoints.Where(c => c is "entry" or "hang"));

        var trace = TraceReader.Read(result.TracePath);
        Assert.True(trace.IsComplete, trace.IncompleteReason);
        Assert.Equal(EndHow.Hang, trace.End!.How);
        var cp = trace.CheckpointsByName["hang"];
        Assert.NotNull(cp.PageTables);
        Assert.NotNull(cp.Descriptors);
        Assert.NotNull(cp.FrameAllocator);
        Assert.NotNull(cp.Heap);
        // The memory step is done: the frame allocator is where it is at memory_done.
        Assert.Equal(trace.CheckpointsByName["memory_done"].FrameAllocator!.NextFreeFrame, cp.FrameAllocator!.NextFreeFrame);

        var hang = HangRecord.Of(trace)!;
        Assert.Equal(hangAt, hang.Rip);
        Assert.Equal(Harness.Observe.Map.ResolvedObservationMap.Display(elf.Resolve(hangAt)!.Symbol) + " + " + elf.Resolve(hangAt)!.Offset, hang.At);
        Assert.True(hang.Seq > cp.Seq);
        Assert.Empty(hang.Roles); // the map's roles are the syscall path's and the fault handler's: none is here
    }

    [Fact]
    public async Task An_expected_hang_that_does_not_happen_fails_with_what_was_expected()
    {
        using var dir = new TempDir();
        var kernel = ObserveFixtures.PortKernel;
        var qemu = ObserveFixtures.Plan(Scenario, kernel, dir.Path, timeout: TimeSpan.FromSeconds(240));
        var request = ObserveFixtures.Request(kernel, qemu, dir.File("port.jsonl"), Scenario) with { ExpectHangAfter = Quiet };
        var result = await KernelObserver.RunAsync(request);

        // The port panics on the empty initfs: an end every boot may have, but not the one this scenario expects.
        Assert.Equal(EndHow.Panic, result.How);
        Assert.False(result.Complete);
        Assert.Contains("the scenario expects the kernel to hang", result.Error);
        Assert.Contains("ended otherwise (panic)", result.Error);
        var trace = TraceReader.Read(result.TracePath);
        Assert.False(trace.IsComplete);
        Assert.Null(HangRecord.Of(trace));
    }
}
