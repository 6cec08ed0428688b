using Harness.Diff;
using Spectre.Console;

namespace Harness.Report;

/// <summary>
/// The diff as a terminal summary (Spectre.Console): both sides, the verdict, a table of observables ×
/// checkpoints, the first divergence with both values and callers, the accepted divergences with their
/// reasons (always printed), stale registry entries, counts and notes. Every status is a word, so the
/// summary reads the same without colour (a CI log).
/// </summary>
public static class TerminalSummary
{
    /// <summary>How many further divergences are listed after the first.</summary>
    public const int FurtherShown = 30;

    /// <summary>The width used when the output is not a terminal: wide enough that no line of the summary wraps.</summary>
    public const int RedirectedWidth = 400;

    /// <summary>
    /// A console for the summary on <paramref name="output"/>. When <paramref name="redirected"/> (a CI log, a file, a
    /// pipe) it writes no ANSI codes, no colour, nothing interactive, and uses a width of <see cref="RedirectedWidth"/>
    /// instead of Spectre's default 80, so that long lines are not wrapped (tables only take the width they need).
    /// </summary>
    public static IAnsiConsole CreateConsole(TextWriter output, bool redirected)
    {
        var settings = new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        };
        var console = AnsiConsole.Create(settings);
        if (redirected)
        {
            console.Profile.Width = RedirectedWidth;
            console.Profile.Capabilities.Unicode = true;
        }
        return console;
    }

    /// <summary>The console for standard output, redirected or not as the process's standard output is.</summary>
    public static IAnsiConsole StandardOutput() => CreateConsole(Console.Out, Console.IsOutputRedirected);

    /// <summary>Renders the summary as plain text (no ANSI codes) at <paramref name="width"/> columns.</summary>
    public static string ToText(DiffSession session, int width = RedirectedWidth)
    {
        var sw = new StringWriter();
        var console = CreateConsole(sw, redirected: true);
        console.Profile.Width = width;
        Write(console, session);
        return sw.ToString();
    }

    /// <summary>Writes the summary of <paramref name="session"/> to <paramref name="console"/>.</summary>
    public static void Write(IAnsiConsole console, DiffSession session)
    {
        var r = session.Result;
        foreach (var side in new[] { SideFacts.Of("A", session.A), SideFacts.Of("B", session.B) })
        {
            console.MarkupLine($"[bold]{side.Label}[/] ({E(side.Which)}): {E(side.Path)}");
            console.MarkupLine($"   kernel  {E(side.KernelPath ?? "?")}");
            console.MarkupLine($"   sha256  {E(side.Sha256 ?? "not recorded")}");
            console.MarkupLine($"   slot    {E(side.Slot)}");
            console.MarkupLine($"   QEMU    {E(side.Qemu)}");
            console.MarkupLine($"   end     {E(side.Ending)}");
        }
        console.MarkupLine($"scenario [bold]{E(r.Scenario)}[/]{(r.ScenarioMismatch ? $" [red]— B is scenario {E(r.B.Scenario)}: comparison forced[/]" : "")}" +
                           $"; registry {E(session.RegistryPath ?? "none")}");
        console.MarkupLine($"verdict: [{Colour(r.Status)} bold]{Verdict.Word(r)}[/] — {E(Verdict.Sentence(r))}");
        console.WriteLine();

        console.Write(SummaryTable(r));
        console.MarkupLine($"events compared: {r.EventsCompared}, equal: {r.EventsEqual}" +
                           (r.EventsCompared > r.EventsEqual ? $", different: {r.EventsCompared - r.EventsEqual}" : ""));
        if (r.Cells.FirstOrDefault(c => c.Observable == Observable.Hang) is { } hang)
            console.MarkupLine(Markup.Escape($"hang location (roles, innermost first): {hang.Status.Name()}{(hang.Note is { } n ? $" ({n})" : "")}"));

        if (r.FirstDivergence is { } f)
        {
            console.WriteLine();
            console.MarkupLine($"[red bold]first divergence[/]: {E(f.Observable)} @ {E(f.Checkpoint)}, [bold]{E(f.Path)}[/]" +
                               (f.EventIndex is { } i ? $" (event #{i}, seq A {f.SeqA?.ToString() ?? "-"}, B {f.SeqB?.ToString() ?? "-"})" : ""));
            console.MarkupLine($"  A: {E(f.A ?? "(none)")}");
            console.MarkupLine($"  B: {E(f.B ?? "(none)")}");
            if (f.CallerA is not null || f.CallerB is not null)
            {
                console.MarkupLine($"  caller A: {E(f.CallerA ?? "-")}");
                console.MarkupLine($"  caller B: {E(f.CallerB ?? "-")}");
                foreach (var (side, trace, caller) in new[] { ("A", session.A, f.CallerA), ("B", session.B, f.CallerB) })
                {
                    if (CallerDisassembly.Around(trace, caller) is not { } listing)
                        continue;
                    console.MarkupLine($"  [grey]{side}'s caller, disassembled ({E(trace.Header.Kernel.Path ?? "")}):[/]");
                    foreach (var line in listing.ToString().TrimEnd('\n').Split('\n'))
                        console.MarkupLine($"    {E(line)}");
                }
            }
            console.MarkupLine($"  {E(f.Sentence)}");
            var further = r.Divergences.Where(d => d != f).ToList();
            if (further.Count > 0)
            {
                console.MarkupLine($"further divergences: {further.Count} (first {Math.Min(FurtherShown, further.Count)} shown)");
                foreach (var d in further.Take(FurtherShown))
                    console.MarkupLine($"  {E(d.Observable)} @ {E(d.Checkpoint)}: {E(d.Path)}: A {E(d.A ?? "(none)")} | B {E(d.B ?? "(none)")}");
            }
        }

        console.WriteLine();
        if (r.Accepted.Count == 0)
            console.MarkupLine("accepted divergences: none applied");
        else
        {
            console.MarkupLine($"[yellow]accepted divergences[/] ({r.Accepted.Count} registry entr{(r.Accepted.Count == 1 ? "y" : "ies")}, {Plural(r.Accepted.Sum(a => a.Count), "difference")}):");
            foreach (var a in r.Accepted)
            {
                console.MarkupLine($"  [yellow]{E(a.Entry.Id)}[/] ({E(a.Entry.Location)}): {a.Count} difference{(a.Count == 1 ? "" : "s")}, e.g. {E(a.Example.Path)} @ {E(a.Example.Checkpoint)}");
                console.MarkupLine($"    reason: {E(a.Entry.Reason)}");
            }
        }
        foreach (var s in r.Stale)
            console.MarkupLine($"[red]STALE[/] registry entry {E(s.Id)} ({E(s.Location)}): accepted nothing here — remove or fix it");
        foreach (var n in r.Notes) console.MarkupLine($"[grey]note: {E(n)}[/]");
    }

    /// <summary>The table of observables × checkpoints, with the serial log as a last row.</summary>
    public static Table SummaryTable(DiffResult r)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("checkpoint");
        foreach (var o in Observable.PerCheckpoint) table.AddColumn(o);
        table.AddColumn(Observable.Serial);
        foreach (var cp in SummaryRows.Checkpoints(r))
        {
            var cells = new List<string> { E(cp) };
            cells.AddRange(Observable.PerCheckpoint.Select(o => Cell(r.Cell(o, cp))));
            cells.Add("[grey]·[/]");
            table.AddRow(cells.ToArray());
        }
        var serialRow = new List<string> { E(BootOrder.WholeLog) };
        serialRow.AddRange(Observable.PerCheckpoint.Select(_ => "[grey]·[/]"));
        serialRow.Add(Cell(r.Cell(Observable.Serial, BootOrder.WholeLog)));
        table.AddRow(serialRow.ToArray());
        return table;
    }

    private static string Cell(ObservableCell c) => $"[{Colour(c.Status)}]{E(SummaryRows.CellText(c))}[/]";

    /// <summary>The colour of a status: green, yellow, red, magenta, grey.</summary>
    public static string Colour(CellStatus s) => s switch
    {
        CellStatus.Equal => "green",
        CellStatus.Accepted => "yellow",
        CellStatus.Diverged => "red",
        CellStatus.Incomplete => "magenta",
        _ => "grey",
    };

    private static string E(string s) => Markup.Escape(s);

    private static string Plural(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";
}
