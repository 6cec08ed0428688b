using System.Globalization;
using System.Net;
using System.Text;
using Harness.Diff;
using Harness.Trace;

namespace Harness.Report;

/// <summary>
/// The HTML report's contexts view (inside the processes section): the <c>contexts</c> records paired as the diff
/// pairs them (per context whose event it is, in order), each pair a table of the live contexts A against B (status,
/// CR3, user pages, grants, open files) and the scheme list; a pair that differs is open with its first difference
/// named and its row marked.
/// </summary>
internal static class ContextsView
{
    public static bool Applies(DiffSession s) => s.A.Contexts.Count + s.B.Contexts.Count > 0;

    public static void Render(StringBuilder sb, DiffSession s)
    {
        sb.Append($"<h3 id=\"contexts\">Every live context at each exec, exit and end: A {s.A.Contexts.Count}, B {s.B.Contexts.Count} records</h3>");
        sb.Append("<p class=\"legend\">Compared per context id: saved CR3, user pages (frames, flags without accessed/dirty, contents), grants, " +
                  "file tables (fd → scheme, number, flags, cloexec) and the scheme list; status is shown, not compared (it follows the interleaving).</p>");
        var ga = s.A.Contexts.GroupBy(x => x.Context ?? ulong.MaxValue).ToDictionary(g => g.Key, g => g.ToList());
        var gb = s.B.Contexts.GroupBy(x => x.Context ?? ulong.MaxValue).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var trigger in ga.Keys.Concat(gb.Keys).Distinct().Order())
        {
            var la = ga.GetValueOrDefault(trigger) ?? [];
            var lb = gb.GetValueOrDefault(trigger) ?? [];
            for (var i = 0; i < Math.Max(la.Count, lb.Count); i++)
            {
                var a = i < la.Count ? la[i] : null;
                var b = i < lb.Count ? lb[i] : null;
                var d = a is not null && b is not null ? ProcessText.ContextsDifference(a, b) : null;
                var differs = d is not null || a is null || b is null;
                sb.Append($"<details{(differs ? " open" : "")}><summary>{H((a ?? b)!.At)} of context {Id(trigger)} (#{i})" +
                          (differs ? " — <b class=\"differs\">differs</b>" : " — equal") + "</summary>");
                if (d is { } x) sb.Append($"<p class=\"differs\"><code>{H(x.Path)}</code>: {H(x.What)}: A {H(x.A)}; B {H(x.B)}</p>");
                sb.Append("<table class=\"grid contexts\"><thead><tr><th>context</th><th>A (reference)</th><th>B (port)</th></tr></thead><tbody>");
                var ca = a?.Contexts.ToDictionary(c => c.Id) ?? [];
                var cb = b?.Contexts.ToDictionary(c => c.Id) ?? [];
                foreach (var id in ca.Keys.Concat(cb.Keys).Distinct().Order())
                {
                    var mark = d is { } y && y.Path.StartsWith($"processes.context[{id.ToString(CultureInfo.InvariantCulture)}]", StringComparison.Ordinal) ? "first" : "";
                    sb.Append($"<tr class=\"{mark}\"><td>{id}</td><td><code>{Cell(ca.GetValueOrDefault(id))}</code></td><td><code>{Cell(cb.GetValueOrDefault(id))}</code></td></tr>");
                }
                var schemesMark = d is { } z && z.Path.StartsWith("processes.schemes", StringComparison.Ordinal) ? "first" : "";
                sb.Append($"<tr class=\"{schemesMark}\"><td>schemes</td><td><code>{Schemes(a)}</code></td><td><code>{Schemes(b)}</code></td></tr>");
                sb.Append("</tbody></table></details>");
            }
        }
    }

    private static string Cell(ContextState? c) => c is null ? "<i>(not live)</i>" : H(ProcessText.Context(c));

    private static string Schemes(ContextsRecord? r) =>
        r is null ? "<i>(no record)</i>" : H(string.Join(", ", r.Schemes.Select(s => $"{s.Namespace}:{(s.Name.Length == 0 ? "\"\"" : s.Name)}={s.Id}")));

    private static string Id(ulong context) => context == ulong.MaxValue ? "?" : context.ToString(CultureInfo.InvariantCulture);

    private static string H(string s) => WebUtility.HtmlEncode(s);
}
