using Harness.Scenarios;
using System.Globalization;
using System.Security.Cryptography;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Harness.Observe.Map;

/// <summary>One problem in an observation map (or in resolving it against an ELF).</summary>
/// <param name="File">The map file.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column, or null.</param>
/// <param name="Text">What is wrong.</param>
public sealed record MapError(string File, int Line, int? Column, string Text)
{
    /// <inheritdoc />
    public override string ToString() => Column is { } c
        ? string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}:{c}: {Text}")
        : string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}: {Text}");
}

/// <summary>An observation map was refused: one <c>file:line[:col]: text</c> line per error.</summary>
public sealed class ObservationMapException : Exception
{
    /// <summary>Creates the exception from its errors (at least one).</summary>
    public ObservationMapException(IReadOnlyList<MapError> errors)
        : base(string.Join(Environment.NewLine, errors.Select(e => e.ToString())))
    {
        Errors = errors;
    }

    /// <summary>The errors, first first.</summary>
    public IReadOnlyList<MapError> Errors { get; }
}

/// <summary>Reads <c>observe.toml</c> files (format: harness/Observe/README.md).</summary>
public static partial class ObservationMapLoader
{
    private static readonly string[] Registers =
        ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];

    /// <summary>Reads and validates a map file.</summary>
    /// <exception cref="ObservationMapException">Syntax errors, unknown keys, wrong types, missing keys (each with file:line).</exception>
    public static ObservationMap Load(string path)
    {
        string text;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
            text = System.Text.Encoding.UTF8.GetString(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ObservationMapException([new MapError(path, 1, null, $"cannot read the observation map: {e.Message}")]);
        }
        return Parse(text, path, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>Parses map text; <paramref name="path"/> names it in errors.</summary>
    /// <exception cref="ObservationMapException">The map is refused.</exception>
    public static ObservationMap Parse(string text, string path, string? sha256 = null)
    {
        sha256 ??= Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
        var errors = new List<MapError>();
        var doc = SyntaxParser.Parse(text, path, validate: true);
        if (doc.HasErrors)
        {
            foreach (var d in doc.Diagnostics)
            {
                if (d.Kind == DiagnosticMessageKind.Error)
                    errors.Add(new MapError(path, d.Span.Start.Line + 1, d.Span.Start.Column + 1, d.Message));
            }
            throw new ObservationMapException(errors);
        }
        TTable root;
        try
        {
            root = TomlTree.Build(doc);
        }
        catch (TomlTreeException e)
        {
            throw new ObservationMapException([new MapError(path, e.Span.Start.Line + 1, e.Span.Start.Column + 1, e.Message)]);
        }
        var r = new Reader(path, errors);
        var top = new View(r, root, "");
        var map = Read(r, top, path, sha256);
        if (errors.Count > 0 || map is null)
            throw new ObservationMapException(errors.Count > 0 ? errors : [new MapError(path, 1, null, "the map is incomplete")]);
        return map;
    }

    private static ObservationMap? Read(Reader r, View top, string path, string sha256)
    {
        var kernel = top.String("kernel", required: true);
        if (kernel is { } k && k.Value is not ("port" or "original"))
            r.Error(k.Span, $"`kernel` must be \"port\" or \"original\", not \"{k.Value}\"");
        var symbols = top.String("symbols");
        var matching = SymbolMatching.Exact;
        if (symbols is { } s)
        {
            if (s.Value == "rust") matching = SymbolMatching.Rust;
            else if (s.Value != "exact") r.Error(s.Span, $"`symbols` must be \"exact\" or \"rust\", not \"{s.Value}\"");
        }
        var entry = top.String("entry", required: true);
        var percpu = top.Integer("percpu_base");
        List<int>? cleanExit = null;
        if (top.IntegerList("clean_exit") is { } codes)
        {
            cleanExit = [];
            foreach (var (code, span) in codes)
            {
                if (code > 0x7FFF_FFFF) r.Error(span, "`clean_exit` codes are isa-debug-exit values (0..0x7fffffff)");
                else cleanExit.Add((int)code);
            }
        }
        var cleanStops = new List<string>();
        foreach (var (stop, span) in top.StringList("clean_stop"))
        {
            if (stop is not ("power-off" or "reset")) r.Error(span, $"`clean_stop` holds \"power-off\" and \"reset\" (ends of stop.rs's kstop and kreset), not \"{stop}\"");
            else if (!cleanStops.Contains(stop)) cleanStops.Add(stop);
        }

        var checkpoints = new List<CheckpointSpec>();
        if (top.Table("checkpoints") is { } cps)
        {
            var known = ObservationMap.KnownCheckpoints.Select(c => c.Checkpoint).ToList();
            var lastIndex = -1;
            foreach (var e in cps.Entries)
            {
                var index = known.IndexOf(e.Key);
                if (index < 0)
                {
                    r.Error(e.KeySpan, $"unknown checkpoint `{e.Key}` (known: {string.Join(", ", known)})");
                    continue;
                }
                if (index < lastIndex)
                    r.Error(e.KeySpan, $"checkpoint `{e.Key}` is out of kstart's order (it comes before `{known[lastIndex]}`)");
                lastIndex = Math.Max(lastIndex, index);
                if (cps.Sub(e.Key) is not { } view)
                    continue;
                var location = ReadLocation(r, view, e.KeySpan);
                var optional = view.Bool("optional") ?? false;
                view.RejectUnknown(["at", "after_call", "before_call", "in", "nth", "optional"]);
                if (location is not null)
                    checkpoints.Add(new CheckpointSpec(e.Key, location, optional, r.At(e.KeySpan)));
            }
            cps.MarkAllTaken();
        }

        var panic = new List<(string, bool, MapLocation)>();
        if (top.Table("panic") is { } p)
        {
            var optional = p.Bool("optional") ?? false;
            foreach (var (value, span) in p.StringList("at", required: true))
                panic.Add((value, optional, r.At(span)));
            p.RejectUnknown(["at", "optional"]);
        }

        CodeLocation? powerOff = null;
        MapLocation? powerOffSource = null;
        if (top.Table("power_off") is { } po)
        {
            powerOff = ReadLocation(r, po, po.Span);
            powerOffSource = r.At(po.Span);
            po.RejectUnknown(["at", "after_call", "before_call", "in", "nth"]);
        }

        var patWrites = new List<(string, bool, MapLocation)>();
        if (top.Table("pat") is { } pat)
        {
            var optional = pat.Bool("optional") ?? false;
            foreach (var (value, span) in pat.StringList("wrmsr_in", required: true))
                patWrites.Add((value, optional, r.At(span)));
            pat.RejectUnknown(["wrmsr_in", "optional"]);
        }

        var frameAlloc = new List<FrameAllocSpec>();
        foreach (var v in top.TableArray("frame_alloc"))
        {
            var at = v.String("at", required: true);
            var count = v.Register("count", Registers, required: true);
            var result = v.StringList("result", required: true);
            var via = v.String("via");
            var optional = v.Bool("optional") ?? false;
            v.RejectUnknown(["at", "count", "result", "via", "optional"]);
            if (result.Count != 2 && result.Count > 0)
                r.Error(result[0].Span, "`result` must name two registers: [tag, frame number] (e.g. [\"rax\", \"rdx\"])");
            foreach (var (reg, span) in result)
            {
                if (!Registers.Contains(reg))
                    r.Error(span, $"`{reg}` is not a general-purpose register ({string.Join(", ", Registers)})");
            }
            if (at is { } a && count is { } c && result.Count == 2)
                frameAlloc.Add(new FrameAllocSpec(a.Value, c, result[0].Value, result[1].Value, via?.Value ?? a.Value, optional, r.At(a.Span)));
        }

        var frameFree = new List<FrameFreeSpec>();
        foreach (var v in top.TableArray("frame_free"))
        {
            var at = v.String("at", required: true);
            var frame = v.Register("frame", Registers, required: true);
            var count = v.Register("count", Registers, required: true);
            var optional = v.Bool("optional") ?? false;
            var unseen = v.StringList("unseen_callers", required: false).Select(x => x.Value).ToList();
            v.RejectUnknown(["at", "frame", "count", "optional", "unseen_callers"]);
            if (at is { } a && frame is { } f && count is { } c)
                frameFree.Add(new FrameFreeSpec(a.Value, f, c, optional, r.At(a.Span)) { UnseenCallers = unseen });
        }

        var heapExtend = new List<HeapExtendSpec>();
        foreach (var v in top.TableArray("heap_extend"))
        {
            var at = v.String("at", required: true);
            var by = v.Register("by", Registers, required: true);
            var optional = v.Bool("optional") ?? false;
            v.RejectUnknown(["at", "by", "optional"]);
            if (at is { } a && by is { } b)
                heapExtend.Add(new HeapExtendSpec(a.Value, b, optional, r.At(a.Span)));
        }

        var heapMap = new List<HeapMapSpec>();
        foreach (var v in top.TableArray("heap_map"))
        {
            var at = v.String("at", required: true);
            var offset = v.Register("offset", Registers, required: true);
            var size = v.Register("size", Registers, required: true);
            var optional = v.Bool("optional") ?? false;
            v.RejectUnknown(["at", "offset", "size", "optional"]);
            if (at is { } a && offset is { } o && size is { } z)
                heapMap.Add(new HeapMapSpec(a.Value, o, z, optional, r.At(a.Span)));
        }

        SyscallSpec? syscall = null;
        if (top.Table("syscall") is { } sc)
        {
            var at = sc.String("at", required: true);
            var number = sc.Register("number", Registers, required: true);
            var args = sc.StringList("args", required: true);
            var result = sc.Register("result", Registers, required: true);
            var context = sc.String("context");
            var optional = sc.Bool("optional") ?? false;
            sc.RejectUnknown(["at", "number", "args", "result", "context", "optional"]);
            var argsOk = args.Count == 5;
            if (!argsOk && args.Count > 0)
                r.Error(args[0].Span, $"syscall: `args` names the five argument registers, not {args.Count}");
            foreach (var (value, span) in args.Where(a => !Registers.Contains(a.Value)))
            {
                argsOk = false;
                r.Error(span, $"syscall: `{value}` is not a general-purpose register ({string.Join(", ", Registers)})");
            }
            if (at is { } a && number is { } n && result is { } res && argsOk)
                syscall = new SyscallSpec(a.Value, n, args.Select(x => x.Value).ToList(), res, context?.Value, optional, r.At(a.Span));
        }

        ProcessesSpec? processes = null;
        if (top.Table("processes") is { } ps)
        {
            var lifecycle = ps.Bool("lifecycle") ?? true;
            var spaces = ps.StringList("address_space");
            foreach (var (value, span) in spaces.Where(x => !ProcessesSpec.SpaceMoments.Contains(x.Value)))
                r.Error(span, $"processes: address_space moment `{value}` is not one of {string.Join(", ", ProcessesSpec.SpaceMoments)}");
            var calls = ps.StringList("address_space_calls");
            var stack = ps.Integer("stack_bytes") ?? 0;
            if (stack > 4096) r.Error(ps.Span, "processes: stack_bytes is at most 4096");
            var frames = ps.Bool("frames_by_context") ?? true;
            var signalAt = ps.String("signal_at");
            var signalReg = ps.Register("signal", Registers);
            var signalOptional = ps.Bool("signal_optional") ?? false;
            var tables = ps.Table("tables") is { } tv ? ReadTables(r, tv) : null;
            ps.RejectUnknown(["lifecycle", "address_space", "address_space_calls", "stack_bytes", "frames_by_context", "signal_at", "signal", "signal_optional",
                "tables"]);
            if (syscall is null) r.Error(ps.Span, "processes: needs a [syscall] table (everything here is read at its stops)");
            if ((signalAt is null) != (signalReg is null)) r.Error(ps.Span, "processes: signal_at and signal go together");
            processes = new ProcessesSpec(lifecycle, spaces.Select(x => x.Value).ToList(), calls.Select(x => x.Value).ToList(), (int)Math.Min(stack, 4096),
                frames, signalAt?.Value, signalReg, signalOptional, r.At(ps.Span)) { Tables = tables };
        }

        FrameAllocatorSpec? frameAllocator = null;
        if (top.Table("frame_allocator") is { } fa)
        {
            var at = fa.String("at", required: true);
            var offset = fa.Integer("offset") ?? 0;
            var some = fa.Integer("some");
            var next = fa.Integer("next_free_frame", required: true);
            var area = fa.Integer("current_area", required: true);
            var ptr = fa.Integer("recycled_ptr", required: true);
            var len = fa.Integer("recycled_len", required: true);
            var optional = fa.Bool("optional") ?? false;
            fa.RejectUnknown(["at", "offset", "some", "next_free_frame", "current_area", "recycled_ptr", "recycled_len", "optional"]);
            if (at is { } a && next is { } n && area is { } ca && ptr is { } rp && len is { } rl)
                frameAllocator = new FrameAllocatorSpec
                {
                    At = a.Value, Offset = offset, SomeFlag = some, NextFreeFrame = n, CurrentArea = ca,
                    RecycledPtr = rp, RecycledLen = rl, Optional = optional, Source = r.At(a.Span),
                };
        }

        HeapSpec? heap = null;
        if (top.Table("heap") is { } h)
        {
            var at = h.String("at", required: true);
            var offset = h.Integer("offset") ?? 0;
            var some = h.Integer("some");
            var bottom = h.Integer("bottom", required: true);
            var size = h.Integer("size", required: true);
            var first = h.Integer("first_hole", required: true);
            var holeSize = h.Integer("hole_size") ?? 0;
            var holeNext = h.Integer("hole_next") ?? 8;
            var optional = h.Bool("optional") ?? false;
            h.RejectUnknown(["at", "offset", "some", "bottom", "size", "first_hole", "hole_size", "hole_next", "optional"]);
            if (at is { } a && bottom is { } b && size is { } z && first is { } f)
                heap = new HeapSpec
                {
                    At = a.Value, Offset = offset, SomeFlag = some, Bottom = b, Size = z, FirstHole = f,
                    HoleSize = holeSize, HoleNext = holeNext, Optional = optional, Source = r.At(a.Span),
                };
        }

        var statics = new List<StaticSpec>();
        if (top.Table("statics") is { } st)
        {
            foreach (var e in st.Entries)
            {
                if (st.Sub(e.Key) is not { } v)
                    continue;
                var symbol = v.String("symbol");
                var tls = v.String("tls");
                var size = v.Integer("size");
                var optional = v.Bool("optional") ?? false;
                v.RejectUnknown(["symbol", "tls", "size", "optional"]);
                if ((symbol is null) == (tls is null))
                    r.Error(e.KeySpan, $"static `{e.Key}` needs exactly one of `symbol` (an ordinary static) or `tls` (a thread-local one)");
                else
                    statics.Add(new StaticSpec(e.Key, (symbol ?? tls)!.Value.Value, tls is not null, size, optional, r.At(e.KeySpan)));
            }
            st.MarkAllTaken();
        }

        var handlers = new List<HandlerSpec>();
        if (top.Table("handlers") is { } hs)
        {
            foreach (var e in hs.Entries)
            {
                if (hs.String(e.Key) is { } symbol)
                    handlers.Add(new HandlerSpec(e.Key, symbol.Value, r.At(e.KeySpan)));
            }
            hs.MarkAllTaken();
        }

        var roles = new List<HandlerSpec>();
        if (top.Table("roles") is { } rs)
        {
            foreach (var e in rs.Entries)
            {
                if (rs.String(e.Key) is { } symbol)
                    roles.Add(new HandlerSpec(e.Key, symbol.Value, r.At(e.KeySpan)));
            }
            rs.MarkAllTaken();
        }

        top.RejectUnknown(["kernel", "symbols", "entry", "percpu_base", "clean_exit", "clean_stop", "power_off", "checkpoints", "panic", "frame_alloc", "frame_free", "processes",
            "heap_extend", "heap_map", "frame_allocator", "heap", "statics", "pat", "handlers", "syscall", "roles"]);
        if (kernel is null || entry is null)
            return null;
        return new ObservationMap
        {
            Path = path,
            Sha256 = sha256,
            Kernel = kernel.Value.Value,
            Matching = matching,
            Entry = entry.Value.Value,
            EntrySource = r.At(entry.Value.Span),
            Checkpoints = checkpoints,
            Panic = panic,
            FrameAlloc = frameAlloc,
            FrameFree = frameFree,
            HeapExtend = heapExtend,
            HeapMap = heapMap,
            Syscall = syscall,
            Processes = processes,
            FrameAllocator = frameAllocator,
            Heap = heap,
            PercpuBase = percpu ?? 0xC000_0000,
            CleanExitCodes = cleanExit,
            CleanStops = cleanStops,
            PowerOff = powerOff,
            PowerOffSource = powerOffSource,
            PatWrites = patWrites,
            Statics = statics,
            Handlers = handlers,
            Roles = roles,
        };
    }

    private static CodeLocation? ReadLocation(Reader r, View v, SourceSpan keySpan)
    {
        var at = v.String("at");
        var after = v.String("after_call");
        var before = v.String("before_call");
        var inside = v.String("in");
        var nth = v.Integer("nth");
        var given = new[] { at, after, before }.Count(x => x is not null);
        if (given != 1)
        {
            r.Error(keySpan, "a checkpoint needs exactly one of `at` (a function's entry), `after_call` or `before_call` (a call site, with `in`)");
            return null;
        }
        if (at is { } a)
        {
            if (inside is { } i) r.Error(i.Span, "`in` goes with `after_call`/`before_call`, not with `at`");
            return new CodeLocation { At = a.Value };
        }
        var callee = (after ?? before)!.Value;
        if (inside is null)
        {
            r.Error(callee.Span, "a call site needs `in`: the function the call is in");
            return null;
        }
        if (nth is { } n && n < 1)
        {
            r.Error(keySpan, "`nth` counts from 1");
            return null;
        }
        return new CodeLocation { Callee = callee.Value, Caller = inside.Value.Value, Nth = (int)(nth ?? 1), AfterCall = after is not null };
    }

    private readonly record struct Located<T>(T Value, SourceSpan Span);

    private sealed class Reader(string file, List<MapError> errors)
    {
        public void Error(SourceSpan span, string text) =>
            errors.Add(new MapError(file, span.Start.Line + 1, span.Start.Column + 1, text));

        public MapLocation At(SourceSpan span) => new(file, span.Start.Line + 1);
    }

    private sealed class View(Reader reader, TTable table, string path)
    {
        private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

        public IReadOnlyList<TEntry> Entries => table.Entries;

        /// <summary>Where the table is in the file.</summary>
        public SourceSpan Span => table.Span;

        private string Qualified(string key) => path.Length == 0 ? key : $"{path}.{key}";

        private TEntry? Take(string key, bool required)
        {
            _taken.Add(key);
            var entry = table.Find(key);
            if (entry is null && required)
                reader.Error(table.Span, $"missing required key `{Qualified(key)}`" + (path.Length == 0 ? "" : $" in [{path}]"));
            return entry;
        }

        public void MarkAllTaken()
        {
            foreach (var e in table.Entries) _taken.Add(e.Key);
        }

        public Located<string>? String(string key, bool required = false)
        {
            var entry = Take(key, required);
            if (entry is null) return null;
            if (entry.Value is TScalar { Syntax: StringValueSyntax s })
                return new Located<string>(s.Value ?? "", s.Span);
            reader.Error(entry.Value.Span, $"`{Qualified(key)}` must be a string, not {entry.Value.Describe()}");
            return null;
        }

        public string? Register(string key, string[] registers, bool required = false)
        {
            if (String(key, required) is not { } s) return null;
            if (registers.Contains(s.Value)) return s.Value;
            reader.Error(s.Span, $"`{Qualified(key)}` = \"{s.Value}\" is not a general-purpose register ({string.Join(", ", registers)})");
            return null;
        }

        public List<(string Value, SourceSpan Span)> StringList(string key, bool required = false)
        {
            var result = new List<(string, SourceSpan)>();
            var entry = Take(key, required);
            if (entry is null) return result;
            if (entry.Value is TScalar { Syntax: StringValueSyntax one })
            {
                result.Add((one.Value ?? "", one.Span));
                return result;
            }
            if (entry.Value is TArray array)
            {
                foreach (var item in array.Items)
                {
                    if (item is TScalar { Syntax: StringValueSyntax s }) result.Add((s.Value ?? "", s.Span));
                    else reader.Error(item.Span, $"`{Qualified(key)}` must hold strings, not {item.Describe()}");
                }
                return result;
            }
            reader.Error(entry.Value.Span, $"`{Qualified(key)}` must be a string or an array of strings, not {entry.Value.Describe()}");
            return result;
        }

        public ulong? Integer(string key, bool required = false)
        {
            var entry = Take(key, required);
            if (entry is null) return null;
            if (entry.Value is TScalar { Syntax: IntegerValueSyntax i })
            {
                if (i.Value >= 0) return (ulong)i.Value;
                reader.Error(i.Span, $"`{Qualified(key)}` must not be negative");
                return null;
            }
            reader.Error(entry.Value.Span, $"`{Qualified(key)}` must be an integer, not {entry.Value.Describe()}");
            return null;
        }

        /// <summary>An integer that may be negative, as its 64-bit two's complement (-1 = 0xFFFF_FFFF_FFFF_FFFF).</summary>
        public ulong? Word(string key, bool required = false)
        {
            var entry = Take(key, required);
            if (entry is null) return null;
            if (entry.Value is TScalar { Syntax: IntegerValueSyntax i }) return unchecked((ulong)i.Value);
            reader.Error(entry.Value.Span, $"`{Qualified(key)}` must be an integer, not {entry.Value.Describe()}");
            return null;
        }

        public List<(ulong Value, SourceSpan Span)>? IntegerList(string key)
        {
            var entry = Take(key, false);
            if (entry is null) return null;
            var result = new List<(ulong, SourceSpan)>();
            var items = entry.Value is TArray a ? a.Items : [entry.Value];
            foreach (var item in items)
            {
                if (item is TScalar { Syntax: IntegerValueSyntax i } && i.Value >= 0) result.Add(((ulong)i.Value, i.Span));
                else reader.Error(item.Span, $"`{Qualified(key)}` must hold non-negative integers, not {item.Describe()}");
            }
            return result;
        }

        public bool? Bool(string key)
        {
            var entry = Take(key, false);
            if (entry is null) return null;
            if (entry.Value is TScalar { Syntax: BooleanValueSyntax b })
                return b.Value;
            reader.Error(entry.Value.Span, $"`{Qualified(key)}` must be true or false, not {entry.Value.Describe()}");
            return null;
        }

        public View? Table(string key)
        {
            var entry = Take(key, false);
            if (entry is null) return null;
            if (entry.Value is TTable t) return new View(reader, t, Qualified(key));
            reader.Error(entry.Value.Span, $"`{Qualified(key)}` must be a table, not {entry.Value.Describe()}");
            return null;
        }

        public View? Sub(string key)
        {
            var entry = table.Find(key);
            if (entry is null) return null;
            if (entry.Value is TTable t) return new View(reader, t, Qualified(key));
            reader.Error(entry.Value.Span, $"`{Qualified(key)}` must be a table, not {entry.Value.Describe()}");
            return null;
        }

        public IEnumerable<View> TableArray(string key)
        {
            var entry = Take(key, false);
            if (entry is null) yield break;
            if (entry.Value is not TArray array)
            {
                reader.Error(entry.Value.Span, $"`{Qualified(key)}` must be an array of tables ([[{key}]]), not {entry.Value.Describe()}");
                yield break;
            }
            foreach (var item in array.Items)
            {
                if (item is TTable t) yield return new View(reader, t, Qualified(key));
                else reader.Error(item.Span, $"`{Qualified(key)}` must hold tables, not {item.Describe()}");
            }
        }

        public void RejectUnknown(IReadOnlyCollection<string> known)
        {
            foreach (var entry in table.Entries)
            {
                if (_taken.Contains(entry.Key)) continue;
                _taken.Add(entry.Key);
                reader.Error(entry.KeySpan,
                    $"unknown key `{entry.Key}` {(path.Length == 0 ? "at the top level" : $"in [{path}]")} (known keys: {string.Join(", ", known)})");
            }
        }
    }
}
