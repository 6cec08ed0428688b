using alloc.allocator;
using alloc.vec;
using AllocHeap = alloc.heap.Heap;
using Kernel;
using Kernel.arch.x86_64.debug;

namespace alloc.@string
{
    /// <summary>
    /// liballoc's `String` of early 2018 as the ACPI code uses it: a `Vec&lt;u8&gt;` of bytes on the
    /// kernel heap (the ACPI names are ASCII, so bytes stand for chars). `FromStr` and `Clone`
    /// allocate exactly the length (nothing for an empty string), as `to_owned`/`clone` did;
    /// `Push` grows as `Vec::push` (4, 8, 16...), `PushStr` as `Vec::reserve` (max(2 × cap,
    /// len + n)). <see cref="Dispose"/> is the drop.
    /// </summary>
    public unsafe struct String
    {
        internal Vec<byte> vec;

        /// <summary>`String::new()`: allocates nothing.</summary>
        public static String New()
        {
            String s;
            s.vec = Vec<byte>.New();
            return s;
        }

        /// <summary>`String::from_str(lit)` / `String::from(lit)`: exactly `lit.len()` bytes.</summary>
        public static String FromStr(string lit)
        {
            String s;
            s.vec = Vec<byte>.WithCapacity((ulong)lit.Length);
            for (int i = 0; i < lit.Length; i++)
            {
                s.vec.buf.Ptr()[i] = (byte)lit[i];
            }
            s.vec.len = (ulong)lit.Length;
            return s;
        }

        /// <summary>`String::from_utf8(bytes.to_vec())` of ASCII bytes: exactly `len` bytes.</summary>
        public static String FromBytes(byte* bytes, ulong len)
        {
            String s;
            s.vec = Vec<byte>.WithCapacity(len);
            for (ulong i = 0; i < len; i++)
            {
                s.vec.buf.Ptr()[i] = bytes[i];
            }
            s.vec.len = len;
            return s;
        }

        /// <summary>`String::from_utf8(v)` taking the vector over (no allocation).</summary>
        public static String FromVec(Vec<byte> v)
        {
            String s;
            s.vec = v;
            return s;
        }

        /// <summary>`into_bytes()`: the vector, handed over.</summary>
        public readonly Vec<byte> IntoBytes() => vec;

        public readonly ulong Len() => vec.len;

        public readonly byte* AsPtr() => vec.buf.Ptr();

        public readonly ulong Capacity() => vec.Capacity();

        /// <summary>`clone()`: a fresh allocation of exactly the length.</summary>
        public readonly String Clone() => FromBytes(vec.buf.Ptr(), vec.len);

        /// <summary>`String::push` of an ASCII char.</summary>
        public void Push(byte c) => vec.Push(c);

        /// <summary>`String::pop`: the last char, None when empty.</summary>
        public byte? Pop() => vec.Pop();

        /// <summary>`push_str`: `Vec::reserve(n)` then copy.</summary>
        public void PushStr(byte* bytes, ulong n)
        {
            Reserve(n);
            for (ulong i = 0; i < n; i++)
            {
                vec.buf.Ptr()[vec.len + i] = bytes[i];
            }
            vec.len += n;
        }

        public void PushStr(in String other) => PushStr(other.vec.buf.Ptr(), other.vec.len);

        /// <summary>`Vec::reserve(additional)` of 2018: grow to max(2 × cap, len + additional) when short.</summary>
        private void Reserve(ulong additional)
        {
            ulong cap = vec.buf.cap;
            if (cap - vec.len >= additional)
            {
                return;
            }
            ulong required = vec.len + additional;
            ulong new_cap = cap * 2 > required ? cap * 2 : required;
            AllocResult res;
            if (cap == 0)
            {
                res = AllocHeap.Alloc(Layout.FromSizeAlignUnchecked(new_cap, 1));
            }
            else
            {
                res = AllocHeap.Realloc(vec.buf.Ptr(), Layout.FromSizeAlignUnchecked(cap, 1), Layout.FromSizeAlignUnchecked(new_cap, 1));
            }
            if (!res.is_ok)
            {
                AllocHeap.Oom(res.err);
            }
            vec.buf.ptr = res.ok;
            vec.buf.cap = new_cap;
        }

        /// <summary>`String::with_capacity(n)` (what `format!` starts from: `Arguments::estimated_capacity`).</summary>
        public static String WithCapacity(ulong capacity)
        {
            String s;
            s.vec = Vec<byte>.WithCapacity(capacity);
            return s;
        }

        /// <summary>`write_str` of a literal (`push_str`).</summary>
        public void PushLit(string lit)
        {
            byte* b = stackalloc byte[lit.Length > 0 ? lit.Length : 1];
            for (int i = 0; i < lit.Length; i++)
            {
                b[i] = (byte)lit[i];
            }
            PushStr(b, (ulong)lit.Length);
        }

        /// <summary>
        /// `{:w$}` of a string through `Formatter::pad`: the string in one `write_str`, then (left
        /// aligned) or before it (right aligned) one `write_str` per fill character up to the width.
        /// </summary>
        public void PushPadded(byte* bytes, ulong n, ulong width, bool left, byte fill = (byte)' ')
        {
            ulong pad = width > n ? width - n : 0;
            if (!left)
            {
                for (ulong i = 0; i < pad; i++) PushStr(&fill, 1);
            }
            PushStr(bytes, n);
            if (left)
            {
                for (ulong i = 0; i < pad; i++) PushStr(&fill, 1);
            }
        }

        public void PushPaddedLit(string lit, ulong width, bool left)
        {
            byte* b = stackalloc byte[lit.Length > 0 ? lit.Length : 1];
            for (int i = 0; i < lit.Length; i++)
            {
                b[i] = (byte)lit[i];
            }
            PushPadded(b, (ulong)lit.Length, width, left);
        }

        /// <summary>`{}` / `{:&lt;w}` / `{:&gt;w}` of an unsigned integer (`pad_integral`: digits in one write).</summary>
        public void PushDec(ulong value, ulong width = 0, bool left = false)
        {
            byte* digits = stackalloc byte[20];
            int n = 20;
            do
            {
                digits[--n] = (byte)('0' + value % 10);
                value /= 10;
            } while (value != 0);
            PushPadded(digits + n, (ulong)(20 - n), width, left);
        }

        /// <summary>`{}` of a signed integer: a '-' first (its own write), then the digits.</summary>
        public void PushSignedDec(long value)
        {
            byte* digits = stackalloc byte[21];
            int n = 21;
            ulong v = value < 0 ? (ulong)(-(value + 1)) + 1 : (ulong)value;
            do
            {
                digits[--n] = (byte)('0' + v % 10);
                v /= 10;
            } while (v != 0);
            if (value < 0)
            {
                // pad_integral's write_prefix: the sign in a write of its own, then the digits
                byte minus = (byte)'-';
                PushStr(&minus, 1);
            }
            PushStr(digits + n, (ulong)(21 - n));
        }

        /// <summary>`{:X}`, `{:#X}` (prefix "0x", written first) or `{:0wX}` (zero padded) of an unsigned integer.</summary>
        public void PushUpperHex(ulong value, bool alternate = false, ulong zero_width = 0)
        {
            byte* digits = stackalloc byte[16];
            int n = 16;
            do
            {
                ulong d = value & 0xF;
                digits[--n] = (byte)(d < 10 ? '0' + d : 'A' + d - 10);
                value >>= 4;
            } while (value != 0);
            if (alternate)
            {
                PushLit("0x");
            }
            PushPadded(digits + n, (ulong)(16 - n), zero_width, false, (byte)'0');
        }

        /// <summary>`{:o}` / `{:#o}` of an unsigned integer.</summary>
        public void PushOctal(ulong value, bool alternate)
        {
            byte* digits = stackalloc byte[22];
            int n = 22;
            do
            {
                digits[--n] = (byte)('0' + (value & 7));
                value >>= 3;
            } while (value != 0);
            if (alternate)
            {
                PushLit("0o");
            }
            PushStr(digits + n, (ulong)(22 - n));
        }

        /// <summary>
        /// `Arguments::estimated_capacity` of a `format!`: the literal pieces' total length when there
        /// are no arguments; 0 when the first piece is empty and the pieces are shorter than 16; twice
        /// the pieces otherwise.
        /// </summary>
        public static ulong EstimatedCapacity(ulong pieces_length, bool has_args, bool first_piece_empty)
        {
            if (!has_args)
            {
                return pieces_length;
            }
            if (first_piece_empty && pieces_length < 16)
            {
                return 0;
            }
            return pieces_length * 2;
        }

        /// <summary>`s[i]` of a byte.</summary>
        public readonly byte At(ulong i) => vec[i];

        public readonly bool Eq(in String other) => Compare(this, other) == 0;

        /// <summary>`s == "lit"`.</summary>
        public readonly bool EqStr(string lit)
        {
            if ((ulong)lit.Length != vec.len)
            {
                return false;
            }
            for (int i = 0; i < lit.Length; i++)
            {
                if (vec.buf.Ptr()[i] != (byte)lit[i])
                {
                    return false;
                }
            }
            return true;
        }

        public readonly bool StartsWith(byte c) => vec.len > 0 && vec.buf.Ptr()[0] == c;

        public readonly bool EndsWith(byte c) => vec.len > 0 && vec.buf.Ptr()[vec.len - 1] == c;

        /// <summary>`Ord` of `str`: byte-wise, then the shorter first.</summary>
        public static int Compare(in String a, in String b)
        {
            ulong n = a.vec.len < b.vec.len ? a.vec.len : b.vec.len;
            byte* pa = a.vec.buf.Ptr();
            byte* pb = b.vec.buf.Ptr();
            for (ulong i = 0; i < n; i++)
            {
                if (pa[i] != pb[i])
                {
                    return pa[i] < pb[i] ? -1 : 1;
                }
            }
            if (a.vec.len == b.vec.len)
            {
                return 0;
            }
            return a.vec.len < b.vec.len ? -1 : 1;
        }

        /// <summary>`{}` of the string.</summary>
        public readonly void Display(Writer w)
        {
            w.WriteBytes(vec.buf.Ptr(), (int)vec.len);
        }

        /// <summary>Drop: frees the bytes, if any.</summary>
        public void Dispose() => vec.Dispose();
    }
}
