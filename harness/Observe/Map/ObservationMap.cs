using System.Globalization;

namespace Harness.Observe.Map;

/// <summary>A place in a map file, for messages: <c>file:line</c> (1-based).</summary>
/// <param name="File">The map file.</param>
/// <param name="Line">1-based line.</param>
public readonly record struct MapLocation(string File, int Line)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}");
}

/// <summary>How symbol names in a map are matched against the ELF's symbols.</summary>
public enum SymbolMatching
{
    /// <summary>The name as stored in the symbol table (NativeAOT names such as <c>Kernel_Kernel_memory_Memory__AllocateFrames</c>).</summary>
    Exact,

    /// <summary>
    /// Rust names: the stored name, or the demangled path without its hash (<c>kernel::memory::allocate_frames</c>
    /// matches <c>_ZN6kernel6memory15allocate_frames17h&lt;hash&gt;E</c> of any build); <c>*</c> matches any run of characters.
    /// </summary>
    Rust,
}

/// <summary>
/// A code location in a kernel, as a map names it: a function's entry (<c>at</c>), or the instruction after /
/// at the N-th call to a function inside another function (<c>after_call</c>/<c>before_call</c> + <c>in</c> + <c>nth</c>),
/// which is how inlined steps are observed (the call of the next step marks the end of the inlined one).
/// </summary>
public sealed record CodeLocation
{
    /// <summary>A function whose entry is the location (null for a call site).</summary>
    public string? At { get; init; }

    /// <summary>The called function of a call site.</summary>
    public string? Callee { get; init; }

    /// <summary>The function the call site is in.</summary>
    public string? Caller { get; init; }

    /// <summary>Which call of <see cref="Callee"/> inside <see cref="Caller"/> (1 = first, in address order).</summary>
    public int Nth { get; init; } = 1;

    /// <summary>True: the instruction after the call (its return address); false: the call instruction itself.</summary>
    public bool AfterCall { get; init; } = true;

    /// <summary>A short description for messages and the trace's <c>observation_points</c>.</summary>
    public override string ToString() => At is not null
        ? $"entry of {At}"
        : string.Create(CultureInfo.InvariantCulture,
            $"{(AfterCall ? "after" : "at")} call #{Nth} to {Callee} in {Caller}");
}

/// <summary>One checkpoint of FIDELITY.md §2 and where a kernel reaches it.</summary>
/// <param name="Name">The checkpoint (<c>memory_done</c>, …, <c>kmain</c>).</param>
/// <param name="Location">Where it is reached.</param>
/// <param name="Optional">A missing symbol makes it "not present in this kernel" instead of an error.</param>
/// <param name="Source">Where the map defines it.</param>
public sealed record CheckpointSpec(string Name, CodeLocation Location, bool Optional, MapLocation Source);

/// <summary>
/// An entry point of the frame allocator: the function, the register holding <c>count</c> at its entry, and the
/// registers holding the returned <c>Option&lt;Frame&gt;</c> (tag in the low byte of one: 0 None, 1 Some; the frame
/// number in the other).
/// </summary>
public sealed record FrameAllocSpec(string At, string CountRegister, string ResultTagRegister, string ResultFrameRegister,
    string Via, bool Optional, MapLocation Source);

/// <summary>An entry point of the frame deallocator: registers of the frame number and count.</summary>
/// <param name="UnseenCallers">
/// Functions whose calls of this entry point are not recorded: where the other kernel's build
/// inlined the free (the original's `Mapper::unmap_inner`), its observer cannot see it as a call,
/// so neither side records it and the checkpoint's frame-allocator state shows it instead.
/// </param>
public sealed record FrameFreeSpec(string At, string FrameRegister, string CountRegister, bool Optional, MapLocation Source)
{
    public IReadOnlyList<string> UnseenCallers { get; init; } = [];
}

/// <summary>A heap growth entry point (<c>Heap::extend(&amp;mut self, by)</c>): the register holding <c>by</c>.</summary>
public sealed record HeapExtendSpec(string At, string ByRegister, bool Optional, MapLocation Source);

/// <summary>
/// The kernel's syscall dispatcher (the original's <c>kernel::syscall::syscall(a, b, c, d, e, f, bp, stack)</c>):
/// the registers of the number and the five arguments at its entry, the register of the result at its return
/// address, and the static (by its name in <c>[statics]</c>) holding the current context's id, if any.
/// </summary>
public sealed record SyscallSpec(string At, string NumberRegister, IReadOnlyList<string> ArgRegisters, string ResultRegister,
    string? ContextStatic, bool Optional, MapLocation Source);

/// <summary>
/// What the observer records of processes beyond the syscall records (traces/FORMAT.md, "Processes"), all read at
/// the <c>[syscall]</c> dispatcher's stops unless said: <paramref name="Lifecycle"/> (<c>process</c> records of clone,
/// exec, exit, waitpid), the moments at which the current context's user address space is recorded
/// (<paramref name="AddressSpace"/>: <c>exec</c>, <c>exit</c>, <c>panic</c>; <paramref name="AddressSpaceCalls"/>: at the
/// entry of these syscalls, by name), how many bytes of kernel stack are scanned for return addresses at each call
/// (<paramref name="StackBytes"/>, 0 = none), whether frame events after <c>kmain</c> carry the current context
/// (<paramref name="FramesByContext"/>), and the kernel's signal handler (<paramref name="SignalAt"/>, the signal in
/// <paramref name="SignalRegister"/> at its entry).
/// </summary>
public sealed record ProcessesSpec(bool Lifecycle, IReadOnlyList<string> AddressSpace, IReadOnlyList<string> AddressSpaceCalls, int StackBytes,
    bool FramesByContext, string? SignalAt, string? SignalRegister, bool SignalOptional, MapLocation Source)
{
    /// <summary>Where every live context's state is (<c>[processes.tables]</c>), or null: then no <c>contexts</c> record is written.</summary>
    public ProcessTablesSpec? Tables { get; init; }

    /// <summary>The moments <c>address_space</c> may name.</summary>
    public static readonly IReadOnlyList<string> SpaceMoments = ["exec", "exit", "panic"];
}

/// <summary>A heap mapping entry point (<c>map_heap(table, offset, size)</c>): registers of offset and size.</summary>
public sealed record HeapMapSpec(string At, string OffsetRegister, string SizeRegister, bool Optional, MapLocation Source);

/// <summary>
/// Where the frame allocator's state lives: the symbol of the static (plus an offset to the
/// <c>Option&lt;RecycleAllocator&lt;BumpAllocator&gt;&gt;</c>), and field offsets from there. All values are u64
/// except <see cref="SomeFlag"/> (a bool byte).
/// </summary>
public sealed record FrameAllocatorSpec
{
    /// <summary>The static's symbol.</summary>
    public required string At { get; init; }

    /// <summary>Offset from the symbol to the state (e.g. past a Mutex's lock word).</summary>
    public ulong Offset { get; init; }

    /// <summary>Offset of the Option's "Some" flag (a byte), or null when the option has none.</summary>
    public ulong? SomeFlag { get; init; }

    /// <summary>Offset of the bump allocator's next free frame (a frame number).</summary>
    public required ulong NextFreeFrame { get; init; }

    /// <summary>Offset of the pointer to the current memory area (<c>{base u64, length u64}</c>; 0 = None).</summary>
    public required ulong CurrentArea { get; init; }

    /// <summary>Offset of the recycle list's data pointer (elements <c>{address u64, count u64}</c>).</summary>
    public required ulong RecycledPtr { get; init; }

    /// <summary>Offset of the recycle list's length.</summary>
    public required ulong RecycledLen { get; init; }

    /// <summary>A missing symbol is reported instead of refused.</summary>
    public bool Optional { get; init; }

    /// <summary>Where the map defines it.</summary>
    public MapLocation Source { get; init; }
}

/// <summary>
/// Where the kernel heap (linked_list_allocator 0.5's <c>Option&lt;Heap&gt;</c>) lives and its field offsets:
/// bottom, size and the hole list's first (dummy) hole; each hole is <c>{size u64 @HoleSize, next ptr @HoleNext}</c>.
/// </summary>
public sealed record HeapSpec
{
    /// <summary>The static's symbol.</summary>
    public required string At { get; init; }

    /// <summary>Offset from the symbol to the <c>Option&lt;Heap&gt;</c>.</summary>
    public ulong Offset { get; init; }

    /// <summary>Offset of the Option's "Some" flag (a byte), or null.</summary>
    public ulong? SomeFlag { get; init; }

    /// <summary>Offset of <c>bottom</c>.</summary>
    public required ulong Bottom { get; init; }

    /// <summary>Offset of <c>size</c>.</summary>
    public required ulong Size { get; init; }

    /// <summary>Offset of the hole list's first (dummy) hole.</summary>
    public required ulong FirstHole { get; init; }

    /// <summary>Offset of a hole's size within the hole.</summary>
    public ulong HoleSize { get; init; }

    /// <summary>Offset of a hole's next pointer within the hole.</summary>
    public ulong HoleNext { get; init; } = 8;

    /// <summary>A missing symbol is reported instead of refused.</summary>
    public bool Optional { get; init; }

    /// <summary>Where the map defines it.</summary>
    public MapLocation Source { get; init; }
}

/// <summary>
/// An interrupt handler named in the trace header under a logical name shared by both kernels' maps (the original's
/// module path, e.g. <c>exception::page</c>, <c>irq::com1</c>), so that IDT gates are compared by which handler they
/// point to rather than by address (<c>[handlers]</c>: name = this kernel's symbol of the entry the IDT holds).
/// </summary>
public sealed record HandlerSpec(string Name, string Symbol, MapLocation Source);

/// <summary>
/// A kernel static named in the trace header under a logical name (<c>tss</c>, <c>gdt</c>, …): an ordinary symbol,
/// or a thread-local one placed in the per-CPU area (<c>percpu_base + (symbol - __tdata_start)</c>).
/// </summary>
public sealed record StaticSpec(string Name, string Symbol, bool ThreadLocal, ulong? Size, bool Optional, MapLocation Source);

/// <summary>
/// A kernel's observation map (<c>observe.toml</c>): which symbols mark each checkpoint of FIDELITY.md §2, which
/// functions are the frame allocator's and the heap's entry points, where the panic handler is, and how to read
/// the frame allocator's and the heap's state. Read by <see cref="ObservationMapLoader"/>, resolved against an ELF by
/// <see cref="ResolvedObservationMap"/>.
/// </summary>
public sealed record ObservationMap
{
    /// <summary>The file the map was read from.</summary>
    public required string Path { get; init; }

    /// <summary>SHA-256 of the file (lower-case hex).</summary>
    public required string Sha256 { get; init; }

    /// <summary><c>port</c> or <c>original</c>.</summary>
    public required string Kernel { get; init; }

    /// <summary>How names are matched.</summary>
    public SymbolMatching Matching { get; init; }

    /// <summary>The entry (<c>kstart</c>): RDI holds the <c>KernelArgs</c> pointer there.</summary>
    public required string Entry { get; init; }

    /// <summary>Where the map names the entry.</summary>
    public MapLocation EntrySource { get; init; }

    /// <summary>The checkpoints after <c>entry</c>, in <c>kstart</c>'s order.</summary>
    public IReadOnlyList<CheckpointSpec> Checkpoints { get; init; } = [];

    /// <summary>The panic handler's entry points (the first one hit is the <c>panic</c> checkpoint).</summary>
    public IReadOnlyList<(string At, bool Optional, MapLocation Source)> Panic { get; init; } = [];

    /// <summary>Frame allocator entry points (only the outermost call is recorded).</summary>
    public IReadOnlyList<FrameAllocSpec> FrameAlloc { get; init; } = [];

    /// <summary>Frame deallocator entry points (outermost only).</summary>
    public IReadOnlyList<FrameFreeSpec> FrameFree { get; init; } = [];

    /// <summary>Heap growth entry points.</summary>
    public IReadOnlyList<HeapExtendSpec> HeapExtend { get; init; } = [];

    /// <summary>Heap mapping entry points.</summary>
    public IReadOnlyList<HeapMapSpec> HeapMap { get; init; } = [];

    /// <summary>The syscall dispatcher (at most one), or null when the map does not watch syscalls.</summary>
    public SyscallSpec? Syscall { get; init; }

    /// <summary>What is recorded of processes beyond the syscall records, or null (only syscall records).</summary>
    public ProcessesSpec? Processes { get; init; }

    /// <summary>The frame allocator's state, or null when the map does not say.</summary>
    public FrameAllocatorSpec? FrameAllocator { get; init; }

    /// <summary>The heap's state, or null when the map does not say.</summary>
    public HeapSpec? Heap { get; init; }

    /// <summary>The per-CPU area's base, for thread-local statics.</summary>
    public ulong PercpuBase { get; init; } = 0xC000_0000;

    /// <summary>
    /// The isa-debug-exit codes that end this kernel's boot cleanly (the map's clean_exit), or null when
    /// the map declares none (then no isa-debug-exit counts as a complete boot).
    /// </summary>
    public IReadOnlyList<int>? CleanExitCodes { get; init; }

    /// <summary>
    /// The machine ends that end this kernel's boot cleanly (<c>clean_stop</c>): "power-off" (ACPI S5, stop.rs's kstop)
    /// and "reset" (the 8042's reset pulse, kreset; QEMU's -no-reboot ends the run), as EndHow names them. Empty: neither counts.
    /// </summary>
    public IReadOnlyList<string> CleanStops { get; init; } = [];

    /// <summary>
    /// <c>[power_off]</c>: where the kernel has just asked the machine to power off (after the call of the function that
    /// writes ACPI's SLP_EN). The observer stops there and lets QEMU end without running the guest on, so that what a
    /// power-off ends is the same in every run: QEMU acts on the request asynchronously, and a guest left running
    /// prints a varying number of further lines first. Null: not watched.
    /// </summary>
    public CodeLocation? PowerOff { get; init; }

    /// <summary>Where the map defines <see cref="PowerOff"/>.</summary>
    public MapLocation? PowerOffSource { get; init; }

    /// <summary>
    /// Functions whose <c>wrmsr</c> instructions are watched for IA32_PAT (MSR 0x277, value EDX:EAX); each with
    /// its optional flag and place. Empty: the PAT is not recorded.
    /// </summary>
    public IReadOnlyList<(string In, bool Optional, MapLocation Source)> PatWrites { get; init; } = [];

    /// <summary>Statics named in the trace header.</summary>
    public IReadOnlyList<StaticSpec> Statics { get; init; } = [];

    /// <summary>Interrupt handlers named in the trace header (<c>[handlers]</c>).</summary>
    public IReadOnlyList<HandlerSpec> Handlers { get; init; } = [];

    /// <summary>
    /// Functions under logical names shared by both kernels' maps (<c>[roles]</c>: name = this kernel's symbol), by which
    /// a hang's location is told (the <c>hang</c> record's <c>roles</c>): the two kernels' functions differ in name and
    /// in what their compilers inlined, their roles do not.
    /// </summary>
    public IReadOnlyList<HandlerSpec> Roles { get; init; } = [];

    /// <summary>The checkpoint names of FIDELITY.md §2 after <c>entry</c>, in <c>kstart</c>'s order, and the phase each starts.</summary>
    public static IReadOnlyList<(string Checkpoint, string PhaseAfter)> KnownCheckpoints { get; } =
    [
        ("memory_done", "paging"),
        ("paging_done", "gdt"),
        ("gdt_done", "idt"),
        ("idt_done", "heap"),
        ("heap_done", "graphical_debug"),
        ("graphical_debug_done", "device"),
        ("device_done", "acpi"),
        ("acpi_done", "device_noncore"),
        ("device_noncore_done", "memory_noncore"),
        ("memory_noncore_done", "graphical_debug_fini"),
        ("graphical_debug_fini_done", "kmain"),
        ("kmain", "kmain"),
    ];

    /// <summary>The phase in progress right after <c>entry</c>.</summary>
    public const string FirstPhase = "memory";

    /// <summary>The phase that starts when <paramref name="checkpoint"/> is reached.</summary>
    public static string PhaseAfter(string checkpoint) =>
        KnownCheckpoints.FirstOrDefault(k => k.Checkpoint == checkpoint).PhaseAfter ?? FirstPhase;
}
