using Harness.Report;
using Harness.Tests.Trace;
using Microsoft.Playwright;

namespace Harness.Tests.Report;

/// <summary>
/// Opens the HTML report in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright; the
/// project's tools/install-deps.sh installs it) and checks what a reader sees.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public TempDir Dir { get; } = new();

    public string EqualReport { get; private set; } = "";

    public string FrameReport { get; private set; } = "";

    public string StateReport { get; private set; } = "";

    public string ClassifiedReport { get; private set; } = "";

    public DiffSession Classified { get; } = ReportInputs.Classified();

    public DiffSession Equal { get; } = ReportInputs.Equal();

    public DiffSession Frame { get; } = ReportInputs.FrameChanged();

    public const string StateCheckpoint = "heap_done";

    public const ulong HeapPage = 0xfffffe8000000000;

    public DiffSession State { get; } = ReportInputs.StateChanged(StateCheckpoint, HeapPage);

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (apt-get install -y chromium; tools/install-deps.sh)");
        EqualReport = HtmlReport.Write(Equal, Dir.File("equal.html"));
        FrameReport = HtmlReport.Write(Frame, Dir.File("frame.html"));
        StateReport = HtmlReport.Write(State, Dir.File("state.html"));
        ClassifiedReport = HtmlReport.Write(Classified, Dir.File("classified.html"));
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>Opens a report; fails the test on any script error or any request that is not the file itself.</summary>
    public async Task<IPage> Open(string file)
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var errors = new List<string>();
        var requests = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        page.Request += (_, r) => requests.Add(r.Url);
        await page.GotoAsync(new Uri(file).AbsoluteUri);
        await page.WaitForSelectorAsync("#pt[data-checkpoint]");
        Assert.Empty(errors);
        Assert.All(requests, u => Assert.StartsWith("file://", u));
        Assert.Single(requests);
        page.PageError += (_, e) => throw new InvalidOperationException("script error: " + e);
        return page;
    }

    public async Task DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright?.Dispose();
        Dir.Dispose();
    }
}

public class BrowserTests(BrowserFixture f) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Reference_against_itself_shows_EQUAL_no_divergence_and_a_row_per_checkpoint()
    {
        var page = await f.Open(f.EqualReport);

        Assert.Equal("EQUAL every observable is equal at every checkpoint", (await page.InnerTextAsync("#verdict")).Trim());
        Assert.Contains("None", await page.InnerTextAsync("#first-divergence"));
        // One row per checkpoint of the trace (14, panic included), and one for the serial log.
        Assert.Equal(f.Equal.A.Checkpoints.Count + 1, await page.Locator("#summary-table tbody tr").CountAsync());
        Assert.Equal(15, await page.Locator("#summary-table tbody tr").CountAsync());
        Assert.Equal(0, await page.Locator("#summary-table td.st-diverged").CountAsync());
        Assert.Equal(f.Equal.A.Checkpoints.Count * 5 + 1, await page.Locator("#summary-table td.st-equal").CountAsync());
        Assert.Equal(0, await page.Locator("#pt .mark-diverged").CountAsync());
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_timeline_has_one_mark_per_frame_event_of_each_kernel()
    {
        var page = await f.Open(f.FrameReport);

        var a = f.Frame.A.FrameEvents.Count();
        var b = f.Frame.B.FrameEvents.Count();
        Assert.Equal(1053, a);
        Assert.Equal(a, await page.Locator("#timeline-svg .ev-a").CountAsync());
        Assert.Equal(b, await page.Locator("#timeline-svg .ev-b").CountAsync());
        Assert.Equal(a + b, await page.Locator("#timeline-svg .ev").CountAsync());
        // The first divergence is marked in both panels, at event 500; B's mark there is the planted frame.
        Assert.Equal(2, await page.Locator("#timeline-svg .first-div").CountAsync());
        Assert.Equal("500", await page.Locator("#timeline-svg .ev-b.first").GetAttributeAsync("data-i"));
        Assert.Contains("0xdead000", await page.Locator("#timeline-svg .ev-b.first title").TextContentAsync());
        Assert.Contains("0x6f5000", await page.Locator("#timeline-svg .ev-a.first title").TextContentAsync());
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_changed_frame_shows_DIVERGED_and_the_first_divergence_at_its_event()
    {
        var page = await f.Open(f.FrameReport);

        Assert.StartsWith("DIVERGED", (await page.InnerTextAsync("#verdict")).Trim());
        Assert.Contains("frames[500]", await page.InnerTextAsync("#verdict"));
        Assert.Equal("frames[500]", await page.InnerTextAsync("#path"));
        Assert.StartsWith("#500", await page.InnerTextAsync("#event-index"));
        Assert.Equal("alloc 1 → 0x6f5000 @graphical_debug", await page.InnerTextAsync("#value-a"));
        Assert.Equal("alloc 1 → 0xdead000 @graphical_debug", await page.InnerTextAsync("#value-b"));
        Assert.StartsWith("kernel::allocator::map_heap", await page.InnerTextAsync("#caller-b"));
        Assert.StartsWith("500", await page.InnerTextAsync("#context tr.first"));
        Assert.Equal(15, await page.Locator("#summary-table tbody tr").CountAsync());
        var diverged = page.Locator("#summary-table td.st-diverged");
        Assert.Equal(1, await diverged.CountAsync());
        Assert.Equal("diverged (1)", await diverged.InnerTextAsync());
        Assert.Equal(f.Frame.A.Serial.Lines.Count, await page.Locator("#serial-table tbody tr").CountAsync());
        Assert.Equal(0, await page.Locator("#serial-table tr.differs").CountAsync());
        await page.CloseAsync();
    }

    [Fact]
    public async Task Switching_the_checkpoint_re_renders_the_page_tables_and_descriptors()
    {
        var page = await f.Open(f.EqualReport);
        var options = await page.Locator("#cp-select option").AllInnerTextsAsync();
        Assert.Equal(f.Equal.A.Checkpoints.Select(c => c.Name), options);
        Assert.Equal("panic", await page.GetAttributeAsync("#pt", "data-checkpoint"));

        await page.SelectOptionAsync("#cp-select", new SelectOptionValue { Label = "entry" });
        Assert.Equal("entry", await page.GetAttributeAsync("#pt", "data-checkpoint"));
        Assert.Equal("entry", await page.GetAttributeAsync("#desc", "data-checkpoint"));
        var head = await page.InnerTextAsync("#pt-head");
        Assert.Contains("checkpoint entry", head);
        Assert.Contains("CR3 A 0x70000 | B 0x70000", head);
        Assert.Contains("tables A 11 | B 11", head);
        // The loader's identity map: 2 MiB pages, HUGE decoded, once the page directory is opened.
        Assert.DoesNotContain("HUGE", await page.InnerTextAsync("#pt"));
        await page.Locator("#pt details[data-key='3:0x0'] > summary").ClickAsync();
        await page.WaitForSelectorAsync("#pt details[data-key='3:0x0'] > .body[data-rendered='1']");
        await page.Locator("#pt details[data-key='2:0x0'] > summary").ClickAsync();
        await page.WaitForSelectorAsync("#pt details[data-key='2:0x0'] > .body[data-rendered='1']");
        var pd = await page.InnerTextAsync("#pt details[data-key='2:0x0']");
        Assert.Contains("HUGE", pd);
        Assert.Contains("(2 MiB)", pd);

        await page.SelectOptionAsync("#cp-select", new SelectOptionValue { Label = "kmain" });
        Assert.Equal("kmain", await page.GetAttributeAsync("#pt", "data-checkpoint"));
        head = await page.InnerTextAsync("#pt-head");
        Assert.Contains("checkpoint kmain", head);
        Assert.DoesNotContain("0x70000 |", head);
        Assert.Contains("tables A 20 | B 20", head);
        Assert.Contains("64-bit TSS", await page.InnerTextAsync("#desc"));
        Assert.Contains("rsp0", await page.InnerTextAsync("#desc"));

        // A collapsed table renders its entries only when opened.
        var key = await page.Locator("#pt details:not([open])").First.GetAttributeAsync("data-key");
        var closed = page.Locator($"#pt details[data-key='{key}']");
        Assert.Equal("0", await closed.Locator(":scope > .body").GetAttributeAsync("data-rendered"));
        await closed.Locator(":scope > summary").ClickAsync();
        await closed.Locator(":scope > .body[data-rendered='1']").WaitForAsync();
        Assert.True(await closed.Locator(":scope > .body > *").CountAsync() > 0);
        await page.CloseAsync();
    }

    [Fact]
    public async Task Changed_state_is_marked_in_the_page_tree_and_the_descriptor_tables()
    {
        var page = await f.Open(f.StateReport);
        Assert.StartsWith("DIVERGED", (await page.InnerTextAsync("#verdict")).Trim());
        // The report opens at the checkpoint of the first divergence.
        Assert.Equal(BrowserFixture.StateCheckpoint, await page.GetAttributeAsync("#pt", "data-checkpoint"));

        var leaf = page.Locator("#pt tr.mark-diverged");
        Assert.True(await leaf.CountAsync() >= 1);
        var text = await leaf.First.InnerTextAsync();
        Assert.Contains("0xfffffe8000000000", text);
        Assert.Contains("diverged", text);
        var tss = page.Locator("#desc tr.mark-diverged");
        Assert.Equal(1, await tss.CountAsync());
        Assert.StartsWith("rsp0", (await tss.InnerTextAsync()).Trim());

        // Elsewhere nothing is marked as diverged.
        await page.SelectOptionAsync("#cp-select", new SelectOptionValue { Label = "kmain" });
        Assert.Equal(0, await page.Locator("#pt .mark-diverged, #desc .mark-diverged").CountAsync());
        await page.CloseAsync();
    }

    [Fact]
    public async Task Kernel_image_pages_show_their_section_class_and_decoded_flags()
    {
        var page = await f.Open(f.ClassifiedReport);
        Assert.Equal("kmain", (await page.Locator("#cp-select option").AllInnerTextsAsync())[^2]);
        await page.SelectOptionAsync("#cp-select", new SelectOptionValue { Label = "kmain" });
        foreach (var key in new[] { "3:0xffffff0000000000", "2:0xffffff0000000000", "1:0xffffff0000000000" })
        {
            await page.Locator($"#pt details[data-key='{key}'] > summary").ClickAsync();
            await page.WaitForSelectorAsync($"#pt details[data-key='{key}'] > .body[data-rendered='1']");
        }
        var pt = page.Locator("#pt details[data-key='1:0xffffff0000000000'] > .body");
        var classes = (await pt.Locator(".cls").AllInnerTextsAsync()).Distinct().ToList();
        Assert.Contains("text", classes);
        Assert.Contains("rodata", classes);
        Assert.Contains("data", classes);
        Assert.Contains("bss", classes);
        Assert.DoesNotContain("image", classes);
        // Text pages: present, global, read-only, executable (no NX), PAT index 0; the image's first page is not executable.
        var row = (await pt.Locator("tr", new LocatorLocatorOptions { HasText = "0xffffff0000101000" }).First.InnerTextAsync()).Split('\t');
        Assert.Equal("text", row[4].Trim());
        var flags = row[3].Trim().Split(' ');
        Assert.Subset(new HashSet<string>(flags), new HashSet<string> { "P", "G", "PAT0" });
        Assert.DoesNotContain("W", flags);
        Assert.DoesNotContain("NX", flags);
        var first = (await pt.Locator("tr", new LocatorLocatorOptions { HasText = "0xffffff0000100000" }).First.InnerTextAsync()).Split('\t');
        Assert.Contains("NX", first[3].Trim().Split(' '));
        await page.CloseAsync();
    }
}
