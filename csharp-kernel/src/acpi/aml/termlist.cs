using alloc.vec;
using Kernel.acpi.aml.dataobj;
using Kernel.acpi.aml.namedobj;
using Kernel.acpi.aml.namespace_;
using Kernel.acpi.aml.namespacemodifier;
using Kernel.acpi.aml.namestring;
using Kernel.acpi.aml.parser;
using Kernel.acpi.aml.type1opcode;
using Kernel.acpi.aml.type2opcode;

namespace Kernel.acpi.aml.termlist
{
    /// <summary>termlist.rs: term lists, term arguments, object lists, method invocations.</summary>
    public static class TermList
    {
        /// <summary>
        /// `parse_term_list`: term objects one after the other to the end of `data`; stops early
        /// (reporting the whole length) as soon as the context leaves the EXECUTING state.
        /// </summary>
        public static ParseResult ParseTermList(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            ulong current_offset = 0;
            while (current_offset < data.Len())
            {
                ParseResult res = ParseTermObj(data.From(current_offset), ref ctx);
                if (!res.ok) return res;
                res.val.val.Drop();

                if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), data.Len());

                current_offset += res.val.len;
            }

            return ParseResult.Ok(AmlValue.None(), data.Len());
        }

        /// <summary>`parse_term_arg`: a local, a data object, an argument, or a type-2 opcode.</summary>
        public static ParseResult ParseTermArg(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            ParseResult r;
            r = DataObj.ParseLocalObj(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = DataObj.ParseDataObj(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = DataObj.ParseArgObj(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = Type2OpCode.ParseType2Opcode(data, ref ctx); if (!r.IsInvalidOpCode) return r;

            return ParseResult.InvalidOpCode();
        }

        /// <summary>`parse_object_list`: as a term list, but only namespace modifiers and named objects.</summary>
        public static ParseResult ParseObjectList(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            ulong current_offset = 0;
            while (current_offset < data.Len())
            {
                ParseResult res = ParseObject(data.From(current_offset), ref ctx);
                if (!res.ok) return res;
                res.val.val.Drop();

                if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), data.Len());

                current_offset += res.val.len;
            }

            return ParseResult.Ok(AmlValue.None(), data.Len());
        }

        private static ParseResult ParseObject(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            ParseResult r;
            r = NamespaceModifier.ParseNamespaceModifier(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = NamedObj.ParseNamedObj(data, ref ctx); if (!r.IsInvalidOpCode) return r;

            return ParseResult.InvalidOpCode();
        }

        /// <summary>
        /// `parse_method_invocation`: a name that must denote a Method (absent: DeferredLoad; not a
        /// method: ValueError), then as many term arguments as it takes, then the method runs.
        /// </summary>
        public static ParseResult ParseMethodInvocation(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            ParseResult name = NameString.ParseNameString(data, ref ctx);
            if (!name.ok) return name;
            var got = ctx.Get(name.val.val.Clone());
            if (!got.ok) { name.Drop(); return ParseResult.Err(got.err); }

            if (got.value.kind == AmlValueKind.None)
            {
                name.Drop();
                return ParseResult.Err(AmlError.DeferredLoad());
            }
            var m = got.value.GetAsMethod();
            got.value.Drop();
            if (!m.ok) { name.Drop(); return ParseResult.Err(m.err); }
            Method method = m.value;

            byte cur = 0;
            Vec<AmlValue> parameters = Vec<AmlValue>.New();
            ulong current_offset = name.val.len;

            while (cur < method.arg_count)
            {
                ParseResult res = ParseTermArg(data.From(current_offset), ref ctx);
                if (!res.ok)
                {
                    AmlValue.DropVec(ref parameters);
                    method.Drop();
                    name.Drop();
                    return res;
                }

                current_offset += res.val.len;
                cur += 1;

                parameters.Push(res.val.val);
            }

            var scope = Namespace.GetNamespaceString(ctx.scope.Clone(), name.val.val);
            if (!scope.ok)
            {
                AmlValue.DropVec(ref parameters);
                method.Drop();
                return ParseResult.Err(scope.err);
            }
            AmlValue result = method.Execute(scope.value, parameters);
            method.Drop();
            return ParseResult.Ok(result, current_offset);
        }

        private static ParseResult ParseTermObj(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            ParseResult r;
            r = NamespaceModifier.ParseNamespaceModifier(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = NamedObj.ParseNamedObj(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = Type1OpCode.ParseType1Opcode(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = Type2OpCode.ParseType2Opcode(data, ref ctx); if (!r.IsInvalidOpCode) return r;

            return ParseResult.InvalidOpCode();
        }
    }
}
