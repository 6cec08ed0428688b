using alloc.vec;
using Kernel.acpi.aml.dataobj;
using Kernel.acpi.aml.namespace_;
using Kernel.acpi.aml.namestring;
using Kernel.acpi.aml.parser;
using Kernel.acpi.aml.pkglength;
using Kernel.acpi.aml.termlist;
using Kernel.acpi.aml.type1opcode;
using String = alloc.@string.String;

namespace Kernel.acpi.aml.type2opcode
{
    public enum MatchOpcode : byte
    {
        MTR,
        MEQ,
        MLE,
        MLT,
        MGE,
        MGT,
    }

    /// <summary>
    /// type2opcode.rs: the expressions. Arithmetic wraps (the original is built without overflow
    /// checks); several operand offsets are the original's (one byte too far for one-byte opcodes,
    /// one too short for extended ones) and are kept, each noted where it occurs.
    /// </summary>
    public static unsafe class Type2OpCode
    {
        public static ParseResult ParseType2Opcode(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            ParseResult r;
            r = ParseDefIncrement(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefAcquire(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefWait(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefLogical(data, ref ctx, 0x90); if (!r.IsInvalidOpCode) return r;
            r = ParseDefLogical(data, ref ctx, 0x93); if (!r.IsInvalidOpCode) return r;
            r = ParseDefLogical(data, ref ctx, 0x94); if (!r.IsInvalidOpCode) return r;
            r = ParseDefLogical(data, ref ctx, 0x95); if (!r.IsInvalidOpCode) return r;
            r = ParseDefLNot(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefLogical(data, ref ctx, 0x91); if (!r.IsInvalidOpCode) return r;
            r = ParseDefSizeOf(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefStore(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefBinary(data, ref ctx, 0x74); if (!r.IsInvalidOpCode) return r;
            r = ParseDefToBuffer(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefToHexString(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefToBcd(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefToDecimalString(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefToInteger(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefToString(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefBinary(data, ref ctx, 0x72); if (!r.IsInvalidOpCode) return r;
            r = ParseDefBinary(data, ref ctx, 0x7F); if (!r.IsInvalidOpCode) return r;
            r = ParseDefBinary(data, ref ctx, 0x79); if (!r.IsInvalidOpCode) return r;
            r = ParseDefBinary(data, ref ctx, 0x7A); if (!r.IsInvalidOpCode) return r;
            r = ParseDefMod(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefBinary(data, ref ctx, 0x7B); if (!r.IsInvalidOpCode) return r;
            r = ParseDefBinary(data, ref ctx, 0x7D); if (!r.IsInvalidOpCode) return r;
            r = ParseDefConcatRes(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefConcat(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefCondRefOf(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefCopyObject(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefDecrement(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefDivide(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefFindSetLeftBit(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefFindSetRightBit(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefFromBcd(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefLoadTable(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefMatch(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefMid(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefBinary(data, ref ctx, 0x77); if (!r.IsInvalidOpCode) return r;
            r = ParseDefBinary(data, ref ctx, 0x7C); if (!r.IsInvalidOpCode) return r;
            r = ParseDefBinary(data, ref ctx, 0x7E); if (!r.IsInvalidOpCode) return r;
            r = ParseDefNot(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefTimer(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefBuffer(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefPackage(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefVarPackage(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefObjectType(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefDerefOf(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefRefOf(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefIndex(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = TermList.ParseMethodInvocation(data, ref ctx); if (!r.IsInvalidOpCode) return r;

            return ParseResult.InvalidOpCode();
        }

        public static ParseResult ParseType6Opcode(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            ParseResult r;
            r = ParseDefDerefOf(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefRefOf(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefIndex(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = TermList.ParseMethodInvocation(data, ref ctx); if (!r.IsInvalidOpCode) return r;

            return ParseResult.InvalidOpCode();
        }

        private static bool IsExtended(Slice data, byte op) => data[0] == 0x5B && data[1] == op;

        /// <summary>
        /// `DefObjectType` (0x8E). QUIRK (kept): after the opcode check the original hands the
        /// whole data, opcode included, to its sub-parsers, which then never match.
        /// </summary>
        public static ParseResult ParseDefObjectType(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x8E) return ParseResult.InvalidOpCode();

            ParseResult r;
            r = NameString.ParseSuperName(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefRefOf(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefDerefOf(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefIndex(data, ref ctx); if (!r.IsInvalidOpCode) return r;

            return ParseResult.InvalidOpCode();
        }

        /// <summary>Truncates a package to `numelements` (a fresh vector) or pads it with Uninitialized.</summary>
        private static Vec<AmlValue> FitPackage(Vec<AmlValue> elements, ulong numelements)
        {
            if (elements.Len() > numelements)
            {
                Vec<AmlValue> cut = Vec<AmlValue>.WithCapacity(numelements);
                for (ulong i = 0; i < numelements; i++)
                {
                    cut.Push(elements[i].Clone());
                }
                AmlValue.DropVec(ref elements);
                return cut;
            }
            if (numelements > elements.Len())
            {
                ulong missing = numelements - elements.Len();
                for (ulong i = 0; i < missing; i++)
                {
                    elements.Push(AmlValue.Uninitialized());
                }
            }
            return elements;
        }

        /// <summary>`DefPackage` (0x12): element count byte and the element list, fitted to the count.</summary>
        public static ParseResult ParseDefPackage(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x12) return ParseResult.InvalidOpCode();

            var pkg = PkgLength.ParsePkgLength(data.From(1));
            if (!pkg.ok) return ParseResult.Err(pkg.err);
            ulong pkg_length = pkg.value.length;
            ulong pkg_length_len = pkg.value.length_len;
            ulong numelements = data[1 + pkg_length_len];
            ParseResult list = ParsePackageElementsList(data.Range(2 + pkg_length_len, 1 + pkg_length), ref ctx);
            if (!list.ok) return list;
            var elements = list.val.val.GetAsPackage();
            list.Drop();
            if (!elements.ok) return ParseResult.Err(elements.err);

            return ParseResult.Ok(AmlValue.Package(FitPackage(elements.value, numelements)), 1 + pkg_length);
        }

        /// <summary>`DefVarPackage` (0x13): the count is a term argument.</summary>
        public static ParseResult ParseDefVarPackage(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x13) return ParseResult.InvalidOpCode();

            var pkg = PkgLength.ParsePkgLength(data.From(1));
            if (!pkg.ok) return ParseResult.Err(pkg.err);
            ulong pkg_length = pkg.value.length;
            ulong pkg_length_len = pkg.value.length_len;
            ParseResult num_elements = TermList.ParseTermArg(data.Range(1 + pkg_length_len, 1 + pkg_length), ref ctx);
            if (!num_elements.ok) return num_elements;
            ParseResult list = ParsePackageElementsList(data.Range(1 + pkg_length_len + num_elements.val.len, 1 + pkg_length), ref ctx);
            if (!list.ok) { num_elements.Drop(); return list; }
            var elements = list.val.val.GetAsPackage();
            list.Drop();
            if (!elements.ok) { num_elements.Drop(); return ParseResult.Err(elements.err); }

            var n = num_elements.val.val.GetAsInteger();
            num_elements.Drop();
            if (!n.ok) { AmlValue.DropVec(ref elements.value); return ParseResult.Err(n.err); }

            return ParseResult.Ok(AmlValue.Package(FitPackage(elements.value, n.value)), 1 + pkg_length);
        }

        /// <summary>Package elements: data-ref objects, or failing that a name (as an Object reference).</summary>
        private static ParseResult ParsePackageElementsList(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            ulong current_offset = 0;
            Vec<AmlValue> elements = Vec<AmlValue>.New();

            while (current_offset < data.Len())
            {
                AmlValue val;
                ulong len;
                ParseResult dro = DataObj.ParseDataRefObj(data.From(current_offset), ref ctx);
                if (dro.ok)
                {
                    val = dro.val.val;
                    len = dro.val.len;
                }
                else
                {
                    dro.Drop();
                    ParseResult d = NameString.ParseNameString(data.From(current_offset), ref ctx);
                    if (!d.ok) { AmlValue.DropVec(ref elements); return d; }
                    var s = d.val.val.GetAsString();
                    len = d.val.len;
                    d.Drop();
                    if (!s.ok) { AmlValue.DropVec(ref elements); return ParseResult.Err(s.err); }
                    val = AmlValue.FromObjectReference(ObjectReference.Object(s.value));
                }

                elements.Push(val);
                current_offset += len;
            }

            return ParseResult.Ok(AmlValue.Package(elements), data.Len());
        }

        /// <summary>`DefBuffer` (0x11): size term argument, then the bytes (a copy, truncated to the size).</summary>
        public static ParseResult ParseDefBuffer(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x11) return ParseResult.InvalidOpCode();

            var pkg = PkgLength.ParsePkgLength(data.From(1));
            if (!pkg.ok) return ParseResult.Err(pkg.err);
            ulong pkg_length = pkg.value.length;
            ulong pkg_length_len = pkg.value.length_len;
            ParseResult buffer_size = TermList.ParseTermArg(data.From(1 + pkg_length_len), ref ctx);
            if (!buffer_size.ok) return buffer_size;
            // `.to_vec().clone()`: a copy, then a copy of the copy (the first is freed).
            Vec<byte> first = data.Range(1 + pkg_length_len + buffer_size.val.len, 1 + pkg_length).ToVec();
            Vec<byte> byte_list = Namespace.CloneBytes(first);
            first.Dispose();

            var size = buffer_size.val.val.GetAsInteger();
            buffer_size.Drop();
            if (!size.ok) { byte_list.Dispose(); return ParseResult.Err(size.err); }
            byte_list.Truncate(size.value);

            return ParseResult.Ok(AmlValue.Buffer(byte_list), 1 + pkg_length);
        }

        /// <summary>`DefRefOf` (0x71): a reference to an existing object (ValueError when absent).</summary>
        private static ParseResult ParseDefRefOf(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x71) return ParseResult.InvalidOpCode();

            ParseResult obj = NameString.ParseSuperName(data.From(1), ref ctx);
            if (!obj.ok) return obj;
            ulong len = 1 + obj.val.len;
            ObjectReference res;
            if (obj.val.val.kind == AmlValueKind.String)
            {
                var got = ctx.Get(AmlValue.String(obj.val.val.str.Clone()));
                if (!got.ok) { obj.Drop(); return ParseResult.Err(got.err); }
                bool none = got.value.kind == AmlValueKind.None;
                got.value.Drop();
                if (none) { obj.Drop(); return ParseResult.Err(AmlError.ValueError()); }
                res = ObjectReference.Object(obj.val.val.str.Clone());
            }
            else if (obj.val.val.kind == AmlValueKind.ObjectReference)
            {
                res = obj.val.val.object_reference.Clone();
            }
            else
            {
                obj.Drop();
                return ParseResult.Err(AmlError.ValueError());
            }
            obj.Drop();

            return ParseResult.Ok(AmlValue.FromObjectReference(res), len);
        }

        /// <summary>`DefDerefOf` (0x83): the value behind a reference (ValueError for None).</summary>
        private static ParseResult ParseDefDerefOf(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x83) return ParseResult.InvalidOpCode();

            ParseResult obj = TermList.ParseTermArg(data.From(1), ref ctx);
            if (!obj.ok) return obj;
            ulong len = 1 + obj.val.len;
            var res = ctx.Get(obj.val.val);
            if (!res.ok) return ParseResult.Err(res.err);

            if (res.value.kind == AmlValueKind.None)
            {
                return ParseResult.Err(AmlError.ValueError());
            }
            return ParseResult.Ok(res.value, len);
        }

        /// <summary>
        /// `DefAcquire` (0x5B 0x23): spins until the mutex is taken (Integer 0) or the timeout in
        /// ms passes (Integer 1); 0xFFFF waits for ever. QUIRK (kept): the object is read from
        /// offset 1 (the second opcode byte).
        /// </summary>
        private static ParseResult ParseDefAcquire(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x23)) return ParseResult.InvalidOpCode();

            ParseResult obj = NameString.ParseSuperName(data.From(1), ref ctx);
            if (!obj.ok) return obj;
            ushort timeout = (ushort)(data[2 + obj.val.len] + (data[3 + obj.val.len] << 8));

            Type1OpCode.Monotonic(out ulong seconds, out ulong nanoseconds);
            ulong starting_time_ns = nanoseconds + seconds * 1_000_000_000;

            while (true)
            {
                var b = ctx.AcquireMutex(obj.val.val.Clone());
                if (!b.ok) { obj.Drop(); return ParseResult.Err(b.err); }
                if (b.value)
                {
                    ulong len = 4 + obj.val.len;
                    obj.Drop();
                    return ParseResult.Ok(AmlValue.Integer(0), len);
                }
                else if (timeout == 0xFFFF)
                {
                    // waits for ever, as the original (no sleep in between)
                }
                else
                {
                    Type1OpCode.Monotonic(out ulong s, out ulong ns);
                    ulong current_time_ns = ns + s * 1_000_000_000;

                    if (current_time_ns - starting_time_ns > (ulong)timeout * 1_000_000)
                    {
                        ulong len = 4 + obj.val.len;
                        obj.Drop();
                        return ParseResult.Ok(AmlValue.Integer(1), len);
                    }
                }
            }
        }

        /// <summary>
        /// `DefIncrement` (0x75) / `DefDecrement` (0x76). QUIRK (kept): the original takes the
        /// namespace write lock (prelock) and then reads the object through `get`, which takes the
        /// read lock of the same spin RwLock: it spins for ever.
        /// </summary>
        private static ParseResult ParseIncDec(Slice data, ref AmlExecutionContext ctx, bool increment)
        {
            ParseResult obj = NameString.ParseSuperName(data.From(1), ref ctx);
            if (!obj.ok) return obj;
            ulong len = 1 + obj.val.len;

            AmlValue value;
            using (NamespaceLock.Write())
            {
                var got = ctx.Get(obj.val.val.Clone());
                if (!got.ok) { obj.Drop(); return ParseResult.Err(got.err); }
                var i = got.value.GetAsInteger();
                got.value.Drop();
                if (!i.ok) { obj.Drop(); return ParseResult.Err(i.err); }
                value = AmlValue.Integer(increment ? i.value + 1 : i.value - 1);
                var m = ctx.Modify(obj.val.val, value.Clone());
                if (!m.ok) m.err.Drop();
            }

            return ParseResult.Ok(value, len);
        }

        private static ParseResult ParseDefIncrement(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x75) return ParseResult.InvalidOpCode();
            return ParseIncDec(data, ref ctx, true);
        }

        private static ParseResult ParseDefDecrement(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x76) return ParseResult.InvalidOpCode();
            return ParseIncDec(data, ref ctx, false);
        }

        /// <summary>`DefIndex` (0x88): an Index reference to element idx of obj, also stored in the target.</summary>
        private static ParseResult ParseDefIndex(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x88) return ParseResult.InvalidOpCode();

            ParseResult obj = TermList.ParseTermArg(data.From(1), ref ctx);
            if (!obj.ok) return obj;
            ParseResult idx = TermList.ParseTermArg(data.From(1 + obj.val.len), ref ctx);
            if (!idx.ok) { obj.Drop(); return idx; }
            ParseResult target = NameString.ParseTarget(data.From(1 + obj.val.len + idx.val.len), ref ctx);
            if (!target.ok) { obj.Drop(); idx.Drop(); return target; }
            ulong len = 1 + obj.val.len + idx.val.len + target.val.len;

            AmlValue reference = AmlValue.FromObjectReference(ObjectReference.Index(obj.val.val, idx.val.val));
            var m = ctx.Modify(target.val.val, reference.Clone());
            if (!m.ok) m.err.Drop();

            return ParseResult.Ok(reference, len);
        }

        /// <summary>LAnd (0x90), LOr (0x91), LEqual (0x93), LGreater (0x94), LLess (0x95): IntegerConstant 1 or 0.</summary>
        private static ParseResult ParseDefLogical(Slice data, ref AmlExecutionContext ctx, byte op)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != op) return ParseResult.InvalidOpCode();

            ParseResult lhs = TermList.ParseTermArg(data.From(1), ref ctx);
            if (!lhs.ok) return lhs;
            ParseResult rhs = TermList.ParseTermArg(data.From(1 + lhs.val.len), ref ctx);
            if (!rhs.ok) { lhs.Drop(); return rhs; }
            ulong len = 1 + lhs.val.len + rhs.val.len;

            var l = lhs.val.val.GetAsInteger();
            Res<ulong> r = default;
            bool need_rhs = op != 0x90 && op != 0x91 || (op == 0x90 ? l.ok && l.value > 0 : l.ok && !(l.value > 0));
            if (l.ok && need_rhs) r = rhs.val.val.GetAsInteger();
            lhs.Drop();
            rhs.Drop();
            if (!l.ok) return ParseResult.Err(l.err);
            if (need_rhs && !r.ok) return ParseResult.Err(r.err);

            ulong result;
            switch (op)
            {
                case 0x90: result = l.value > 0 && r.value > 0 ? 1UL : 0UL; break;
                case 0x91: result = l.value > 0 || r.value > 0 ? 1UL : 0UL; break;
                case 0x93: result = l.value == r.value ? 1UL : 0UL; break;
                case 0x94: result = l.value > r.value ? 1UL : 0UL; break;
                default: result = l.value < r.value ? 1UL : 0UL; break;
            }

            return ParseResult.Ok(AmlValue.IntegerConstant(result), len);
        }

        private static ParseResult ParseDefLNot(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x92) return ParseResult.InvalidOpCode();

            ParseResult operand = TermList.ParseTermArg(data.From(1), ref ctx);
            if (!operand.ok) return operand;
            ulong len = 1 + operand.val.len;
            var v = operand.val.val.GetAsInteger();
            operand.Drop();
            if (!v.ok) return ParseResult.Err(v.err);

            return ParseResult.Ok(AmlValue.IntegerConstant(v.value == 0 ? 1UL : 0UL), len);
        }

        /// <summary>Stores a result in a target, ignoring the outcome (`let _ = ctx.modify(..)`); returns the result.</summary>
        private static ParseResult StoreAndReturn(ref AmlExecutionContext ctx, ParseResult target, AmlValue result, ulong len)
        {
            var m = ctx.Modify(target.val.val, result.Clone());
            if (!m.ok) m.err.Drop();
            return ParseResult.Ok(result, len);
        }

        /// <summary>
        /// `ToHexString` (0x98) / `ToDecimalString` (0x97): an Integer formatted, a String as is,
        /// a Buffer's bytes formatted one after the other without separators. QUIRK (kept):
        /// the operand is read from offset 2 and the length counts 1.
        /// </summary>
        private static ParseResult ParseDefToString2(Slice data, ref AmlExecutionContext ctx, bool hex)
        {
            ParseResult operand = TermList.ParseTermArg(data.From(2), ref ctx);
            if (!operand.ok) return operand;
            ParseResult target = NameString.ParseTarget(data.From(2 + operand.val.len), ref ctx);
            if (!target.ok) { operand.Drop(); return target; }
            ulong len = 1 + operand.val.len + target.val.len;

            AmlValue res;
            switch (operand.val.val.kind)
            {
                case AmlValueKind.Integer:
                    {
                        var i = operand.val.val.GetAsInteger();
                        res = AmlValue.String(hex ? Namespace.FormatUpperHex(i.value) : Namespace.FormatDecimal(i.value));
                        operand.Drop();
                        break;
                    }
                case AmlValueKind.String:
                    res = operand.val.val;
                    break;
                case AmlValueKind.Buffer:
                    {
                        String s = String.New();
                        var b = operand.val.val.GetAsBuffer();
                        for (ulong k = 0; k < b.value.Len(); k++)
                        {
                            String piece = hex ? Namespace.FormatUpperHex(b.value[k]) : Namespace.FormatDecimal(b.value[k]);
                            s.PushStr(piece);
                            piece.Dispose();
                        }
                        b.value.Dispose();
                        operand.Drop();
                        res = AmlValue.String(s);
                        break;
                    }
                default:
                    operand.Drop();
                    target.Drop();
                    return ParseResult.Err(AmlError.ValueError());
            }

            return StoreAndReturn(ref ctx, target, res, len);
        }

        private static ParseResult ParseDefToHexString(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x98) return ParseResult.InvalidOpCode();
            return ParseDefToString2(data, ref ctx, true);
        }

        private static ParseResult ParseDefToDecimalString(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x97) return ParseResult.InvalidOpCode();
            return ParseDefToString2(data, ref ctx, false);
        }

        /// <summary>`ToBuffer` (0x96) / `ToInteger` (0x99): converted, stored. QUIRK (kept): operand at offset 2.</summary>
        private static ParseResult ParseDefConvert(Slice data, ref AmlExecutionContext ctx, bool to_buffer)
        {
            ParseResult operand = TermList.ParseTermArg(data.From(2), ref ctx);
            if (!operand.ok) return operand;
            ParseResult target = NameString.ParseTarget(data.From(2 + operand.val.len), ref ctx);
            if (!target.ok) { operand.Drop(); return target; }
            ulong len = 1 + operand.val.len + target.val.len;

            AmlValue res;
            if (to_buffer)
            {
                var b = operand.val.val.GetAsBuffer();
                operand.Drop();
                if (!b.ok) { target.Drop(); return ParseResult.Err(b.err); }
                res = AmlValue.Buffer(b.value);
            }
            else
            {
                var i = operand.val.val.GetAsInteger();
                operand.Drop();
                if (!i.ok) { target.Drop(); return ParseResult.Err(i.err); }
                res = AmlValue.Integer(i.value);
            }

            return StoreAndReturn(ref ctx, target, res, len);
        }

        private static ParseResult ParseDefToBuffer(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x96) return ParseResult.InvalidOpCode();
            return ParseDefConvert(data, ref ctx, true);
        }

        private static ParseResult ParseDefToInteger(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x99) return ParseResult.InvalidOpCode();
            return ParseDefConvert(data, ref ctx, false);
        }

        /// <summary>`ToBCD` (0x5B 0x29). QUIRK (kept): the digits are packed in reverse order.</summary>
        private static ParseResult ParseDefToBcd(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x29)) return ParseResult.InvalidOpCode();

            ParseResult operand = TermList.ParseTermArg(data.From(2), ref ctx);
            if (!operand.ok) return operand;
            ParseResult target = NameString.ParseTarget(data.From(2 + operand.val.len), ref ctx);
            if (!target.ok) { operand.Drop(); return target; }
            ulong len = 1 + operand.val.len + target.val.len;

            var iv = operand.val.val.GetAsInteger();
            operand.Drop();
            if (!iv.ok) { target.Drop(); return ParseResult.Err(iv.err); }
            ulong i = iv.value;
            ulong result = 0;
            while (i != 0)
            {
                result <<= 4;
                result += i % 10;
                i /= 10;
            }

            return StoreAndReturn(ref ctx, target, AmlValue.Integer(result), len);
        }

        /// <summary>`ToString` (0x9C): the operand's bytes as a string (ValueError if not UTF-8), truncated to the length.</summary>
        private static ParseResult ParseDefToString(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x9C) return ParseResult.InvalidOpCode();

            ParseResult operand = TermList.ParseTermArg(data.From(1), ref ctx);
            if (!operand.ok) return operand;
            ParseResult length = TermList.ParseTermArg(data.From(1 + operand.val.len), ref ctx);
            if (!length.ok) { operand.Drop(); return length; }
            ParseResult target = NameString.ParseTarget(data.From(1 + operand.val.len + length.val.len), ref ctx);
            if (!target.ok) { operand.Drop(); length.Drop(); return target; }
            ulong len = 1 + operand.val.len + length.val.len + target.val.len;

            var buf = operand.val.val.GetAsBuffer();
            operand.Drop();
            if (!buf.ok) { length.Drop(); target.Drop(); return ParseResult.Err(buf.err); }
            if (!DataObj.IsUtf8(buf.value))
            {
                buf.value.Dispose(); length.Drop(); target.Drop();
                return ParseResult.Err(AmlError.ValueError());
            }
            String s = String.FromVec(buf.value);
            var n = length.val.val.GetAsInteger();
            length.Drop();
            if (!n.ok) { s.Dispose(); target.Drop(); return ParseResult.Err(n.err); }
            s.vec.Truncate(n.value);

            return StoreAndReturn(ref ctx, target, AmlValue.String(s), len);
        }

        /// <summary>
        /// The two-operand integer operators with a target: Add, Subtract, Multiply, And, Or, Xor,
        /// NAnd, NOr, ShiftLeft, ShiftRight. QUIRK (kept): ShiftLeft shifts right and ShiftRight
        /// shifts left, as in the original.
        /// </summary>
        private static ParseResult ParseDefBinary(Slice data, ref AmlExecutionContext ctx, byte op)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != op) return ParseResult.InvalidOpCode();

            ParseResult lhs = TermList.ParseTermArg(data.From(1), ref ctx);
            if (!lhs.ok) return lhs;
            ParseResult rhs = TermList.ParseTermArg(data.From(1 + lhs.val.len), ref ctx);
            if (!rhs.ok) { lhs.Drop(); return rhs; }
            ParseResult target = NameString.ParseTarget(data.From(1 + lhs.val.len + rhs.val.len), ref ctx);
            if (!target.ok) { lhs.Drop(); rhs.Drop(); return target; }
            ulong len = 1 + lhs.val.len + rhs.val.len + target.val.len;

            var l = lhs.val.val.GetAsInteger();
            lhs.Drop();
            if (!l.ok) { rhs.Drop(); target.Drop(); return ParseResult.Err(l.err); }
            var r = rhs.val.val.GetAsInteger();
            rhs.Drop();
            if (!r.ok) { target.Drop(); return ParseResult.Err(r.err); }

            ulong a = l.value;
            ulong b = r.value;
            ulong result;
            switch (op)
            {
                case 0x72: result = a + b; break;
                case 0x74: result = a - b; break;
                case 0x77: result = a * b; break;
                case 0x7B: result = a & b; break;
                case 0x7D: result = a | b; break;
                case 0x7F: result = a ^ b; break;
                case 0x7C: result = ~(a & b); break;
                case 0x7E: result = ~(a | b); break;
                case 0x79: result = a >> (int)b; break;
                default: result = a << (int)b; break;
            }

            return StoreAndReturn(ref ctx, target, AmlValue.Integer(result), len);
        }

        /// <summary>`SizeOf` (0x87): the length of a Buffer, String or Package; ValueError otherwise.</summary>
        private static ParseResult ParseDefSizeOf(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x87) return ParseResult.InvalidOpCode();

            ParseResult name = NameString.ParseSuperName(data.From(1), ref ctx);
            if (!name.ok) return name;
            ulong len = 1 + name.val.len;
            var obj = ctx.Get(name.val.val);
            if (!obj.ok) return ParseResult.Err(obj.err);
            ulong res;
            switch (obj.value.kind)
            {
                case AmlValueKind.Buffer: res = obj.value.buffer.Len(); break;
                case AmlValueKind.String: res = obj.value.str.Len(); break;
                case AmlValueKind.Package: res = obj.value.package.Len(); break;
                default:
                    obj.value.Drop();
                    return ParseResult.Err(AmlError.ValueError());
            }
            obj.value.Drop();

            return ParseResult.Ok(AmlValue.Integer(res), len);
        }

        /// <summary>`Store` (0x70): the operand stored (with conversion) in the super name; the result is the target.</summary>
        private static ParseResult ParseDefStore(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x70) return ParseResult.InvalidOpCode();

            ParseResult operand = TermList.ParseTermArg(data.From(1), ref ctx);
            if (!operand.ok) return operand;
            ParseResult target = NameString.ParseSuperName(data.From(1 + operand.val.len), ref ctx);
            if (!target.ok) { operand.Drop(); return target; }

            var m = ctx.Modify(target.val.val.Clone(), operand.val.val);
            if (!m.ok) m.err.Drop();

            return ParseResult.Ok(target.val.val, 1 + operand.val.len + target.val.len);
        }

        /// <summary>`Mod` (0x85): ValueError for a zero divisor.</summary>
        private static ParseResult ParseDefMod(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x85) return ParseResult.InvalidOpCode();

            ParseResult lhs = TermList.ParseTermArg(data.From(1), ref ctx);
            if (!lhs.ok) return lhs;
            ParseResult rhs = TermList.ParseTermArg(data.From(1 + lhs.val.len), ref ctx);
            if (!rhs.ok) { lhs.Drop(); return rhs; }
            ParseResult target = NameString.ParseTarget(data.From(1 + lhs.val.len + rhs.val.len), ref ctx);
            if (!target.ok) { lhs.Drop(); rhs.Drop(); return target; }
            ulong len = 1 + lhs.val.len + rhs.val.len + target.val.len;

            var r = rhs.val.val.GetAsInteger();
            if (!r.ok) { lhs.Drop(); rhs.Drop(); target.Drop(); return ParseResult.Err(r.err); }
            if (r.value == 0) { lhs.Drop(); rhs.Drop(); target.Drop(); return ParseResult.Err(AmlError.ValueError()); }
            var l = lhs.val.val.GetAsInteger();
            lhs.Drop();
            rhs.Drop();
            if (!l.ok) { target.Drop(); return ParseResult.Err(l.err); }

            return StoreAndReturn(ref ctx, target, AmlValue.Integer(l.value % r.value), len);
        }

        /// <summary>
        /// `ConcatenateResTemplate` (0x84): both as buffers (a 1-byte one is a ValueError), end
        /// tags (0x79 two bytes from the end) removed, joined, a new end tag and checksum added.
        /// </summary>
        private static ParseResult ParseDefConcatRes(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x84) return ParseResult.InvalidOpCode();

            ParseResult lhs = TermList.ParseTermArg(data.From(1), ref ctx);
            if (!lhs.ok) return lhs;
            ParseResult rhs = TermList.ParseTermArg(data.From(1 + lhs.val.len), ref ctx);
            if (!rhs.ok) { lhs.Drop(); return rhs; }
            ParseResult target = NameString.ParseTarget(data.From(1 + lhs.val.len + rhs.val.len), ref ctx);
            if (!target.ok) { lhs.Drop(); rhs.Drop(); return target; }
            ulong len = 1 + lhs.val.len + rhs.val.len + target.val.len;

            var b1 = lhs.val.val.GetAsBuffer();
            lhs.Drop();
            if (!b1.ok) { rhs.Drop(); target.Drop(); return ParseResult.Err(b1.err); }
            Vec<byte> buf1 = Namespace.CloneBytes(b1.value);
            b1.value.Dispose();
            var b2 = rhs.val.val.GetAsBuffer();
            rhs.Drop();
            if (!b2.ok) { buf1.Dispose(); target.Drop(); return ParseResult.Err(b2.err); }
            Vec<byte> buf2 = Namespace.CloneBytes(b2.value);
            b2.value.Dispose();

            if (buf1.Len() == 1 || buf2.Len() == 1)
            {
                buf1.Dispose(); buf2.Dispose(); target.Drop();
                return ParseResult.Err(AmlError.ValueError());
            }

            if (buf1.Len() >= 2 && buf1[buf1.Len() - 2] == 0x79)
            {
                Vec<byte> cut = Slice.Of(buf1).Range(0, buf1.Len() - 2).ToVec();
                buf1.Dispose();
                buf1 = cut;
            }
            if (buf2.Len() >= 2 && buf2[buf2.Len() - 2] == 0x79)
            {
                Vec<byte> cut = Slice.Of(buf2).Range(0, buf2.Len() - 2).ToVec();
                buf2.Dispose();
                buf2 = cut;
            }

            String joined = String.FromVec(buf1);
            joined.PushStr(buf2.AsPtr(), buf2.Len());
            buf2.Dispose();
            buf1 = joined.IntoBytes();
            buf1.Push(0x79);

            byte checksum = 0;
            Vec<byte> loopbuf = Namespace.CloneBytes(buf1);
            for (ulong k = 0; k < loopbuf.Len(); k++)
            {
                checksum += loopbuf[k];
            }
            loopbuf.Dispose();
            checksum = (byte)((byte)~checksum + 1);
            buf1.Push(checksum);

            AmlValue res = AmlValue.Buffer(buf1);
            var m = ctx.Modify(target.val.val, res.Clone());
            if (!m.ok) { res.Drop(); return ParseResult.Err(m.err); }

            return ParseResult.Ok(res, len);
        }

        /// <summary>`Wait` (0x5B 0x25): spins until the event is signalled (Integer 0) or the timeout passes (Integer 1).</summary>
        private static ParseResult ParseDefWait(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x25)) return ParseResult.InvalidOpCode();

            ParseResult obj = NameString.ParseSuperName(data.From(2), ref ctx);
            if (!obj.ok) return obj;
            ParseResult timeout_obj = TermList.ParseTermArg(data.From(2 + obj.val.len), ref ctx);
            if (!timeout_obj.ok) { obj.Drop(); return timeout_obj; }
            ulong len = 2 + obj.val.len + timeout_obj.val.len;
            var t = timeout_obj.val.val.GetAsInteger();
            timeout_obj.Drop();
            if (!t.ok) { obj.Drop(); return ParseResult.Err(t.err); }
            ulong timeout = t.value;

            Type1OpCode.Monotonic(out ulong seconds, out ulong nanoseconds);
            ulong starting_time_ns = nanoseconds + seconds * 1_000_000_000;

            while (true)
            {
                var b = ctx.WaitForEvent(obj.val.val.Clone());
                if (!b.ok) { obj.Drop(); return ParseResult.Err(b.err); }
                if (b.value)
                {
                    obj.Drop();
                    return ParseResult.Ok(AmlValue.Integer(0), len);
                }
                else if (timeout >= 0xFFFF)
                {
                    // waits for ever, as the original
                }
                else
                {
                    Type1OpCode.Monotonic(out ulong s, out ulong ns);
                    ulong current_time_ns = ns + s * 1_000_000_000;

                    if (current_time_ns - starting_time_ns > timeout * 1_000_000)
                    {
                        obj.Drop();
                        return ParseResult.Ok(AmlValue.Integer(1), len);
                    }
                }
            }
        }

        /// <summary>
        /// `CondRefOf` (0x5B 0x12): 1 and the reference stored when the object exists, else 0.
        /// QUIRK (kept): the length counts one opcode byte.
        /// </summary>
        private static ParseResult ParseDefCondRefOf(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x12)) return ParseResult.InvalidOpCode();

            ParseResult obj = NameString.ParseSuperName(data.From(2), ref ctx);
            if (!obj.ok) return obj;
            ParseResult target = NameString.ParseTarget(data.From(2 + obj.val.len), ref ctx);
            if (!target.ok) { obj.Drop(); return target; }
            ulong len = 1 + obj.val.len + target.val.len;

            ObjectReference res;
            if (obj.val.val.kind == AmlValueKind.String)
            {
                var got = ctx.Get(AmlValue.String(obj.val.val.str.Clone()));
                if (!got.ok) { obj.Drop(); target.Drop(); return ParseResult.Err(got.err); }
                bool none = got.value.kind == AmlValueKind.None;
                got.value.Drop();
                if (none)
                {
                    obj.Drop();
                    target.Drop();
                    return ParseResult.Ok(AmlValue.Integer(0), len);
                }
                res = ObjectReference.Object(obj.val.val.str.Clone());
            }
            else if (obj.val.val.kind == AmlValueKind.ObjectReference)
            {
                res = obj.val.val.object_reference.Clone();
            }
            else
            {
                obj.Drop();
                target.Drop();
                return ParseResult.Err(AmlError.ValueError());
            }
            obj.Drop();

            var m = ctx.Modify(target.val.val, AmlValue.FromObjectReference(res));
            if (!m.ok) m.err.Drop();

            return ParseResult.Ok(AmlValue.Integer(1), len);
        }

        /// <summary>`CopyObject` (0x9D): the source copied (no conversion) into a simple name; the result is the source.</summary>
        private static ParseResult ParseDefCopyObject(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x9D) return ParseResult.InvalidOpCode();

            ParseResult source = TermList.ParseTermArg(data.From(1), ref ctx);
            if (!source.ok) return source;
            ParseResult destination = NameString.ParseSimpleName(data.From(1 + source.val.len), ref ctx);
            if (!destination.ok) { source.Drop(); return destination; }

            var c = ctx.Copy(destination.val.val, source.val.val.Clone());
            if (!c.ok) { source.Drop(); return ParseResult.Err(c.err); }

            return ParseResult.Ok(source.val.val, 1 + source.val.len + destination.val.len);
        }

        /// <summary>
        /// `Concatenate` (0x73): Integer + x → the two 8-byte buffers joined; String + x → the
        /// strings joined (x's type name if it has no string form); Buffer + x → joined bytes;
        /// anything else → the type names joined.
        /// </summary>
        private static ParseResult ParseDefConcat(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x73) return ParseResult.InvalidOpCode();

            ParseResult lhs = TermList.ParseTermArg(data.From(1), ref ctx);
            if (!lhs.ok) return lhs;
            ParseResult rhs = TermList.ParseTermArg(data.From(1 + lhs.val.len), ref ctx);
            if (!rhs.ok) { lhs.Drop(); return rhs; }
            ParseResult target = NameString.ParseTarget(data.From(1 + lhs.val.len + rhs.val.len), ref ctx);
            if (!target.ok) { lhs.Drop(); rhs.Drop(); return target; }
            ulong len = 1 + lhs.val.len + rhs.val.len + target.val.len;

            AmlValue result;
            switch (lhs.val.val.kind)
            {
                case AmlValueKind.Integer:
                    {
                        var ji = rhs.val.val.GetAsInteger();
                        if (!ji.ok) { lhs.Drop(); rhs.Drop(); target.Drop(); return ParseResult.Err(ji.err); }
                        AmlValue j = AmlValue.Integer(ji.value);
                        var f = lhs.val.val.GetAsBuffer();
                        Vec<byte> first = Namespace.CloneBytes(f.value);
                        f.value.Dispose();
                        var s = j.GetAsBuffer();
                        Vec<byte> second = Namespace.CloneBytes(s.value);
                        s.value.Dispose();
                        String joined = String.FromVec(first);
                        joined.PushStr(second.AsPtr(), second.Len());
                        second.Dispose();
                        result = AmlValue.Buffer(joined.IntoBytes());
                        break;
                    }
                case AmlValueKind.String:
                    {
                        var t = rhs.val.val.GetAsString();
                        String ts = t.ok ? t.value : rhs.val.val.GetTypeString();
                        result = AmlValue.String(Concat2(lhs.val.val.str, ts));
                        ts.Dispose();
                        break;
                    }
                case AmlValueKind.Buffer:
                    {
                        Vec<byte> b = Namespace.CloneBytes(lhs.val.val.buffer);
                        var cb = rhs.val.val.GetAsBuffer();
                        Vec<byte> c;
                        if (cb.ok)
                        {
                            c = Namespace.CloneBytes(cb.value);
                            cb.value.Dispose();
                        }
                        else
                        {
                            AmlValue tn = AmlValue.String(rhs.val.val.GetTypeString());
                            var tb = tn.GetAsBuffer();
                            tn.Drop();
                            c = Namespace.CloneBytes(tb.value);
                            tb.value.Dispose();
                        }
                        String joined = String.FromVec(b);
                        joined.PushStr(c.AsPtr(), c.Len());
                        c.Dispose();
                        result = AmlValue.Buffer(joined.IntoBytes());
                        break;
                    }
                default:
                    {
                        String first = lhs.val.val.GetTypeString();
                        var t = rhs.val.val.GetAsString();
                        String second = t.ok ? t.value : rhs.val.val.GetTypeString();
                        result = AmlValue.String(Concat2(first, second));
                        first.Dispose();
                        second.Dispose();
                        break;
                    }
            }
            lhs.Drop();
            rhs.Drop();

            var m = ctx.Modify(target.val.val, result.Clone());
            if (!m.ok) { result.Drop(); return ParseResult.Err(m.err); }

            return ParseResult.Ok(result, len);
        }

        /// <summary>`format!("{}{}", a, b)`.</summary>
        private static String Concat2(in String a, in String b)
        {
            String s = String.New();
            s.PushStr(a);
            s.PushStr(b);
            return s;
        }

        /// <summary>
        /// `Divide` (0x78): remainder and quotient stored in their targets, the quotient returned.
        /// A zero divisor panics as Rust's `%` does.
        /// </summary>
        private static ParseResult ParseDefDivide(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x78) return ParseResult.InvalidOpCode();

            ParseResult lhs = TermList.ParseTermArg(data.From(1), ref ctx);
            if (!lhs.ok) return lhs;
            ParseResult rhs = TermList.ParseTermArg(data.From(1 + lhs.val.len), ref ctx);
            if (!rhs.ok) { lhs.Drop(); return rhs; }
            ParseResult target_remainder = NameString.ParseTarget(data.From(1 + lhs.val.len + rhs.val.len), ref ctx);
            if (!target_remainder.ok) { lhs.Drop(); rhs.Drop(); return target_remainder; }
            ParseResult target_quotient = NameString.ParseTarget(data.From(1 + lhs.val.len + rhs.val.len + target_remainder.val.len), ref ctx);
            if (!target_quotient.ok) { lhs.Drop(); rhs.Drop(); target_remainder.Drop(); return target_quotient; }
            ulong len = 1 + lhs.val.len + rhs.val.len + target_remainder.val.len + target_quotient.val.len;

            var n = lhs.val.val.GetAsInteger();
            var d = rhs.val.val.GetAsInteger();
            lhs.Drop();
            rhs.Drop();
            if (!n.ok) { target_remainder.Drop(); target_quotient.Drop(); return ParseResult.Err(n.err); }
            if (!d.ok) { target_remainder.Drop(); target_quotient.Drop(); return ParseResult.Err(d.err); }
            ulong numerator = n.value;
            ulong denominator = d.value;
            if (denominator == 0)
            {
                Panic.Fail("attempt to calculate the remainder with a divisor of zero", "src/acpi/aml/type2opcode.rs", 1244);
            }
            ulong remainder = numerator % denominator;
            ulong quotient = (numerator - remainder) / denominator;

            var m1 = ctx.Modify(target_remainder.val.val, AmlValue.Integer(remainder));
            if (!m1.ok) m1.err.Drop();
            var m2 = ctx.Modify(target_quotient.val.val, AmlValue.Integer(quotient));
            if (!m2.ok) m2.err.Drop();

            return ParseResult.Ok(AmlValue.Integer(quotient), len);
        }

        /// <summary>
        /// `FindSetLeftBit` (0x81). QUIRK (kept): counts down from 32 while testing bit 63, so it
        /// finds only bits 63..32 (as 32..1) and gives 0 otherwise; operand at offset 2.
        /// </summary>
        private static ParseResult ParseDefFindSetLeftBit(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x81) return ParseResult.InvalidOpCode();

            ParseResult operand = TermList.ParseTermArg(data.From(2), ref ctx);
            if (!operand.ok) return operand;
            ParseResult target = NameString.ParseTarget(data.From(2 + operand.val.len), ref ctx);
            if (!target.ok) { operand.Drop(); return target; }
            ulong len = 1 + operand.val.len + target.val.len;

            var t = operand.val.val.GetAsInteger();
            operand.Drop();
            if (!t.ok) { target.Drop(); return ParseResult.Err(t.err); }
            ulong first_bit = 32;
            ulong test = t.value;
            while (first_bit > 0)
            {
                if ((test & 0x8000_0000_0000_0000) > 0)
                {
                    break;
                }
                test <<= 1;
                first_bit -= 1;
            }

            return StoreAndReturn(ref ctx, target, AmlValue.Integer(first_bit), len);
        }

        /// <summary>`FindSetRightBit` (0x82): the lowest set bit among the low 32 (1-based), 0 if none; operand at offset 2.</summary>
        private static ParseResult ParseDefFindSetRightBit(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x82) return ParseResult.InvalidOpCode();

            ParseResult operand = TermList.ParseTermArg(data.From(2), ref ctx);
            if (!operand.ok) return operand;
            ParseResult target = NameString.ParseTarget(data.From(2 + operand.val.len), ref ctx);
            if (!target.ok) { operand.Drop(); return target; }
            ulong len = 1 + operand.val.len + target.val.len;

            var t = operand.val.val.GetAsInteger();
            operand.Drop();
            if (!t.ok) { target.Drop(); return ParseResult.Err(t.err); }
            ulong first_bit = 1;
            ulong test = t.value;
            while (first_bit <= 32)
            {
                if ((test & 1) > 0)
                {
                    break;
                }
                test >>= 1;
                first_bit += 1;
            }
            if (first_bit == 33)
            {
                first_bit = 0;
            }

            return StoreAndReturn(ref ctx, target, AmlValue.Integer(first_bit), len);
        }

        /// <summary>
        /// `LoadTable` (0x5B 0x1F): looks the (signature, OEM id, OEM table id) up among the mapped
        /// tables; found, parses it in the root path and stores the parameter data; gives a
        /// DDBHandle, or IntegerConstant 0 when not found. (The original reads 4, 6 and 8 bytes
        /// through the strings' pointers whatever their lengths; so does this.)
        /// </summary>
        private static ParseResult ParseDefLoadTable(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x1F)) return ParseResult.InvalidOpCode();

            ParseResult signature = TermList.ParseTermArg(data.From(2), ref ctx);
            if (!signature.ok) return signature;
            ParseResult oem_id = TermList.ParseTermArg(data.From(2 + signature.val.len), ref ctx);
            if (!oem_id.ok) { signature.Drop(); return oem_id; }
            ParseResult oem_table_id = TermList.ParseTermArg(data.From(2 + signature.val.len + oem_id.val.len), ref ctx);
            if (!oem_table_id.ok) { signature.Drop(); oem_id.Drop(); return oem_table_id; }
            ParseResult root_path = TermList.ParseTermArg(data.From(2 + signature.val.len + oem_id.val.len + oem_table_id.val.len), ref ctx);
            if (!root_path.ok) { signature.Drop(); oem_id.Drop(); oem_table_id.Drop(); return root_path; }
            ParseResult parameter_path = TermList.ParseTermArg(data.From(2 + signature.val.len + oem_id.val.len + oem_table_id.val.len + root_path.val.len), ref ctx);
            if (!parameter_path.ok) { signature.Drop(); oem_id.Drop(); oem_table_id.Drop(); root_path.Drop(); return parameter_path; }
            ParseResult parameter_data = TermList.ParseTermArg(data.From(2 + signature.val.len + oem_id.val.len + oem_table_id.val.len + root_path.val.len + parameter_path.val.len), ref ctx);
            if (!parameter_data.ok) { signature.Drop(); oem_id.Drop(); oem_table_id.Drop(); root_path.Drop(); parameter_path.Drop(); return parameter_data; }
            ulong len = 2 + signature.val.len + oem_id.val.len + oem_table_id.val.len + root_path.val.len + parameter_path.val.len + parameter_data.val.len;

            ParseResult outcome = ParseResult.Ok(AmlValue.IntegerConstant(0), len);
            if (Acpi.sdt_pointers_is_some)
            {
                var sig = signature.val.val.GetAsString();
                if (!sig.ok) { outcome = ParseResult.Err(sig.err); goto done; }
                SdtSignature sdt_signature;
                sdt_signature.name = String.FromBytes(sig.value.AsPtr(), 4);
                sig.value.Dispose();
                var oem = oem_id.val.val.GetAsString();
                if (!oem.ok) { sdt_signature.name.Dispose(); outcome = ParseResult.Err(oem.err); goto done; }
                for (int k = 0; k < 6; k++) sdt_signature.oem_id[k] = oem.value.AsPtr()[k];
                oem.value.Dispose();
                var oem_table = oem_table_id.val.val.GetAsString();
                if (!oem_table.ok) { sdt_signature.name.Dispose(); outcome = ParseResult.Err(oem_table.err); goto done; }
                for (int k = 0; k < 8; k++) sdt_signature.oem_table_id[k] = oem_table.value.AsPtr()[k];
                oem_table.value.Dispose();

                SdtRef* sdt = Acpi.SDT_POINTERS.Get(&sdt_signature);
                if (sdt != null)
                {
                    var root = root_path.val.val.GetAsString();
                    if (!root.ok) { sdt_signature.Dispose(); outcome = ParseResult.Err(root.err); goto done; }
                    AmlResult hdl = Aml.ParseAmlWithScope(sdt->sdt, root.value);
                    if (!hdl.ok) { sdt_signature.Dispose(); outcome = ParseResult.Err(hdl.err); goto done; }
                    var m = ctx.Modify(parameter_path.val.val, parameter_data.val.val);
                    if (!m.ok) m.err.Drop();
                    parameter_path.val.val = AmlValue.None();
                    parameter_data.val.val = AmlValue.None();
                    DdbHandle handle;
                    handle.names = hdl.delta;
                    handle.signature = sdt_signature;
                    outcome = ParseResult.Ok(AmlValue.FromDdbHandle(handle), len);
                    goto done;
                }
                sdt_signature.Dispose();
            }

        done:
            signature.Drop();
            oem_id.Drop();
            oem_table_id.Drop();
            root_path.Drop();
            parameter_path.Drop();
            parameter_data.Drop();
            return outcome;
        }

        private static Res<MatchOpcode> MatchOp(byte b)
        {
            if (b <= 5) return Res<MatchOpcode>.Ok((MatchOpcode)b);
            return Res<MatchOpcode>.Err(AmlError.ParseError("DefMatch - Invalid Opcode"));
        }

        /// <summary>The comparison of one Match operation: true when `val` passes against `i`.</summary>
        private static bool Passes(MatchOpcode op, int cmp)
        {
            switch (op)
            {
                case MatchOpcode.MTR: return true;
                case MatchOpcode.MEQ: return cmp == 0;
                case MatchOpcode.MLE: return cmp <= 0;
                case MatchOpcode.MLT: return cmp < 0;
                case MatchOpcode.MGE: return cmp >= 0;
                default: return cmp > 0;
            }
        }

        private static int CmpU64(ulong a, ulong b) => a < b ? -1 : (a > b ? 1 : 0);

        /// <summary>
        /// `Match` (0x28): from the start index, the first package element passing both tests
        /// against the operands (compared as integers, strings or buffers after the first operand's
        /// type; elements that do not convert are skipped). QUIRK (kept): the index returned is
        /// one past the match; Ones when none.
        /// </summary>
        private static ParseResult ParseDefMatch(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x28) return ParseResult.InvalidOpCode();

            ParseResult search_pkg = TermList.ParseTermArg(data.From(1), ref ctx);
            if (!search_pkg.ok) return search_pkg;
            var op1 = MatchOp(data[1 + search_pkg.val.len]);
            if (!op1.ok) { search_pkg.Drop(); return ParseResult.Err(op1.err); }
            ParseResult first_operand = TermList.ParseTermArg(data.From(2 + search_pkg.val.len), ref ctx);
            if (!first_operand.ok) { search_pkg.Drop(); return first_operand; }
            var op2 = MatchOp(data[2 + search_pkg.val.len + first_operand.val.len]);
            if (!op2.ok) { search_pkg.Drop(); first_operand.Drop(); return ParseResult.Err(op2.err); }
            ParseResult second_operand = TermList.ParseTermArg(data.From(3 + search_pkg.val.len + first_operand.val.len), ref ctx);
            if (!second_operand.ok) { search_pkg.Drop(); first_operand.Drop(); return second_operand; }
            ParseResult start_index = TermList.ParseTermArg(data.From(3 + search_pkg.val.len + first_operand.val.len + second_operand.val.len), ref ctx);
            if (!start_index.ok) { search_pkg.Drop(); first_operand.Drop(); second_operand.Drop(); return start_index; }
            ulong len = 3 + search_pkg.val.len + first_operand.val.len + second_operand.val.len + start_index.val.len;
            MatchOpcode first_operation = op1.value;
            MatchOpcode second_operation = op2.value;

            var pkgv = search_pkg.val.val.GetAsPackage();
            search_pkg.Drop();
            if (!pkgv.ok) { first_operand.Drop(); second_operand.Drop(); start_index.Drop(); return ParseResult.Err(pkgv.err); }
            Vec<AmlValue> pkg = pkgv.value;
            var si = start_index.val.val.GetAsInteger();
            start_index.Drop();
            if (!si.ok) { AmlValue.DropVec(ref pkg); first_operand.Drop(); second_operand.Drop(); return ParseResult.Err(si.err); }
            ulong idx = si.value;

            ParseResult outcome = ParseResult.Ok(AmlValue.IntegerConstant(0xFFFF_FFFF_FFFF_FFFF), len);
            if (first_operand.val.val.kind == AmlValueKind.Integer)
            {
                ulong i = first_operand.val.val.integer;
                var jr = second_operand.val.val.GetAsInteger();
                if (!jr.ok) { outcome = ParseResult.Err(jr.err); goto done; }
                ulong j = jr.value;
                while (idx < pkg.Len())
                {
                    var v = pkg[idx].GetAsInteger();
                    if (!v.ok) { idx += 1; continue; }
                    idx += 1;
                    if (!Passes(first_operation, CmpU64(v.value, i))) continue;
                    if (!Passes(second_operation, CmpU64(v.value, j))) continue;
                    outcome = ParseResult.Ok(AmlValue.Integer(idx), len);
                    goto done;
                }
            }
            else if (first_operand.val.val.kind == AmlValueKind.String)
            {
                var jr = second_operand.val.val.GetAsString();
                if (!jr.ok) { outcome = ParseResult.Err(jr.err); goto done; }
                String j = jr.value;
                while (idx < pkg.Len())
                {
                    var v = pkg[idx].GetAsString();
                    if (!v.ok) { idx += 1; continue; }
                    idx += 1;
                    bool pass = Passes(first_operation, String.Compare(v.value, first_operand.val.val.str))
                        && Passes(second_operation, String.Compare(v.value, j));
                    v.value.Dispose();
                    if (!pass) continue;
                    j.Dispose();
                    outcome = ParseResult.Ok(AmlValue.Integer(idx), len);
                    goto done;
                }
                j.Dispose();
            }
            else
            {
                var ir = first_operand.val.val.GetAsBuffer();
                if (!ir.ok) { outcome = ParseResult.Err(ir.err); goto done; }
                var jr = second_operand.val.val.GetAsBuffer();
                if (!jr.ok) { ir.value.Dispose(); outcome = ParseResult.Err(jr.err); goto done; }
                String i = String.FromVec(ir.value);
                String j = String.FromVec(jr.value);
                while (idx < pkg.Len())
                {
                    var v = pkg[idx].GetAsBuffer();
                    if (!v.ok) { idx += 1; continue; }
                    idx += 1;
                    String vs = String.FromVec(v.value);
                    bool pass = Passes(first_operation, String.Compare(vs, i)) && Passes(second_operation, String.Compare(vs, j));
                    vs.Dispose();
                    if (!pass) continue;
                    outcome = ParseResult.Ok(AmlValue.Integer(idx), len);
                    break;
                }
                i.Dispose();
                j.Dispose();
            }

        done:
            AmlValue.DropVec(ref pkg);
            first_operand.Drop();
            second_operand.Drop();
            return outcome;
        }

        /// <summary>
        /// `FromBCD` (0x5B 0x28): nibbles folded low nibble first (QUIRK kept: the digits come out
        /// reversed), a nibble above 10 is a ValueError (10 itself passes).
        /// </summary>
        private static ParseResult ParseDefFromBcd(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x28)) return ParseResult.InvalidOpCode();

            ParseResult operand = TermList.ParseTermArg(data.From(2), ref ctx);
            if (!operand.ok) return operand;
            ParseResult target = NameString.ParseTarget(data.From(2 + operand.val.len), ref ctx);
            if (!target.ok) { operand.Drop(); return target; }
            ulong len = 2 + operand.val.len + target.val.len;

            var iv = operand.val.val.GetAsInteger();
            operand.Drop();
            if (!iv.ok) { target.Drop(); return ParseResult.Err(iv.err); }
            ulong i = iv.value;
            ulong result = 0;
            while (i != 0)
            {
                if ((i & 0x0F) > 10)
                {
                    target.Drop();
                    return ParseResult.Err(AmlError.ValueError());
                }
                result *= 10;
                result += i & 0x0F;
                i >>= 4;
            }

            return StoreAndReturn(ref ctx, target, AmlValue.Integer(result), len);
        }

        /// <summary>`Mid` (0x9E): a String's or a buffer's part [idx, idx + len), clipped; empty past the end.</summary>
        private static ParseResult ParseDefMid(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x9E) return ParseResult.InvalidOpCode();

            ParseResult source = TermList.ParseTermArg(data.From(1), ref ctx);
            if (!source.ok) return source;
            ParseResult index = TermList.ParseTermArg(data.From(1 + source.val.len), ref ctx);
            if (!index.ok) { source.Drop(); return index; }
            ParseResult length = TermList.ParseTermArg(data.From(1 + source.val.len + index.val.len), ref ctx);
            if (!length.ok) { source.Drop(); index.Drop(); return length; }
            ParseResult target = NameString.ParseTarget(data.From(1 + source.val.len + index.val.len + length.val.len), ref ctx);
            if (!target.ok) { source.Drop(); index.Drop(); length.Drop(); return target; }
            ulong total = 1 + source.val.len + index.val.len + length.val.len + target.val.len;

            var ix = index.val.val.GetAsInteger();
            index.Drop();
            if (!ix.ok) { source.Drop(); length.Drop(); target.Drop(); return ParseResult.Err(ix.err); }
            var ln = length.val.val.GetAsInteger();
            length.Drop();
            if (!ln.ok) { source.Drop(); target.Drop(); return ParseResult.Err(ln.err); }
            ulong idx = ix.value;
            ulong len = ln.value;

            AmlValue result;
            if (source.val.val.kind == AmlValueKind.String)
            {
                String s = source.val.val.str;
                if (idx > s.Len())
                {
                    result = AmlValue.String(String.New());
                }
                else
                {
                    // `s.clone().split_off(idx)`: the tail in a new string of its exact length.
                    String whole = s.Clone();
                    String res = String.FromBytes(whole.AsPtr() + idx, whole.Len() - idx);
                    whole.vec.Truncate(idx);
                    whole.Dispose();
                    if (len < res.Len())
                    {
                        String rest = String.FromBytes(res.AsPtr() + len, res.Len() - len);
                        rest.Dispose();
                        res.vec.Truncate(len);
                    }
                    result = AmlValue.String(res);
                }
                source.Drop();
            }
            else
            {
                var bv = source.val.val.GetAsBuffer();
                source.Drop();
                if (!bv.ok) { target.Drop(); return ParseResult.Err(bv.err); }
                Vec<byte> b = bv.value;
                if (idx > b.Len())
                {
                    result = AmlValue.Buffer(Vec<byte>.New());
                }
                else
                {
                    if (idx + len > b.Len())
                    {
                        len = b.Len() - idx;
                    }
                    result = AmlValue.Buffer(Slice.Of(b).Range(idx, idx + len).ToVec());
                }
                b.Dispose();
            }

            return StoreAndReturn(ref ctx, target, result, total);
        }

        /// <summary>`Not` (0x80): bitwise complement.</summary>
        private static ParseResult ParseDefNot(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x80) return ParseResult.InvalidOpCode();

            ParseResult operand = TermList.ParseTermArg(data.From(1), ref ctx);
            if (!operand.ok) return operand;
            ParseResult target = NameString.ParseTarget(data.From(1 + operand.val.len), ref ctx);
            if (!target.ok) { operand.Drop(); return target; }
            ulong len = 1 + operand.val.len + target.val.len;

            var v = operand.val.val.GetAsInteger();
            operand.Drop();
            if (!v.ok) { target.Drop(); return ParseResult.Err(v.err); }

            return StoreAndReturn(ref ctx, target, AmlValue.Integer(~v.value), len);
        }

        /// <summary>`Timer` (0x5B 0x33): the monotonic clock in nanoseconds.</summary>
        private static ParseResult ParseDefTimer(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x33)) return ParseResult.InvalidOpCode();

            Type1OpCode.Monotonic(out ulong seconds, out ulong nanoseconds);
            ulong monotonic_ns = nanoseconds + seconds * 1_000_000_000;

            return ParseResult.Ok(AmlValue.Integer(monotonic_ns), 2);
        }
    }
}
