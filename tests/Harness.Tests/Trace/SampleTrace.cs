using Harness.Trace;

namespace Harness.Tests.Trace;

/// <summary>A small trace written record by record with <see cref="TraceWriter"/>, as an observer would.</summary>
public static class SampleTrace
{
    public static TraceHeader Header => new()
    {
        Format = TraceFormat.Current,
        Scenario = "sample",
        Kernel = new KernelInfo
        {
            Which = KernelKind.Port,
            Path = "build/kernel.elf",
            Sha256 = new string('a', 64),
            Sections = new KernelSections(new Dictionary<string, ulong>
            {
                ["__text_start"] = 0xffffff0000101000, ["__text_end"] = 0xffffff0000180000,
                ["__rodata_start"] = 0xffffff0000180000, ["__rodata_end"] = 0xffffff00001a0000,
                ["__end"] = 0xffffff00001c0000,
            }),
            Statics = new Dictionary<string, KernelStatic> { ["tss"] = new(0xc0000050, 104, "Gdt.Tss") },
        },
        KernelSlot = 0x400000,
        Args = new KernelArgs(0x100000, 0x400000, 0xffffff0000080000, 0x1f000, 0xffffff000009f000, 0),
        ArgsPtr = 0x804e,
        E820WrittenByObserver = [new E820Entry(0, 0x9fc00, 1, 0)],
        QemuVersion = "QEMU emulator version 7.2.22",
        QemuArgs = ["-machine", "q35"],
        HarnessVersion = "0.1.0",
        ObservationMap = new FileIdentity("csharp-kernel/observe.toml", new string('b', 64)),
    };

    public static CpuRegisters Regs => new()
    {
        Cr0 = 0x80010033, Cr3 = 0x70000, Cr4 = 0x6b0, Efer = 0xd00,
        Gdtr = new TableRegister(0x8840, 0x19), Idtr = new TableRegister(0, 0x3ff),
        Tr = new TaskRegister(0, 0, 0xffff, 0x8b00),
        Segments = new Dictionary<string, SegmentRegister> { ["cs"] = new(8, 0), ["fs"] = new(0x10, 0) },
    };

    /// <summary>Writes the sample; with <paramref name="finish"/> false it stops before the end record.</summary>
    public static TraceWriter Write(string path, bool finish = true)
    {
        var w = new TraceWriter(path);
        w.WriteHeader(Header);
        w.WriteCheckpoint(new CheckpointRecord(0, "entry", Regs));
        w.WritePageTables(new PageTablesRecord(0, "entry", 0x70000,
            [new PageTable(0x70000, 4, 0, new SortedDictionary<int, ulong> { [0] = 0x71023, [511] = 0x70003 })]) { Pat = 0x0007040100070406 });
        w.WriteDescriptors(new DescriptorsRecord(0, "entry", [0, 0, 0, 0, 0, 0, 0, 0], null, null, "Cannot access memory at address 0x0"));
        w.WriteFrameAllocator(new FrameAllocatorRecord(0, "entry", 0, null, []));
        w.WriteHeap(new HeapRecord(0, "entry", false, null, null, null, null, []));
        w.WriteSerial("Kernel: 100000:500000\n"u8);
        w.WriteEvent(new FrameAllocEvent { Seq = 0, Phase = "paging", Count = 1, Frame = 0x501000, Caller = "<Paging as Init>::init + 77", Via = "memory::allocate_frames" });
        w.WriteEvent(new FrameAllocEvent { Seq = 0, Phase = "paging", Count = 1, Frame = null, Caller = "paging::init + 80" });
        w.WriteEvent(new HeapMapEvent { Seq = 0, Phase = "heap", Offset = 0xfffffe8000000000, Size = 0x100000, Caller = null });
        w.WriteEvent(new HeapExtendEvent { Seq = 0, Phase = "heap", By = 0x100000, Caller = "alloc + 294" });
        w.WriteEvent(new FrameFreeEvent { Seq = 0, Phase = "graphical_debug_fini", Frame = 0x615000, Count = 2, Caller = "fini + 3" });
        w.WriteCheckpoint(new CheckpointRecord(0, "kmain", Regs with { Cr3 = 0x501000 }));
        w.WriteFrameAllocator(new FrameAllocatorRecord(0, "kmain", 0x91e000, new MemoryArea(0x100000, 0x7fedf000), [new FrameRange(0x615000, 2)]));
        w.WriteHeap(new HeapRecord(0, "kmain", true, 0xfffffe8000000000, 0x400000, 16, 0x400000 - 16, [new HeapHole(0xfffffe8000000010, 16)]));
        w.WriteSerial("PANIC: \u00e9\x1b!\nHALT\n"u8.ToArray().Concat(new byte[] { 0xff }).ToArray());
        if (finish) w.WriteEnd(new EndRecord { Seq = 0, Complete = true, How = EndHow.Kmain, ReachedKmain = true, WallSeconds = 1.5 });
        return w;
    }
}
