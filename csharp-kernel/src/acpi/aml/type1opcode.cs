using alloc.vec;
using Kernel.acpi.aml.namespace_;
using Kernel.acpi.aml.namestring;
using Kernel.acpi.aml.parser;
using Kernel.acpi.aml.pkglength;
using Kernel.acpi.aml.termlist;
using Kernel.acpi.sdt;
using String = alloc.@string.String;

namespace Kernel.acpi.aml.type1opcode
{
    /// <summary>type1opcode.rs: the statements (control flow, Load/Unload, events, mutexes, sleeps).</summary>
    public static unsafe class Type1OpCode
    {
        public static ParseResult ParseType1Opcode(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            ParseResult r;
            r = ParseDefBreak(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefBreakpoint(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefContinue(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefNoop(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefFatal(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefIfElse(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefLoad(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefNotify(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefRelease(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefReset(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefSignal(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefSleep(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefStall(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefReturn(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefUnload(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefWhile(data, ref ctx); if (!r.IsInvalidOpCode) return r;

            return ParseResult.InvalidOpCode();
        }

        private static bool IsExtended(Slice data, byte op) => data[0] == 0x5B && data[1] == op;

        /// <summary>
        /// `time::monotonic()` as (seconds, nanoseconds). TODO(port): src/time.rs is not ported yet;
        /// until it is this reads the clock the PIT handler would advance (nothing advances it at
        /// boot, as in the original before interrupts are enabled).
        /// </summary>
        public static ulong MonotonicSeconds;
        public static ulong MonotonicNanoseconds;

        internal static void Monotonic(out ulong seconds, out ulong nanoseconds)
        {
            seconds = MonotonicSeconds;
            nanoseconds = MonotonicNanoseconds;
        }

        private static ParseResult ParseDefBreak(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0xA5) return ParseResult.InvalidOpCode();
            ctx.state.Set(ExecutionStateKind.BREAK);
            return ParseResult.Ok(AmlValue.None(), 1);
        }

        private static ParseResult ParseDefBreakpoint(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0xCC) return ParseResult.InvalidOpCode();
            return ParseResult.Ok(AmlValue.None(), 1);
        }

        private static ParseResult ParseDefContinue(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x9F) return ParseResult.InvalidOpCode();
            ctx.state.Set(ExecutionStateKind.CONTINUE);
            return ParseResult.Ok(AmlValue.None(), 1);
        }

        private static ParseResult ParseDefNoop(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0xA3) return ParseResult.InvalidOpCode();
            return ParseResult.Ok(AmlValue.None(), 1);
        }

        /// <summary>`DefFatal` (0x5B 0x32): type byte, code word, argument: always an AmlFatalError.</summary>
        private static ParseResult ParseDefFatal(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x32)) return ParseResult.InvalidOpCode();

            byte fatal_type = data[2];
            ushort fatal_code = (ushort)(data[3] + (data[4] << 8));
            ParseResult fatal_arg = TermList.ParseTermArg(data.From(5), ref ctx);
            if (!fatal_arg.ok) return fatal_arg;

            return ParseResult.Err(AmlError.Fatal(fatal_type, fatal_code, fatal_arg.val.val));
        }

        /// <summary>
        /// `DefLoad` (0x5B 0x20): the named object's buffer taken as a table; an AML table is
        /// recorded in the load order and parsed, and a DDBHandle stored in the target.
        /// </summary>
        private static ParseResult ParseDefLoad(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x20)) return ParseResult.InvalidOpCode();

            ParseResult name = NameString.ParseNameString(data.From(2), ref ctx);
            if (!name.ok) return name;
            ParseResult ddb_handle_object = NameString.ParseSuperName(data.From(2 + name.val.len), ref ctx);
            if (!ddb_handle_object.ok) { name.Drop(); return ddb_handle_object; }
            ulong len = 2 + name.val.len + ddb_handle_object.val.len;

            var got = ctx.Get(name.val.val);
            if (!got.ok) { ddb_handle_object.Drop(); return ParseResult.Err(got.err); }
            var tbl = got.value.GetAsBuffer();
            got.value.Drop();
            if (!tbl.ok) { ddb_handle_object.Drop(); return ParseResult.Err(tbl.err); }
            Sdt* sdt = (Sdt*)tbl.value.AsPtr();

            if (Aml.IsAmlTable(sdt))
            {
                Acpi.LoadTable(Acpi.GetSdtSignature(sdt));
                AmlResult delta = Aml.ParseAmlTable(sdt);
                if (!delta.ok)
                {
                    tbl.value.Dispose();
                    ddb_handle_object.Drop();
                    return ParseResult.Err(delta.err);
                }
                DdbHandle handle;
                handle.names = delta.delta;
                handle.signature = Acpi.GetSdtSignature(sdt);
                var m = ctx.Modify(ddb_handle_object.val.val, AmlValue.FromDdbHandle(handle));
                if (!m.ok) m.err.Drop();
                tbl.value.Dispose();
                return ParseResult.Ok(AmlValue.None(), len);
            }
            tbl.value.Dispose();
            ddb_handle_object.Drop();
            return ParseResult.Err(AmlError.ValueError());
        }

        /// <summary>`DefNotify` (0x86): the object must be a Device, Processor or ThermalZone; its handlers (none) run.</summary>
        private static ParseResult ParseDefNotify(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x86) return ParseResult.InvalidOpCode();

            ParseResult obj = NameString.ParseSuperName(data.From(1), ref ctx);
            if (!obj.ok) return obj;
            ParseResult value = TermList.ParseTermArg(data.From(1 + obj.val.len), ref ctx);
            if (!value.ok) { obj.Drop(); return value; }
            ulong len = 1 + obj.val.len + value.val.len;

            var number = value.val.val.GetAsInteger();
            value.Drop();
            if (!number.ok) { obj.Drop(); return ParseResult.Err(number.err); }

            var target = ctx.Get(obj.val.val);
            if (!target.ok) return ParseResult.Err(target.err);
            AmlValueKind k = target.value.kind;
            target.value.Drop();
            if (k != AmlValueKind.Device && k != AmlValueKind.Processor && k != AmlValueKind.ThermalZone)
            {
                return ParseResult.Err(AmlError.ValueError());
            }
            // The notify maps are always empty: no handler to call.

            return ParseResult.Ok(AmlValue.None(), len);
        }

        private static ParseResult ParseDefRelease(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x27)) return ParseResult.InvalidOpCode();

            ParseResult obj = NameString.ParseSuperName(data.From(2), ref ctx);
            if (!obj.ok) return obj;
            ulong len = 2 + obj.val.len;
            var r = ctx.ReleaseMutex(obj.val.val);
            if (!r.ok) r.err.Drop();

            return ParseResult.Ok(AmlValue.None(), len);
        }

        /// <summary>`DefReset` (0x5B 0x26): the object must be an Event; its count becomes 0.</summary>
        private static ParseResult ParseDefReset(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x26)) return ParseResult.InvalidOpCode();

            ParseResult obj = NameString.ParseSuperName(data.From(2), ref ctx);
            if (!obj.ok) return obj;
            ulong len = 2 + obj.val.len;
            var got = ctx.Get(obj.val.val.Clone());
            if (!got.ok) { obj.Drop(); return ParseResult.Err(got.err); }
            var ev = got.value.GetAsEvent();
            got.value.Drop();
            if (!ev.ok) { obj.Drop(); return ParseResult.Err(ev.err); }

            var m = ctx.Modify(obj.val.val.Clone(), AmlValue.Event(0));
            if (!m.ok) m.err.Drop();
            obj.Drop();

            return ParseResult.Ok(AmlValue.None(), len);
        }

        private static ParseResult ParseDefSignal(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x24)) return ParseResult.InvalidOpCode();

            ParseResult obj = NameString.ParseSuperName(data.From(2), ref ctx);
            if (!obj.ok) return obj;
            ulong len = 2 + obj.val.len;

            var r = ctx.SignalEvent(obj.val.val);
            if (!r.ok) return ParseResult.Err(r.err);
            return ParseResult.Ok(AmlValue.None(), len);
        }

        /// <summary>Busy-waits until more than <paramref name="limit_ns"/> nanoseconds have passed on the monotonic clock.</summary>
        private static void BusyWait(ulong limit_ns)
        {
            Monotonic(out ulong seconds, out ulong nanoseconds);
            ulong starting_time_ns = nanoseconds + seconds * 1_000_000_000;

            while (true)
            {
                Monotonic(out ulong s, out ulong ns);
                ulong current_time_ns = ns + s * 1_000_000_000;

                if (current_time_ns - starting_time_ns > limit_ns)
                {
                    break;
                }
            }
        }

        /// <summary>`DefSleep` (0x5B 0x22): milliseconds, busy-waited.</summary>
        private static ParseResult ParseDefSleep(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x22)) return ParseResult.InvalidOpCode();

            ParseResult time = TermList.ParseTermArg(data.From(2), ref ctx);
            if (!time.ok) return time;
            ulong len = 2 + time.val.len;
            var timeout = time.val.val.GetAsInteger();
            time.Drop();
            if (!timeout.ok) return ParseResult.Err(timeout.err);

            BusyWait(timeout.value * 1_000_000);

            return ParseResult.Ok(AmlValue.None(), len);
        }

        /// <summary>`DefStall` (0x5B 0x21): microseconds, busy-waited.</summary>
        private static ParseResult ParseDefStall(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x21)) return ParseResult.InvalidOpCode();

            ParseResult time = TermList.ParseTermArg(data.From(2), ref ctx);
            if (!time.ok) return time;
            ulong len = 2 + time.val.len;
            var timeout = time.val.val.GetAsInteger();
            time.Drop();
            if (!timeout.ok) return ParseResult.Err(timeout.err);

            BusyWait(timeout.value * 1000);

            return ParseResult.Ok(AmlValue.None(), len);
        }

        /// <summary>`DefUnload` (0x5B 0x2A): every name the handle's table added is removed.</summary>
        private static ParseResult ParseDefUnload(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x2A)) return ParseResult.InvalidOpCode();

            ParseResult obj = NameString.ParseSuperName(data.From(2), ref ctx);
            if (!obj.ok) return obj;
            ulong len = 2 + obj.val.len;

            var got = ctx.Get(obj.val.val);
            if (!got.ok) return ParseResult.Err(got.err);
            var delta = got.value.GetAsDdbHandle();
            got.value.Drop();
            if (!delta.ok) return ParseResult.Err(delta.err);

            using (NamespaceLock.Write())
            {
                if (Acpi.ACPI_TABLE.namespace_is_some)
                {
                    for (ulong i = 0; i < delta.value.names.Len(); i++)
                    {
                        Namespace.MapRemove(ref Acpi.ACPI_TABLE.namespace_, delta.value.names.AsPtr() + i);
                    }
                }
            }
            delta.value.Drop();

            return ParseResult.Ok(AmlValue.None(), len);
        }

        /// <summary>
        /// `DefIfElse` (0xA0, optional 0xA1): the predicate, then the if body or the else body.
        /// The else is looked for right after the if's package.
        /// </summary>
        private static ParseResult ParseDefIfElse(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0xA0) return ParseResult.InvalidOpCode();

            var pkg = PkgLength.ParsePkgLength(data.From(1));
            if (!pkg.ok) return ParseResult.Err(pkg.err);
            ulong pkg_length = pkg.value.length;
            ulong pkg_length_len = pkg.value.length_len;
            ParseResult if_condition = TermList.ParseTermArg(data.Range(1 + pkg_length_len, 1 + pkg_length), ref ctx);
            if (!if_condition.ok) return if_condition;

            ulong else_length = 0;
            ulong else_length_len = 0;
            if (data.Len() > 1 + pkg_length && data[1 + pkg_length] == 0xA1)
            {
                var e = PkgLength.ParsePkgLength(data.From(2 + pkg_length));
                if (!e.ok) { if_condition.Drop(); return ParseResult.Err(e.err); }
                else_length = e.value.length;
                else_length_len = e.value.length_len;
            }

            var cond = if_condition.val.val.GetAsInteger();
            ulong cond_len = if_condition.val.len;
            if_condition.Drop();
            if (!cond.ok) return ParseResult.Err(cond.err);

            if (cond.value > 0)
            {
                ParseResult body = TermList.ParseTermList(data.Range(1 + pkg_length_len + cond_len, 1 + pkg_length), ref ctx);
                if (!body.ok) return body;
                body.Drop();
            }
            else if (else_length > 0)
            {
                ParseResult body = TermList.ParseTermList(data.Range(2 + pkg_length + else_length_len, 2 + pkg_length + else_length), ref ctx);
                if (!body.ok) return body;
                body.Drop();
            }

            return ParseResult.Ok(AmlValue.None(), 1 + pkg_length + (else_length > 0 ? 1 + else_length : 0));
        }

        /// <summary>`DefWhile` (0xA2): predicate and body until the predicate is 0 or a Break; Continue goes round again.</summary>
        private static ParseResult ParseDefWhile(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0xA2) return ParseResult.InvalidOpCode();

            var pkg = PkgLength.ParsePkgLength(data.From(1));
            if (!pkg.ok) return ParseResult.Err(pkg.err);
            ulong pkg_length = pkg.value.length;
            ulong pkg_length_len = pkg.value.length_len;

            while (true)
            {
                ParseResult predicate = TermList.ParseTermArg(data.From(1 + pkg_length_len), ref ctx);
                if (!predicate.ok) return predicate;
                var p = predicate.val.val.GetAsInteger();
                ulong predicate_len = predicate.val.len;
                predicate.Drop();
                if (!p.ok) return ParseResult.Err(p.err);
                if (p.value == 0)
                {
                    break;
                }

                ParseResult body = TermList.ParseTermList(data.Range(1 + pkg_length_len + predicate_len, 1 + pkg_length), ref ctx);
                if (!body.ok) return body;
                body.Drop();

                switch (ctx.state.kind)
                {
                    case ExecutionStateKind.EXECUTING:
                        break;
                    case ExecutionStateKind.BREAK:
                        ctx.state.Set(ExecutionStateKind.EXECUTING);
                        goto done;
                    case ExecutionStateKind.CONTINUE:
                        ctx.state.Set(ExecutionStateKind.EXECUTING);
                        break;
                    default:
                        return ParseResult.Ok(AmlValue.None(), 0);
                }
            }
        done:
            return ParseResult.Ok(AmlValue.None(), 1 + pkg_length);
        }

        /// <summary>`DefReturn` (0xA4): the argument becomes the RETURN state.</summary>
        private static ParseResult ParseDefReturn(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0xA4) return ParseResult.InvalidOpCode();

            ParseResult arg_object = TermList.ParseTermArg(data.From(1), ref ctx);
            if (!arg_object.ok) return arg_object;
            ctx.state.SetReturn(arg_object.val.val);

            return ParseResult.Ok(AmlValue.None(), 1 + arg_object.val.len);
        }
    }
}
