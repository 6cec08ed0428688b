using Kernel.acpi.aml.dataobj;
using Kernel.acpi.aml.namespace_;
using Kernel.acpi.aml.namestring;
using Kernel.acpi.aml.parser;
using Kernel.acpi.aml.pkglength;
using Kernel.acpi.aml.termlist;

namespace Kernel.acpi.aml.namespacemodifier
{
    /// <summary>namespacemodifier.rs: Alias, Scope and Name.</summary>
    public static class NamespaceModifier
    {
        public static ParseResult ParseNamespaceModifier(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            ParseResult r;
            r = ParseAliasOp(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseScopeOp(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseNameOp(data, ref ctx); if (!r.IsInvalidOpCode) return r;

            return ParseResult.InvalidOpCode();
        }

        /// <summary>
        /// `DefAlias` (0x06): QUIRK (kept): the original stores, under the *source* name, an Alias
        /// naming the alias — the reverse of what ACPI means.
        /// </summary>
        private static ParseResult ParseAliasOp(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            if (data[0] != 0x06) return ParseResult.InvalidOpCode();

            ParseResult source_name = NameString.ParseNameString(data.From(1), ref ctx);
            if (!source_name.ok) return source_name;
            ParseResult alias_name = NameString.ParseNameString(data.From(1 + source_name.val.len), ref ctx);
            if (!alias_name.ok) { source_name.Drop(); return alias_name; }

            var local_scope_string = Namespace.GetNamespaceString(ctx.scope.Clone(), source_name.val.val);
            if (!local_scope_string.ok) { alias_name.Drop(); return ParseResult.Err(local_scope_string.err); }
            var local_alias_string = Namespace.GetNamespaceString(ctx.scope.Clone(), alias_name.val.val);
            if (!local_alias_string.ok) { local_scope_string.value.Dispose(); return ParseResult.Err(local_alias_string.err); }

            var added = ctx.AddToNamespace(local_scope_string.value, AmlValue.Alias(local_alias_string.value));
            if (!added.ok) return ParseResult.Err(added.err);

            return ParseResult.Ok(AmlValue.None(), 1 + source_name.val.len + alias_name.val.len);
        }

        /// <summary>`DefName` (0x08): a name and a data-ref object, added to the namespace.</summary>
        private static ParseResult ParseNameOp(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            if (data[0] != 0x08) return ParseResult.InvalidOpCode();

            ParseResult name = NameString.ParseNameString(data.From(1), ref ctx);
            if (!name.ok) return name;
            ParseResult data_ref_obj = DataObj.ParseDataRefObj(data.From(1 + name.val.len), ref ctx);
            if (!data_ref_obj.ok) { name.Drop(); return data_ref_obj; }

            var local_scope_string = Namespace.GetNamespaceString(ctx.scope.Clone(), name.val.val);
            if (!local_scope_string.ok) { data_ref_obj.Drop(); return ParseResult.Err(local_scope_string.err); }

            var added = ctx.AddToNamespace(local_scope_string.value, data_ref_obj.val.val);
            if (!added.ok) return ParseResult.Err(added.err);

            return ParseResult.Ok(AmlValue.None(), 1 + name.val.len + data_ref_obj.val.len);
        }

        /// <summary>`DefScope` (0x10): the term list inside runs with the scope switched to the named one.</summary>
        private static ParseResult ParseScopeOp(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            if (data[0] != 0x10) return ParseResult.InvalidOpCode();

            var pkg = PkgLength.ParsePkgLength(data.From(1));
            if (!pkg.ok) return ParseResult.Err(pkg.err);
            ulong pkg_length = pkg.value.length;
            ulong pkg_length_len = pkg.value.length_len;
            ParseResult name = NameString.ParseNameString(data.From(1 + pkg_length_len), ref ctx);
            if (!name.ok) return name;

            var local_scope_string = Namespace.GetNamespaceString(ctx.scope.Clone(), name.val.val.Clone());
            if (!local_scope_string.ok) { name.Drop(); return ParseResult.Err(local_scope_string.err); }
            alloc.@string.String containing_scope_string = ctx.scope.Clone();

            ctx.scope.Dispose();
            ctx.scope = local_scope_string.value;
            ParseResult body = TermList.ParseTermList(data.Range(1 + pkg_length_len + name.val.len, 1 + pkg_length), ref ctx);
            if (!body.ok)
            {
                // The `?` returns before the scope is restored: the context keeps the inner scope.
                containing_scope_string.Dispose();
                name.Drop();
                return body;
            }
            body.Drop();
            ctx.scope.Dispose();
            ctx.scope = containing_scope_string;
            name.Drop();

            return ParseResult.Ok(AmlValue.None(), 1 + pkg_length);
        }
    }
}
