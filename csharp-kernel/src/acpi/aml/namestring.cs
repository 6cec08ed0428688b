using alloc.vec;
using Kernel.acpi.aml.dataobj;
using Kernel.acpi.aml.namespace_;
using Kernel.acpi.aml.parser;
using Kernel.acpi.aml.type2opcode;
using String = alloc.@string.String;

namespace Kernel.acpi.aml.namestring
{
    /// <summary>namestring.rs: names, super names, simple names, targets.</summary>
    public static unsafe class NameString
    {
        /// <summary>
        /// `parse_name_string`: an optional `\` or run of `^`, then a dual name, a multi name, the
        /// null name or one segment; the characters joined as a String (segments with '.').
        /// </summary>
        public static ParseResult ParseNameString(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            String characters = String.New();
            ulong starting_index = 0;

            if (data[0] == 0x5C)
            {
                characters.Push(data[0]);
                starting_index = 1;
            }
            else if (data[0] == 0x5E)
            {
                while (data[starting_index] == 0x5E)
                {
                    characters.Push(data[starting_index]);
                    starting_index += 1;
                }
            }

            Slice rest = data.From(starting_index);
            Res<NameBytes> sel;
            sel = ParseDualNamePath(rest);
            if (sel.ok || sel.err.kind != AmlErrorKind.AmlInvalidOpCode) goto selected;
            sel = ParseMultiNamePath(rest);
            if (sel.ok || sel.err.kind != AmlErrorKind.AmlInvalidOpCode) goto selected;
            sel = ParseNullName(rest);
            if (sel.ok || sel.err.kind != AmlErrorKind.AmlInvalidOpCode) goto selected;
            sel = ParseNameSeg(rest);
            if (sel.ok || sel.err.kind != AmlErrorKind.AmlInvalidOpCode) goto selected;
            sel = Res<NameBytes>.Err(AmlError.InvalidOpCode());

        selected:
            if (!sel.ok)
            {
                characters.Dispose();
                return ParseResult.Err(sel.err);
            }

            // `characters.append(&mut chr)`
            characters.PushStr(sel.value.chars);
            sel.value.chars.Dispose();

            // `String::from_utf8`: the bytes are `\`, `^`, '.' and name characters, always valid.
            return ParseResult.Ok(AmlValue.String(characters), sel.value.len + starting_index);
        }

        private static Res<NameBytes> ParseNullName(Slice data)
        {
            if (data[0] != 0x00) return Res<NameBytes>.Err(AmlError.InvalidOpCode());
            return Res<NameBytes>.Ok(new NameBytes { chars = String.New(), len = 1 });
        }

        private static bool IsLeadChar(byte c) => (c >= 0x41 && c <= 0x5A) || c == 0x5F;

        private static bool IsNameChar(byte c) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || c == 0x5F;

        /// <summary>
        /// `parse_name_seg`: four name characters (the first not a digit), trailing '_' removed.
        /// An all-'_' segment empties the vector and the original's `last().unwrap()` panics.
        /// </summary>
        public static Res<NameBytes> ParseNameSeg(Slice data)
        {
            if (!IsLeadChar(data[0])) return Res<NameBytes>.Err(AmlError.InvalidOpCode());
            if (!IsNameChar(data[1])) return Res<NameBytes>.Err(AmlError.InvalidOpCode());
            if (!IsNameChar(data[2])) return Res<NameBytes>.Err(AmlError.InvalidOpCode());
            if (!IsNameChar(data[3])) return Res<NameBytes>.Err(AmlError.InvalidOpCode());

            String name_seg = String.FromBytes(data.ptr, 4);
            while (true)
            {
                if (name_seg.Len() == 0)
                {
                    Panic.Fail("called `Option::unwrap()` on a `None` value", "libcore/option.rs", 335);
                }
                if (name_seg.At(name_seg.Len() - 1) != 0x5F)
                {
                    break;
                }
                name_seg.Pop();
            }

            return Res<NameBytes>.Ok(new NameBytes { chars = name_seg, len = 4 });
        }

        private static Res<NameBytes> ParseDualNamePath(Slice data)
        {
            if (data[0] != 0x2E) return Res<NameBytes>.Err(AmlError.InvalidOpCode());

            String characters = String.New();
            ulong dual_len = 1;

            var first = ParseNameSeg(data.Range(1, 5));
            if (!first.ok) { characters.Dispose(); return first; }
            characters.PushStr(first.value.chars);
            first.value.chars.Dispose();
            dual_len += first.value.len;

            characters.Push(0x2E);

            var second = ParseNameSeg(data.Range(5, 9));
            if (!second.ok) { characters.Dispose(); return second; }
            characters.PushStr(second.value.chars);
            second.value.chars.Dispose();
            dual_len += second.value.len;

            return Res<NameBytes>.Ok(new NameBytes { chars = characters, len = dual_len });
        }

        private static Res<NameBytes> ParseMultiNamePath(Slice data)
        {
            if (data[0] != 0x2F) return Res<NameBytes>.Err(AmlError.InvalidOpCode());

            byte seg_count = data[1];
            if (seg_count == 0x00)
            {
                return Res<NameBytes>.Err(AmlError.ParseError("MultiName Path - can't have zero name segments"));
            }

            byte current_seg = 0;
            String characters = String.New();
            ulong multi_len = 2;

            while (current_seg < seg_count)
            {
                var seg = ParseNameSeg(data.From((ulong)current_seg * 4 + 2));
                if (!seg.ok) { characters.Dispose(); return seg; }
                characters.PushStr(seg.value.chars);
                seg.value.chars.Dispose();
                multi_len += seg.value.len;

                characters.Push(0x2E);

                current_seg += 1;
            }

            characters.Pop();

            return Res<NameBytes>.Ok(new NameBytes { chars = characters, len = multi_len });
        }

        /// <summary>`parse_super_name`: a simple name, a type-6 opcode, or the Debug object.</summary>
        public static ParseResult ParseSuperName(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            ParseResult r;
            r = ParseSimpleName(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = Type2OpCode.ParseType6Opcode(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDebugObj(data, ref ctx); if (!r.IsInvalidOpCode) return r;

            return ParseResult.InvalidOpCode();
        }

        private static ParseResult ParseDebugObj(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            if (data[0] != 0x5B || data[1] != 0x31) return ParseResult.InvalidOpCode();

            return ParseResult.Ok(AmlValue.DebugObject(), 2);
        }

        /// <summary>`parse_simple_name`: a name string, an argument or a local.</summary>
        public static ParseResult ParseSimpleName(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            ParseResult r;
            r = ParseNameString(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = DataObj.ParseArgObj(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = DataObj.ParseLocalObj(data, ref ctx); if (!r.IsInvalidOpCode) return r;

            return ParseResult.InvalidOpCode();
        }

        /// <summary>`parse_target`: a zero byte is no target (None, 1 byte); otherwise a super name.</summary>
        public static ParseResult ParseTarget(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            if (data[0] == 0x00)
            {
                return ParseResult.Ok(AmlValue.None(), 1);
            }
            return ParseSuperName(data, ref ctx);
        }
    }

    /// <summary>The `(Vec&lt;u8&gt;, usize)` the name parsers return.</summary>
    public struct NameBytes
    {
        public String chars;
        public ulong len;
    }
}
