using System.Text.RegularExpressions;
using Harness.Elf;
using Iced.Intel;

namespace Harness.Observe.Map;

/// <summary>A checkpoint with its address in one kernel.</summary>
/// <param name="Name">The checkpoint.</param>
/// <param name="Address">The breakpoint address.</param>
/// <param name="Description">How the map located it (for the trace's observation_points).</param>
public sealed record ResolvedCheckpoint(string Name, ulong Address, string Description);

/// <summary>An entry point with its address and its symbol as stored in the ELF.</summary>
/// <typeparam name="T">The map's spec.</typeparam>
/// <param name="Spec">What the map says about it.</param>
/// <param name="Address">The function's entry.</param>
/// <param name="Symbol">The matching symbol (display name with the hash kept, as the reference prints it).</param>
public sealed record ResolvedEntry<T>(T Spec, ulong Address, string Symbol);

/// <summary>A kernel static with its address in this kernel.</summary>
public sealed record ResolvedStatic(string Name, ulong Address, ulong? Size, string Symbol);

/// <summary>
/// An observation map resolved against one kernel ELF: every location a breakpoint address, every state a base
/// address. Optional items whose symbol is missing are listed in <see cref="NotPresent"/>; a required one that is
/// missing fails with the symbol, the ELF and the map's file:line.
/// </summary>
public sealed class ResolvedObservationMap
{
    private ResolvedObservationMap(ObservationMap map, ElfImage elf) { Map = map; Elf = elf; }

    /// <summary>The map.</summary>
    public ObservationMap Map { get; }

    /// <summary>The kernel.</summary>
    public ElfImage Elf { get; }

    /// <summary>The entry (<c>kstart</c>).</summary>
    public ulong Entry { get; private set; }

    /// <summary>The checkpoints after entry, in the map's (kstart's) order.</summary>
    public IReadOnlyList<ResolvedCheckpoint> Checkpoints { get; private set; } = [];

    /// <summary>The <c>[power_off]</c> location (ObservationMap.PowerOff), or null.</summary>
    public ulong? PowerOff { get; private set; }

    /// <summary>Panic handler entries.</summary>
    public IReadOnlyList<ResolvedEntry<string>> Panic { get; private set; } = [];

    /// <summary>Frame allocator entry points.</summary>
    public IReadOnlyList<ResolvedEntry<FrameAllocSpec>> FrameAlloc { get; private set; } = [];

    /// <summary>Frame deallocator entry points.</summary>
    public IReadOnlyList<ResolvedEntry<FrameFreeSpec>> FrameFree { get; private set; } = [];

    /// <summary>Heap growth entry points.</summary>
    public IReadOnlyList<ResolvedEntry<HeapExtendSpec>> HeapExtend { get; private set; } = [];

    /// <summary>Heap mapping entry points.</summary>
    public IReadOnlyList<ResolvedEntry<HeapMapSpec>> HeapMap { get; private set; } = [];

    /// <summary>The syscall dispatcher's entry, or null when not watched (or optional and absent).</summary>
    public ResolvedEntry<SyscallSpec>? Syscall { get; private set; }

    /// <summary>The address of the current context's id (a static of <c>[statics]</c>), or null.</summary>
    public ulong? ContextIdAddress { get; private set; }

    /// <summary>The kernel's signal handler (<c>[processes].signal_at</c>), or null.</summary>
    public ulong? SignalHandler { get; private set; }

    /// <summary>With <c>[processes.tables]</c>: the context list's and the scheme list's addresses (the statics plus their offsets).</summary>
    public (ulong Contexts, ulong Schemes)? Tables { get; private set; }

    /// <summary>The address of the frame allocator's state (symbol + offset), or null.</summary>
    public ulong? FrameAllocatorBase { get; private set; }

    /// <summary>The address of the heap's <c>Option&lt;Heap&gt;</c> (symbol + offset), or null.</summary>
    public ulong? HeapBase { get; private set; }

    /// <summary>The <c>wrmsr</c> instructions watched for IA32_PAT writes.</summary>
    public IReadOnlyList<ulong> PatWrites { get; private set; } = [];

    /// <summary>Statics for the trace header.</summary>
    public IReadOnlyList<ResolvedStatic> Statics { get; private set; } = [];

    /// <summary>Interrupt handlers for the trace header: logical name → entry address.</summary>
    public IReadOnlyDictionary<string, ulong> Handlers { get; private set; } = new Dictionary<string, ulong>();

    /// <summary>The map's <c>[roles]</c>: logical name → this kernel's function (address and size).</summary>
    public IReadOnlyList<(string Role, ulong Start, ulong Size)> Roles { get; private set; } = [];

    /// <summary>What the map names but this kernel does not have (optional items only), one sentence each.</summary>
    public IReadOnlyList<string> NotPresent { get; private set; } = [];

    /// <summary>Resolves <paramref name="map"/> against <paramref name="elf"/>.</summary>
    /// <exception cref="ObservationMapException">A required symbol or call site is missing, or a name is ambiguous.</exception>
    public static ResolvedObservationMap Resolve(ObservationMap map, ElfImage elf)
    {
        var errors = new List<MapError>();
        var notPresent = new List<string>();
        var resolved = new ResolvedObservationMap(map, elf);

        string Missing(string symbol) => $"symbol '{symbol}' is not in {elf.File}";

        // Returns null after recording the problem (an error, or "not present" when optional).
        ElfSymbol? Find(string name, bool optional, MapLocation where, string what)
        {
            try
            {
                if (FindSymbol(elf, name, map.Matching) is { } s)
                    return s;
            }
            catch (ElfException e)
            {
                errors.Add(new MapError(where.File, where.Line, null, $"{what}: {e.Message}"));
                return null;
            }
            if (optional)
                notPresent.Add($"{what}: not present in this kernel ({Missing(name)})");
            else
                errors.Add(new MapError(where.File, where.Line, null, $"{what}: required {Missing(name)}"));
            return null;
        }

        var entry = Find(map.Entry, false, map.EntrySource, "entry");
        resolved.Entry = entry?.Value ?? 0;

        var checkpoints = new List<ResolvedCheckpoint>();
        foreach (var cp in map.Checkpoints)
        {
            var what = $"checkpoint {cp.Name}";
            var loc = cp.Location;
            if (loc.At is { } at)
            {
                if (Find(at, cp.Optional, cp.Source, what) is { } s)
                    checkpoints.Add(new ResolvedCheckpoint(cp.Name, s.Value, $"entry of {Display(s)}"));
                continue;
            }
            var caller = Find(loc.Caller!, cp.Optional, cp.Source, what);
            var callee = Find(loc.Callee!, cp.Optional, cp.Source, what);
            if (caller is null || callee is null)
                continue;
            var calls = elf.DisassembleSymbol(caller.Name)
                .Where(i => i.Instruction.Mnemonic == Mnemonic.Call && i.Instruction.IsCallNear && i.Instruction.NearBranchTarget == callee.Value)
                .ToList();
            if (calls.Count < loc.Nth)
            {
                var text = $"{what}: {elf.File} has {calls.Count} call(s) to '{Display(callee)}' in '{Display(caller)}', the map asks for call #{loc.Nth} (inlined?)";
                if (cp.Optional) notPresent.Add(text + "; not present in this kernel");
                else errors.Add(new MapError(cp.Source.File, cp.Source.Line, null, text));
                continue;
            }
            var call = calls[loc.Nth - 1];
            var address = loc.AfterCall ? call.Instruction.NextIP : call.Instruction.IP;
            checkpoints.Add(new ResolvedCheckpoint(cp.Name, address,
                $"{(loc.AfterCall ? "after" : "at")} call #{loc.Nth} to {Display(callee)} in {Display(caller)} ({Display(caller)}+0x{address - caller.Value:x})"));
        }
        resolved.Checkpoints = checkpoints;

        if (map.PowerOff is { } po && map.PowerOffSource is { } poSource)
        {
            if (po.At is { } poAt)
                resolved.PowerOff = Find(poAt, false, poSource, "power_off")?.Value;
            else if (Find(po.Caller!, false, poSource, "power_off") is { } caller && Find(po.Callee!, false, poSource, "power_off") is { } callee)
            {
                var calls = elf.DisassembleSymbol(caller.Name)
                    .Where(i => i.Instruction.Mnemonic == Mnemonic.Call && i.Instruction.IsCallNear && i.Instruction.NearBranchTarget == callee.Value)
                    .ToList();
                if (calls.Count < po.Nth)
                    errors.Add(new MapError(poSource.File, poSource.Line, null,
                        $"power_off: {elf.File} has {calls.Count} call(s) to '{Display(callee)}' in '{Display(caller)}', the map asks for call #{po.Nth} (inlined?)"));
                else
                    resolved.PowerOff = po.AfterCall ? calls[po.Nth - 1].Instruction.NextIP : calls[po.Nth - 1].Instruction.IP;
            }
        }

        resolved.Panic = map.Panic
            .Select(p => Find(p.At, p.Optional, p.Source, "panic") is { } s ? new ResolvedEntry<string>(p.At, s.Value, Display(s)) : null)
            .OfType<ResolvedEntry<string>>().ToList();
        resolved.FrameAlloc = Entries(map.FrameAlloc, s => (s.At, s.Optional, s.Source), "frame_alloc");
        resolved.FrameFree = Entries(map.FrameFree, s => (s.At, s.Optional, s.Source), "frame_free");
        resolved.HeapExtend = Entries(map.HeapExtend, s => (s.At, s.Optional, s.Source), "heap_extend");
        resolved.HeapMap = Entries(map.HeapMap, s => (s.At, s.Optional, s.Source), "heap_map");

        if (map.FrameAllocator is { } fa && Find(fa.At, fa.Optional, fa.Source, "frame_allocator") is { } faSym)
            resolved.FrameAllocatorBase = faSym.Value + fa.Offset;
        if (map.Heap is { } h && Find(h.At, h.Optional, h.Source, "heap") is { } hSym)
            resolved.HeapBase = hSym.Value + h.Offset;

        var patWrites = new List<ulong>();
        foreach (var (inside, optional, source) in map.PatWrites)
        {
            if (Find(inside, optional, source, "pat") is not { } function)
                continue;
            var writes = elf.DisassembleSymbol(function.Name).Where(i => i.Instruction.Mnemonic == Mnemonic.Wrmsr).Select(i => i.Address).ToList();
            if (writes.Count == 0)
            {
                var text = $"pat: '{Display(function)}' in {elf.File} has no wrmsr";
                if (optional) notPresent.Add(text + "; not present in this kernel");
                else errors.Add(new MapError(source.File, source.Line, null, text));
            }
            patWrites.AddRange(writes);
        }
        resolved.PatWrites = patWrites;

        var statics = new List<ResolvedStatic>();
        foreach (var st in map.Statics)
        {
            if (Find(st.Symbol, st.Optional, st.Source, $"static {st.Name}") is not { } sym)
                continue;
            var address = sym.Value;
            if (st.ThreadLocal && sym.Type == SymbolType.Tls)
            {
                // An STT_TLS symbol's value is its offset in the TLS image.
                address = map.PercpuBase + sym.Value;
            }
            else if (st.ThreadLocal)
            {
                if (Find("__tdata_start", st.Optional, st.Source, $"static {st.Name}") is not { } tdata)
                    continue;
                address = map.PercpuBase + (sym.Value - tdata.Value);
            }
            statics.Add(new ResolvedStatic(st.Name, address, st.Size ?? (sym.Size > 0 ? sym.Size : null), sym.Name));
        }
        resolved.Statics = statics;

        var handlers = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var handler in map.Handlers)
            if (Find(handler.Symbol, false, handler.Source, $"handler {handler.Name}") is { } sym)
                handlers[handler.Name] = sym.Value;
        resolved.Handlers = handlers;
        var roles = new List<(string, ulong, ulong)>();
        foreach (var role in map.Roles)
            if (Find(role.Symbol, false, role.Source, $"role {role.Name}") is { } sym)
                roles.Add((role.Name, sym.Value, Math.Max(1, sym.Size)));
        resolved.Roles = roles;
        if (map.Syscall is { } sc)
        {
            resolved.Syscall = Entries([sc], s => (s.At, s.Optional, s.Source), "syscall").FirstOrDefault();
            if (sc.ContextStatic is { } name)
            {
                if (statics.FirstOrDefault(s => s.Name == name) is { } st) resolved.ContextIdAddress = st.Address;
                else errors.Add(new MapError(sc.Source.File, sc.Source.Line, null, $"syscall: context = \"{name}\" names no static of [statics] found in {elf.File}"));
            }
        }
        if (map.Processes is { SignalAt: { } signalAt } ps && Find(signalAt, ps.SignalOptional, ps.Source, "processes.signal_at") is { } sig)
            resolved.SignalHandler = sig.Value;
        if (map.Processes is { Tables: { } tb } && Find(tb.Contexts, false, tb.Source, "processes.tables.contexts") is { } cl
            && Find(tb.Schemes, false, tb.Source, "processes.tables.schemes") is { } sl)
            resolved.Tables = (cl.Value + tb.ContextsOffset, sl.Value + tb.SchemesOffset);
        resolved.NotPresent = notPresent;

        if (errors.Count > 0)
            throw new ObservationMapException(errors);
        return resolved;

        List<ResolvedEntry<T>> Entries<T>(IEnumerable<T> specs, Func<T, (string At, bool Optional, MapLocation Source)> key, string what)
        {
            var list = new List<ResolvedEntry<T>>();
            foreach (var spec in specs)
            {
                var (at, optional, source) = key(spec);
                if (Find(at, optional, source, what) is { } s)
                    list.Add(new ResolvedEntry<T>(spec, s.Value, Display(s)));
            }
            return list;
        }
    }

    /// <summary>The display name with the Rust hash kept (as the reference prints callers).</summary>
    public static string Display(ElfSymbol symbol) => Harness.Elf.Demangling.RustDemangler.Demangle(symbol.Name, keepHash: true);

    /// <summary>
    /// The symbol a map name denotes: the stored name; with <see cref="SymbolMatching.Rust"/> also the demangled
    /// path without hash, with <c>*</c> as a wildcard. Several symbols at one address count as one.
    /// </summary>
    /// <exception cref="ElfException">The name matches symbols at different addresses.</exception>
    public static ElfSymbol? FindSymbol(ElfImage elf, string name, SymbolMatching matching)
    {
        var exact = elf.Symbols.Where(s => s.Name == name).ToList();
        if (exact.Count > 0)
            return Pick(elf, name, exact);
        if (matching == SymbolMatching.Exact)
            return null;
        List<ElfSymbol> matches;
        if (name.Contains('*', StringComparison.Ordinal))
        {
            var pattern = new Regex("^" + string.Join(".*", name.Split('*').Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant);
            matches = elf.Symbols.Where(s => s.Name.Length > 0 && pattern.IsMatch(s.DisplayName)).ToList();
        }
        else
        {
            matches = elf.Symbols.Where(s => s.Name.Length > 0 && s.DisplayName == name).ToList();
        }
        return matches.Count == 0 ? null : Pick(elf, name, matches);
    }

    private static ElfSymbol Pick(ElfImage elf, string name, List<ElfSymbol> matches)
    {
        var addresses = matches.Select(m => m.Value).Distinct().ToList();
        if (addresses.Count > 1)
            throw new ElfException(elf.File, $"'{name}' names {addresses.Count} symbols at different addresses: " +
                string.Join(", ", matches.Take(6).Select(m => $"{m.Name} @ 0x{m.Value:x}")));
        // Prefer a FUNC/OBJECT with a size.
        return matches.OrderByDescending(m => m.IsCodeOrData).ThenByDescending(m => m.Size).First();
    }
}
