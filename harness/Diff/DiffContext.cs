using Harness.Trace;

namespace Harness.Diff;

/// <summary>
/// What every comparer shares: both traces, the options, the boot order, the registry; it collects
/// differences per cell (accepting them through the registry as they arrive) and notes.
/// </summary>
internal sealed class DiffContext
{
    private readonly Dictionary<(string Observable, string Checkpoint), CellBuilder> _cells = [];
    private readonly List<string> _notes = [];

    public DiffContext(Trace.Trace a, Trace.Trace b, DiffOptions options, DivergenceRegistry registry)
    {
        A = a;
        B = b;
        Options = options;
        Registry = registry;
        Order = new BootOrder(a, b);
        LayoutA = new Normalise.KernelLayout(a, options.KernelA ?? a.Header.Kernel, options);
        LayoutB = new Normalise.KernelLayout(b, options.KernelB ?? b.Header.Kernel, options);
        Classified = !LayoutA.Sections.IsEmpty && !LayoutB.Sections.IsEmpty;
        foreach (var cp in Order.Checkpoints)
            foreach (var o in Observable.PerCheckpoint)
                _cells[(o, cp)] = new CellBuilder();
        _cells[(Observable.Serial, BootOrder.WholeLog)] = new CellBuilder();
        if (a.Syscalls.Count > 0 || b.Syscalls.Count > 0 || a.Processes.Count > 0 || b.Processes.Count > 0 || a.AddressSpaces.Count > 0 || b.AddressSpaces.Count > 0
            || a.Contexts.Count > 0 || b.Contexts.Count > 0)
            _cells[(Observable.Processes, BootOrder.WholeLog)] = new CellBuilder();
        if (Order.Has(HangRecord.CheckpointName) && (HangRecord.Of(a) is not null || HangRecord.Of(b) is not null))
            _cells[(Observable.Hang, HangRecord.CheckpointName)] = new CellBuilder();
    }

    public Trace.Trace A { get; }
    public Trace.Trace B { get; }
    public DiffOptions Options { get; }
    public DivergenceRegistry Registry { get; }
    public BootOrder Order { get; }
    public Normalise.KernelLayout LayoutA { get; }
    public Normalise.KernelLayout LayoutB { get; }

    /// <summary>True when both sides have section symbols, so kernel pages and addresses get section classes.</summary>
    public bool Classified { get; }

    public IReadOnlyList<string> Notes => _notes;

    public void Note(string note)
    {
        if (!_notes.Contains(note)) _notes.Add(note);
    }

    /// <summary>
    /// Where a process record's difference happened in boot order: as an event leading up to the checkpoint that follows
    /// it in its trace (the earlier of the two sides' places), so that a wrong syscall before a panic the other kernel
    /// does not have comes first.
    /// </summary>
    public BootPosition ProcessPosition(long? seqA, long? seqB)
    {
        var places = new List<BootPosition>();
        if (seqA is { } x) places.Add(Order.Event(BootOrder.GroupOf(A, x), x));
        if (seqB is { } y) places.Add(Order.Event(BootOrder.GroupOf(B, y), y));
        return places.Min();
    }

    /// <summary>Records a difference, accepted or not; true when the registry accepted it.</summary>
    public bool Report(Difference d)
    {
        var accepted = Registry.Match(d, A.Header.Scenario, Order)
                       ?? (A.Header.Scenario != B.Header.Scenario ? Registry.Match(d, B.Header.Scenario, Order) : null);
        Cell(d.Observable, d.Checkpoint).Differences.Add(d with { AcceptedBy = accepted });
        return accepted is not null;
    }

    /// <summary>Marks a cell as compared (both sides had something there).</summary>
    public void Compared(string observable, string checkpoint) => Cell(observable, checkpoint).Compared = true;

    /// <summary>Marks a cell incomplete: a side's trace ended before it.</summary>
    public void Incomplete(string observable, string checkpoint, string why)
    {
        var c = Cell(observable, checkpoint);
        c.Incomplete = true;
        c.Note ??= why;
    }

    /// <summary>Marks a cell as recorded by one side only (an observation gap, not a kernel difference).</summary>
    public void OneSided(string observable, string checkpoint, string why)
    {
        var c = Cell(observable, checkpoint);
        c.OneSided = true;
        c.Note ??= why;
    }

    public IReadOnlyList<ObservableCell> BuildCells() =>
        _cells.OrderBy(kv => Order.Ordinal(kv.Key.Checkpoint))
            .ThenBy(kv => Observable.All.ToList().IndexOf(kv.Key.Observable))
            .Select(kv => kv.Value.Build(kv.Key.Observable, kv.Key.Checkpoint))
            .ToList();

    private CellBuilder Cell(string observable, string checkpoint) => _cells[(observable, checkpoint)];

    private sealed class CellBuilder
    {
        public List<Difference> Differences { get; } = [];
        public bool Compared { get; set; }
        public bool Incomplete { get; set; }
        public bool OneSided { get; set; }
        public string? Note { get; set; }

        public ObservableCell Build(string observable, string checkpoint)
        {
            var status =
                Differences.Any(d => !d.IsAccepted) ? CellStatus.Diverged
                : Incomplete ? CellStatus.Incomplete
                : OneSided || !Compared ? CellStatus.NotObserved
                : Differences.Count > 0 ? CellStatus.Accepted
                : CellStatus.Equal;
            return new ObservableCell
            {
                Observable = observable,
                Checkpoint = checkpoint,
                Status = status,
                Differences = Differences.OrderBy(d => d.Position).ToList(),
                Note = Note,
                OneSided = OneSided,
            };
        }
    }
}
