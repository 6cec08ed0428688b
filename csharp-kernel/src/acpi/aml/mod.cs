using alloc.vec;
using core.fmt;
using Kernel.acpi.aml.namespace_;
using Kernel.acpi.aml.parser;
using Kernel.acpi.aml.termlist;
using Kernel.acpi.sdt;
using Kernel.arch.x86_64.debug;
using String = alloc.@string.String;

namespace Kernel.acpi.aml
{
    public enum AmlErrorKind : byte
    {
        AmlParseError,
        AmlInvalidOpCode,
        AmlValueError,
        AmlDeferredLoad,
        AmlFatalError,
        AmlHardFatal,
    }

    /// <summary>
    /// `AmlError`: AmlParseError(&amp;'static str) | AmlInvalidOpCode | AmlValueError |
    /// AmlDeferredLoad | AmlFatalError(u8, u16, AmlValue) | AmlHardFatal. The fatal error's value
    /// is kept boxed (one heap block, only on that path, which ends in kstop) so that every result
    /// type stays small: the parser recurses deeply on the kernel's 124 KiB stack.
    /// </summary>
    public unsafe struct AmlError
    {
        public AmlErrorKind kind;
        public string message;
        public byte fatal_type;
        public ushort fatal_code;
        public AmlValue* fatal_arg;

        public static AmlError ParseError(string message) => new AmlError { kind = AmlErrorKind.AmlParseError, message = message };
        public static AmlError InvalidOpCode() => new AmlError { kind = AmlErrorKind.AmlInvalidOpCode };
        public static AmlError ValueError() => new AmlError { kind = AmlErrorKind.AmlValueError };
        public static AmlError DeferredLoad() => new AmlError { kind = AmlErrorKind.AmlDeferredLoad };
        public static AmlError HardFatal() => new AmlError { kind = AmlErrorKind.AmlHardFatal };

        public static AmlError Fatal(byte fatal_type, ushort fatal_code, AmlValue arg) =>
            new AmlError { kind = AmlErrorKind.AmlFatalError, fatal_type = fatal_type, fatal_code = fatal_code, fatal_arg = AmlValue.BoxNew(arg) };

        /// <summary>Drops the AmlValue a fatal error carries.</summary>
        public void Drop()
        {
            if (kind == AmlErrorKind.AmlFatalError)
            {
                AmlValue.BoxDrop(fatal_arg);
            }
        }

        /// <summary>The derived `{:?}` (AmlValue's Debug prints nothing, as in the original).</summary>
        public readonly void Debug(Writer w)
        {
            switch (kind)
            {
                case AmlErrorKind.AmlParseError: w.Str("AmlParseError(\""); w.Str(message); w.Str("\")"); break;
                case AmlErrorKind.AmlInvalidOpCode: w.Str("AmlInvalidOpCode"); break;
                case AmlErrorKind.AmlValueError: w.Str("AmlValueError"); break;
                case AmlErrorKind.AmlDeferredLoad: w.Str("AmlDeferredLoad"); break;
                case AmlErrorKind.AmlFatalError:
                    w.Str("AmlFatalError("); w.Dec(fatal_type); w.Str(", "); w.Dec(fatal_code); w.Str(", )");
                    break;
                default: w.Str("AmlHardFatal"); break;
            }
        }
    }

    /// <summary>`Result&lt;T, AmlError&gt;`.</summary>
    public struct Res<T> where T : unmanaged
    {
        public bool ok;
        public T value;
        public AmlError err;

        public static Res<T> Ok(T value) => new Res<T> { ok = true, value = value };
        public static Res<T> Err(AmlError err) => new Res<T> { ok = false, err = err };
    }

    /// <summary>`Result&lt;Vec&lt;String&gt;, AmlError&gt;` of a table parse: the names it added.</summary>
    public struct AmlResult
    {
        public bool ok;
        public Vec<String> delta;
        public AmlError err;
    }

    /// <summary>
    /// A `&amp;[u8]`: pointer and length, indexed and sub-sliced with Rust's bounds checks (which
    /// panic with core's messages; the location is this module, not the original's line).
    /// </summary>
    public unsafe struct Slice
    {
        public byte* ptr;
        public ulong len;

        public static Slice New(byte* ptr, ulong len) => new Slice { ptr = ptr, len = len };

        public static Slice Of(in Vec<byte> v) => new Slice { ptr = v.AsPtr(), len = v.Len() };

        public readonly ulong Len() => len;

        /// <summary>`data[i]`.</summary>
        public readonly byte this[ulong i]
        {
            get
            {
                if (i >= len)
                {
                    var w = Panic.Begin();
                    w.Str("index out of bounds: the len is ");
                    w.Dec(len);
                    w.Str(" but the index is ");
                    w.Dec(i);
                    Panic.End(w, "src/acpi/aml", 0);
                }
                return ptr[i];
            }
        }

        /// <summary>`&amp;data[start..]`.</summary>
        public readonly Slice From(ulong start)
        {
            if (start > len)
            {
                var w = Panic.Begin();
                w.Str("slice index starts at ");
                w.Dec(start);
                w.Str(" but ends at ");
                w.Dec(len);
                Panic.End(w, "libcore/slice/mod.rs", 0);
            }
            return new Slice { ptr = ptr + start, len = len - start };
        }

        /// <summary>`&amp;data[start..end]`.</summary>
        public readonly Slice Range(ulong start, ulong end)
        {
            if (start > end)
            {
                var w = Panic.Begin();
                w.Str("slice index starts at ");
                w.Dec(start);
                w.Str(" but ends at ");
                w.Dec(end);
                Panic.End(w, "libcore/slice/mod.rs", 0);
            }
            if (end > len)
            {
                RangeEndFail(end, len);
            }
            return new Slice { ptr = ptr + start, len = end - start };
        }

        public static void RangeEndFail(ulong end, ulong len)
        {
            var w = Panic.Begin();
            w.Str("index ");
            w.Dec(end);
            w.Str(" out of range for slice of length ");
            w.Dec(len);
            Panic.End(w, "libcore/slice/mod.rs", 0);
        }

        /// <summary>`.to_vec()`: exactly `len` bytes.</summary>
        public readonly Vec<byte> ToVec()
        {
            Vec<byte> v = Vec<byte>.WithCapacity(len);
            for (ulong i = 0; i < len; i++)
            {
                v.AsPtr()[i] = ptr[i];
            }
            v.len = len;
            return v;
        }
    }

    /// <summary>aml/mod.rs: parsing an AML table into the namespace.</summary>
    public static unsafe class Aml
    {
        /// <summary>`parse_aml_table`: the table's data parsed in the root scope `\`.</summary>
        public static AmlResult ParseAmlTable(Sdt* sdt)
        {
            return ParseAmlWithScope(sdt, String.FromStr("\\"));
        }

        /// <summary>`parse_aml_with_scope`: a fresh context in `scope`, the term list, the names it added.</summary>
        public static AmlResult ParseAmlWithScope(Sdt* sdt, String scope)
        {
            Slice data = Slice.New((byte*)Sdt.DataAddress(sdt), Sdt.DataLen(sdt));
            AmlExecutionContext ctx = AmlExecutionContext.New(scope);

            ParseResult r = TermList.ParseTermList(data, ref ctx);
            AmlResult result;
            if (!r.ok)
            {
                result = new AmlResult { ok = false, err = r.err };
                ctx.Drop();
                return result;
            }
            r.val.val.Drop();

            result = new AmlResult { ok = true, delta = ctx.namespace_delta };
            ctx.namespace_delta = Vec<String>.New();
            ctx.Drop();
            return result;
        }

        public static bool IsAmlTable(Sdt* sdt)
        {
            return Sdt.SignatureIs(sdt, "DSDT") || Sdt.SignatureIs(sdt, "SSDT");
        }

        /// <summary>Drop of the `Vec&lt;String&gt;` a parse returns.</summary>
        public static void DropDelta(ref Vec<String> delta) => Namespace.DropStrings(ref delta);
    }
}
