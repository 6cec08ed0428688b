using System.Text;
using Harness.Observe.Map;
using Harness.Trace;
using static Harness.Observe.KernelCollections;

namespace Harness.Observe;

/// <summary>
/// Every live context's state, read from outside at the moments an <c>address_space</c> record is written (exec, exit,
/// panic, the calls the map names): the context list walked as the map's <c>[processes.tables]</c> lays it out, and for
/// each context its saved CR3 (and the user pages of that address space), status, grants and file table; then the
/// scheme list. A <c>contexts</c> record (traces/FORMAT.md). Reads: one per node or array, one per context, two per
/// grant and file table, one per distinct file description and scheme name; the page walks in physical memory last.
/// </summary>
internal sealed partial class ObserverSession
{
    /// <param name="walked">The address space the <c>address_space</c> record just walked (the current CR3): not walked again.</param>
    private async Task ContextsAsync(ulong? trigger, string at, (ulong Cr3, List<UserPage> Pages) walked, CancellationToken ct)
    {
        if (Processes?.Tables is not { } t || map.Tables is not { } where) return;
        Reader read = (address, length, c) => _gdb!.ReadMemoryAsync(address, length, c);

        var schemes = await SchemeListAsync(t, where.Schemes, read, ct).ConfigureAwait(false);
        var schemeNames = new Dictionary<ulong, string>();
        foreach (var s in schemes) schemeNames.TryAdd(s.Id, s.Name);

        var header = await read(where.Contexts, HeaderBytes(t.ContextsMap), ct).ConfigureAwait(false);
        var entries = await ListAsync(t.ContextsMap, header, read, "the context list", ct).ConfigureAwait(false);
        var descriptions = new Dictionary<ulong, byte[]>();
        var found = new List<(ContextState State, ulong Cr3)>();
        foreach (var (key, value) in entries)
        {
            var id = U64(key, 0);
            var c = await read(U64(value, 0) + t.Context, t.ContextSize, ct).ConfigureAwait(false);
            var cr3 = U64(c, t.Cr3) & AddressMask;
            var tag = U64(c, t.Status);
            var status = tag < (ulong)t.StatusTags.Count ? t.StatusTags[(int)tag] : $"?({tag})";
            if (status is "stopped" or "exited") status += $"({U64(c, t.StatusValue)})";

            var grants = new List<GrantEntry>();
            var gvec = await read(U64(c, t.Grants) + t.GrantsVec, HeaderBytes(t.GrantsList), ct).ConfigureAwait(false);
            foreach (var (_, g) in await ListAsync(t.GrantsList, gvec, read, $"context {id}'s grants", ct).ConfigureAwait(false))
                grants.Add(new GrantEntry(U64(g, t.GrantStart), U64(g, t.GrantSize), U64(g, t.GrantFlags)));

            var files = new List<FileEntry>();
            var fvec = await read(U64(c, t.Files) + t.FilesVec, HeaderBytes(t.FilesList), ct).ConfigureAwait(false);
            var slots = await ListAsync(t.FilesList, fvec, read, $"context {id}'s file table", ct).ConfigureAwait(false);
            for (var fd = 0; fd < slots.Count; fd++)
            {
                var slot = slots[fd].Value;
                if (U64(slot, t.FileNoneAt) == t.FileNoneValue) continue;
                var arc = U64(slot, t.FileDescription);
                if (!descriptions.TryGetValue(arc, out var d))
                    descriptions[arc] = d = await read(arc + t.DescriptionData, (int)Math.Max(t.DescriptionScheme, Math.Max(t.DescriptionNumber, t.DescriptionFlags)) + 8, ct)
                        .ConfigureAwait(false);
                var scheme = U64(d, t.DescriptionScheme);
                files.Add(new FileEntry((ulong)fd, scheme, schemeNames.GetValueOrDefault(scheme), U64(d, t.DescriptionNumber), U64(d, t.DescriptionFlags),
                    slot[(int)t.FileCloexec] != 0));
            }
            found.Add((new ContextState { Id = id, Cr3 = cr3, Status = status, Pages = [], Grants = grants, Files = files }, cr3));
        }

        // The user pages of each distinct address space (contexts of one CLONE_VM family share theirs), in physical memory.
        var spaces = new Dictionary<ulong, List<UserPage>> { [walked.Cr3] = walked.Pages };
        if (found.Any(f => f.Cr3 != 0 && !spaces.ContainsKey(f.Cr3)))
        {
            await _gdb!.SetPhysicalMemoryModeAsync(true, ct).ConfigureAwait(false);
            try
            {
                foreach (var cr3 in found.Select(f => f.Cr3).Where(x => x != 0 && !spaces.ContainsKey(x)).Distinct())
                {
                    spaces[cr3] = await UserWalkAsync(cr3, ct).ConfigureAwait(false);
                }
            }
            finally
            {
                await _gdb.SetPhysicalMemoryModeAsync(false, ct).ConfigureAwait(false);
            }
        }
        var states = found.Select(f => f.State with { Pages = spaces.GetValueOrDefault(f.Cr3) ?? [] }).ToList();
        _writer!.WriteContexts(new ContextsRecord { Seq = 0, Context = trigger, At = at, Contexts = states, Schemes = schemes });
        _processRecords++;
    }

    /// <summary>The scheme list: every namespace's names, in namespace then name order (as the maps iterate).</summary>
    private static async Task<List<SchemeEntry>> SchemeListAsync(ProcessTablesSpec t, ulong at, Reader read, CancellationToken ct)
    {
        var list = new List<SchemeEntry>();
        var header = await read(at, HeaderBytes(t.NamespacesMap), ct).ConfigureAwait(false);
        foreach (var (nsKey, names) in await ListAsync(t.NamespacesMap, header, read, "the scheme list", ct).ConfigureAwait(false))
        {
            var ns = U64(nsKey, 0);
            foreach (var (nameKey, id) in await ListAsync(t.NamesMap, names, read, $"scheme namespace {ns}", ct).ConfigureAwait(false))
            {
                var len = U64(nameKey, t.NameLen);
                if (len > 4096) throw new ObserverException($"scheme namespace {ns}: a name of {len} bytes: the map's [processes.tables] name layout is wrong");
                var bytes = len == 0 ? [] : await read(U64(nameKey, t.NamePtr), (int)len, ct).ConfigureAwait(false);
                list.Add(new SchemeEntry(ns, Encoding.Latin1.GetString(bytes), U64(id, 0)));
            }
        }
        return list;
    }

    /// <summary>Bytes from a collection's start that hold its root, height and length (B-tree) or pointer and count (array).</summary>
    private static int HeaderBytes(CollectionLayout layout) => layout switch
    {
        BTreeLayout b => (int)Math.Max(b.Root, Math.Max(b.Height, b.Length)) + 8,
        ArrayLayout a => (int)Math.Max(a.Ptr, a.Len) + 8,
        _ => throw new ArgumentException("unknown layout", nameof(layout)),
    };
}
