using alloc.vec;
using Kernel.acpi.aml.namespace_;
using Kernel.acpi.aml.namestring;
using Kernel.acpi.aml.parser;
using Kernel.acpi.aml.termlist;
using Kernel.acpi.aml.type2opcode;
using String = alloc.@string.String;

namespace Kernel.acpi.aml.dataobj
{
    /// <summary>dataobj.rs: constants, strings, buffers, packages, Arg and Local objects.</summary>
    public static unsafe class DataObj
    {
        /// <summary>`parse_data_obj`: computational data, a package or a variable package.</summary>
        public static ParseResult ParseDataObj(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            ParseResult r;
            r = ParseComputationalData(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = Type2OpCode.ParseDefPackage(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = Type2OpCode.ParseDefVarPackage(data, ref ctx); if (!r.IsInvalidOpCode) return r;

            return ParseResult.InvalidOpCode();
        }

        /// <summary>
        /// `parse_data_ref_obj`: a data object or a term argument; failing both (InvalidOpCode), a
        /// super name, where a plain name becomes an Object reference.
        /// </summary>
        public static ParseResult ParseDataRefObj(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            ParseResult r;
            r = ParseDataObj(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = TermList.ParseTermArg(data, ref ctx); if (!r.IsInvalidOpCode) return r;

            ParseResult res = NameString.ParseSuperName(data, ref ctx);
            if (!res.ok) return res;
            if (res.val.val.kind == AmlValueKind.String)
            {
                return ParseResult.Ok(AmlValue.FromObjectReference(ObjectReference.Object(res.val.val.str)), res.val.len);
            }
            return res;
        }

        /// <summary>`parse_arg_obj`: 0x68..=0x6E is ArgN.</summary>
        public static ParseResult ParseArgObj(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            byte op = data[0];
            if (op >= 0x68 && op <= 0x6E)
            {
                return ParseResult.Ok(AmlValue.FromObjectReference(ObjectReference.Arg((byte)(op - 0x68))), 1);
            }
            return ParseResult.InvalidOpCode();
        }

        /// <summary>
        /// `parse_local_obj`. QUIRK (kept): the original matches the Arg opcodes 0x68..=0x6E here,
        /// not Local0-7 (0x60..=0x67), and subtracts 0x60: every ArgN in a term argument becomes
        /// "LocalObj(8 + N)", which panics (index out of bounds) when read; real locals are not
        /// recognised at all.
        /// </summary>
        public static ParseResult ParseLocalObj(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            byte op = data[0];
            if (op >= 0x68 && op <= 0x6E)
            {
                return ParseResult.Ok(AmlValue.FromObjectReference(ObjectReference.Local((byte)(op - 0x60))), 1);
            }
            return ParseResult.InvalidOpCode();
        }

        /// <summary>
        /// `parse_computational_data`: Byte/Word/DWord/QWord constants (Integer), String (up to the
        /// NUL; must be UTF-8), Zero, One, Ones (IntegerConstant), Revision (20170630); anything
        /// else goes to DefBuffer.
        /// </summary>
        private static ParseResult ParseComputationalData(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            switch (data[0])
            {
                case 0x0A:
                    return ParseResult.Ok(AmlValue.Integer(data[1]), 2);
                case 0x0B:
                    {
                        ushort res = (ushort)(data[1] + (data[2] << 8));
                        return ParseResult.Ok(AmlValue.Integer(res), 3);
                    }
                case 0x0C:
                    {
                        uint res = (uint)data[1] + ((uint)data[2] << 8) + ((uint)data[3] << 16) + ((uint)data[4] << 24);
                        return ParseResult.Ok(AmlValue.Integer(res), 5);
                    }
                case 0x0D:
                    {
                        ulong cur_ptr = 1;
                        Vec<byte> cur_string = Vec<byte>.New();
                        while (data[cur_ptr] != 0x00)
                        {
                            cur_string.Push(data[cur_ptr]);
                            cur_ptr += 1;
                        }

                        if (!IsUtf8(cur_string))
                        {
                            cur_string.Dispose();
                            return ParseResult.Err(AmlError.ParseError("String data - invalid string"));
                        }
                        String s = String.FromVec(cur_string);
                        // `s.clone()` for the value and `s.clone().len()` for the length.
                        String value = s.Clone();
                        String counted = s.Clone();
                        ulong len = counted.Len() + 2;
                        counted.Dispose();
                        s.Dispose();
                        return ParseResult.Ok(AmlValue.String(value), len);
                    }
                case 0x0E:
                    {
                        ulong res = 0;
                        for (int k = 0; k < 8; k++)
                        {
                            res += (ulong)data[(ulong)(1 + k)] << (8 * k);
                        }
                        return ParseResult.Ok(AmlValue.Integer(res), 9);
                    }
                case 0x00:
                    return ParseResult.Ok(AmlValue.IntegerConstant(0), 1);
                case 0x01:
                    return ParseResult.Ok(AmlValue.IntegerConstant(1), 1);
                case 0x5B:
                    if (data[1] == 0x30)
                    {
                        return ParseResult.Ok(AmlValue.IntegerConstant(2017_0630), 2);
                    }
                    return ParseResult.InvalidOpCode();
                case 0xFF:
                    return ParseResult.Ok(AmlValue.IntegerConstant(0xFFFF_FFFF_FFFF_FFFF), 1);
                default:
                    return Type2OpCode.ParseDefBuffer(data, ref ctx);
            }
        }

        /// <summary>`String::from_utf8`'s validation.</summary>
        internal static bool IsUtf8(in Vec<byte> v)
        {
            byte* p = v.AsPtr();
            ulong n = v.Len();
            ulong i = 0;
            while (i < n)
            {
                byte b = p[i];
                ulong extra;
                uint cp;
                if (b < 0x80) { i++; continue; }
                else if (b >= 0xC2 && b <= 0xDF) { extra = 1; cp = (uint)(b & 0x1F); }
                else if (b >= 0xE0 && b <= 0xEF) { extra = 2; cp = (uint)(b & 0x0F); }
                else if (b >= 0xF0 && b <= 0xF4) { extra = 3; cp = (uint)(b & 0x07); }
                else return false;
                if (i + extra >= n) return false;
                for (ulong k = 1; k <= extra; k++)
                {
                    byte c = p[i + k];
                    if ((c & 0xC0) != 0x80) return false;
                    cp = (cp << 6) | (uint)(c & 0x3F);
                }
                if (extra == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return false;
                if (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) return false;
                i += extra + 1;
            }
            return true;
        }
    }
}
