namespace Harness.Observe.Map;

/// <summary>The map's <c>[processes.tables]</c>: where every live context's state is (<see cref="ProcessTablesSpec"/>).</summary>
public static partial class ObservationMapLoader
{
    private static ProcessTablesSpec? ReadTables(Reader r, View t)
    {
        var ok = true;
        ulong U(View v, string key) => v.Integer(key, required: true) ?? Fail();
        ulong W(View v, string key) => v.Word(key, required: true) ?? Fail();
        int I(View v, string key)
        {
            var x = U(v, key);
            if (x <= 0x10000) return (int)x;
            r.Error(v.Span, $"`{key}` is at most 0x10000");
            ok = false;
            return 0;
        }
        ulong Fail()
        {
            ok = false;
            return 0;
        }
        View? Need(string key)
        {
            if (t.Table(key) is { } v) return v;
            r.Error(t.Span, $"missing required table `processes.tables.{key}`");
            ok = false;
            return null;
        }
        CollectionLayout? Collection(string key)
        {
            if (Need(key) is not { } v) return null;
            if (v.Bool("btree") == true)
            {
                var b = new BTreeLayout(U(v, "root"), U(v, "height"), U(v, "length"), U(v, "keys"), I(v, "key_size"), U(v, "vals"), I(v, "val_size"),
                    U(v, "len"), U(v, "edges"), I(v, "capacity"));
                v.RejectUnknown(["btree", "root", "height", "length", "keys", "key_size", "vals", "val_size", "len", "edges", "capacity"]);
                if (b.Capacity is < 1 or > 1024) { r.Error(v.Span, $"`processes.tables.{key}.capacity` must be 1..1024"); ok = false; }
                return b;
            }
            var a = new ArrayLayout(U(v, "ptr"), U(v, "len"), I(v, "stride"), v.Integer("key") ?? 0, (int)(v.Integer("key_size") ?? 0),
                v.Integer("val") ?? 0, (int)(v.Integer("val_size") ?? 0));
            v.RejectUnknown(["btree", "ptr", "len", "stride", "key", "key_size", "val", "val_size"]);
            if (a.Stride == 0) { r.Error(v.Span, $"`processes.tables.{key}.stride` must not be 0"); ok = false; }
            return a;
        }

        var contexts = t.String("contexts", required: true);
        var contextsOffset = U(t, "contexts_offset");
        var contextsMap = Collection("contexts_map");
        var context = Need("context");
        var grants = Need("grants");
        var files = Need("files");
        var schemes = t.String("schemes", required: true);
        var schemesOffset = U(t, "schemes_offset");
        var namespaces = Collection("namespaces_map");
        var names = Collection("names_map");
        var name = Need("name");
        t.RejectUnknown(["contexts", "contexts_offset", "contexts_map", "context", "grants", "files", "schemes", "schemes_offset", "namespaces_map",
            "names_map", "name"]);
        if (context is null || grants is null || files is null || name is null || contexts is null || schemes is null || contextsMap is null
            || namespaces is null || names is null)
            return null;

        var spec = new ProcessTablesSpec
        {
            Contexts = contexts.Value.Value, ContextsOffset = contextsOffset, ContextsMap = contextsMap,
            Context = U(context, "from_arc"), ContextSize = I(context, "size"), Cr3 = U(context, "cr3"), Status = U(context, "status"),
            StatusValue = U(context, "status_value"), StatusTags = context.StringList("status_tags", required: true).Select(x => x.Value).ToList(),
            Grants = U(context, "grants"), Files = U(context, "files"),
            GrantsVec = U(grants, "from_arc"), GrantsList = (Collection2(grants) as ArrayLayout)!, GrantStart = U(grants, "start"), GrantSize = U(grants, "size"),
            GrantFlags = U(grants, "flags"),
            FilesVec = U(files, "from_arc"), FilesList = (Collection2(files) as ArrayLayout)!, FileNoneAt = U(files, "none_at"), FileNoneValue = W(files, "none_value"),
            FileDescription = U(files, "description"), FileCloexec = U(files, "cloexec"), DescriptionData = U(files, "description_from_arc"),
            DescriptionScheme = U(files, "scheme"), DescriptionNumber = U(files, "number"), DescriptionFlags = U(files, "flags"),
            Schemes = schemes.Value.Value, SchemesOffset = schemesOffset, NamespacesMap = namespaces, NamesMap = names,
            NamePtr = U(name, "ptr"), NameLen = U(name, "len"), Source = r.At(t.Span),
        };
        context.RejectUnknown(["from_arc", "size", "cr3", "status", "status_value", "status_tags", "grants", "files"]);
        grants.RejectUnknown(["from_arc", "vec", "start", "size", "flags"]);
        files.RejectUnknown(["from_arc", "vec", "none_at", "none_value", "description", "cloexec", "description_from_arc", "scheme", "number", "flags"]);
        name.RejectUnknown(["ptr", "len"]);
        return ok ? spec : null;

        // A Vec inside grants/files: `vec = { ptr, len, stride }`.
        ArrayLayout? Collection2(View owner)
        {
            if (owner.Table("vec") is not { } v)
            {
                r.Error(owner.Span, "missing required table `vec` (the Vec's ptr, len and stride)");
                ok = false;
                return new ArrayLayout(0, 0, 1, 0, 0, 0, 0);
            }
            var a = new ArrayLayout(U(v, "ptr"), U(v, "len"), I(v, "stride"), 0, 0, 0, 0);
            v.RejectUnknown(["ptr", "len", "stride"]);
            if (a.Stride == 0) { r.Error(v.Span, "`vec.stride` must not be 0"); ok = false; }
            return a with { ValSize = a.Stride };
        }
    }
}
