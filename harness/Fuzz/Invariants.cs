using Harness.Scenarios;
using Harness.Trace;
using Harness.Unicorn;

namespace Harness.Fuzz;

/// <summary>
/// What must hold for every map, checked on the port's run: a clean outcome (the stop point or a panic —
/// never an exception, a hang or an error of the runner), and every frame handed out inside a free area of
/// the 512 entries the kernel reads and above the kernel's end (QUIRKS.md M1), unless a named quirk of the
/// original explains it: M2, a zero-length free area (or one whose end wraps past 2^64) "holds" every frame.
/// Returns the broken invariants and the quirks seen, each a short name (counted by the fuzz report).
/// </summary>
public static class Invariants
{
    public const int KernelReads = 512;
    public const ulong FirstFrame = 0x501000;
    public const int PhysicalAddressBits = 40; // QEMU's (and Unicorn's) x86-64 CPU without host-phys-bits // M1: the frame of kernel_end (1 MiB + 4 MiB slot) is the kernel's too

    public static IEnumerable<string> Check(UnicornRun run, IReadOnlyList<E820Area> map)
    {
        if (run.How == UnicornHow.Unsupported)
        {
            yield return "skipped: unsupported by the runner (" + (run.Detail?.Split(':')[0] ?? "") + ")";
            yield break;
        }
        var beyondPhysical = run.Trace.Events.OfType<FrameAllocEvent>().Any(e => e.Frame is { } f && f >= 1UL << PhysicalAddressBits);
        if (run.How == UnicornHow.Exception && beyondPhysical)
            yield return "quirk (frame beyond the CPU's 40 physical address bits): the allocator hands out a frame the CPU cannot address; the page-table walk through it faults (#PF, reserved bits) before the IDT exists (under QEMU: a triple fault)";
        else if (run.How is not (UnicornHow.Stop or UnicornHow.Panic))
            yield return "VIOLATION unclean outcome: " + MapOutcome.HowKey(run);
        var read = map.Take(KernelReads).Where(a => a.Type == 1).ToList();
        var wraps = read.Any(a => a.Length == 0 || a.Base + a.Length < a.Base);
        int outside = 0, rounded = 0, below = 0;
        foreach (var e in run.Trace.Events.OfType<FrameAllocEvent>())
        {
            if (e.Frame is not { } f) continue;
            var end = f + e.Count * 0x1000;
            if (f < FirstFrame) below++;
            if (read.Any(a => a.Length > 0 && a.Base + a.Length >= a.Base && f >= a.Base && end <= a.Base + a.Length)) continue;
            // The allocator works in whole frames: an area's first and last frames are the ones that contain its first
            // and last byte (Frame::containing_address), so an unaligned area hands out the frames it overlaps.
            if (read.Any(a => a.Length > 0 && a.Base + a.Length >= a.Base && f >= (a.Base & ~0xFFFUL) && end <= ((a.Base + a.Length - 1) & ~0xFFFUL) + 0x1000)) rounded++;
            else outside++;
        }
        if (below > 0) yield return "VIOLATION frame below the kernel's end (M1)";
        if (rounded > 0) yield return "quirk (unaligned area): frames that overlap a free area's unaligned ends (Frame::containing_address rounds its bounds to whole frames)";
        if (outside > 0) yield return wraps ? "quirk M2: frames outside every free area (a zero-length or wrapping free area holds every frame)" : "VIOLATION frame outside every free area";
    }
}
