using alloc.vec;
using Kernel.syscall.validate;
using syscall.data;
using syscall.error;
using syscall.flag;
using syscall.number;
using AllocString = alloc.@string.String;

namespace Kernel.syscall
{
    /// <summary>
    /// syscall/debug.rs: `format_call(a, b, c, d, e, f)`, a system call as text (what `sys:syscall`
    /// shows for a context inside a call). Each arm is the original's `format!`: a String of
    /// `Arguments::estimated_capacity` (twice the literal pieces, 0 when the string starts with an
    /// argument and the pieces are short, the pieces alone without arguments), then every piece
    /// and argument written as core::fmt writes it (`write_str` pieces; `write_char`, i.e.
    /// `String::push`, for ByteStr's characters and the quote marks of a str's Debug).
    /// Quirk kept (DEBUG1): user pointers are validated and read in the address space of whoever
    /// formats the call (the reader of sys:syscall), not the caller's.
    /// </summary>
    public static unsafe class SyscallDebug
    {
        /// <summary>The literal pieces of a format string (what is outside `{…}`): their length, whether it has arguments, whether it starts with one.</summary>
        private static AllocString Start(string fmt)
        {
            ulong pieces = 0;
            bool args = false;
            bool depth = false;
            for (int i = 0; i < fmt.Length; i++)
            {
                char ch = fmt[i];
                if (depth)
                {
                    if (ch == '}') depth = false;
                }
                else if (ch == '{')
                {
                    depth = true;
                    args = true;
                }
                else
                {
                    pieces += 1;
                }
            }
            return AllocString.WithCapacity(AllocString.EstimatedCapacity(pieces, args, fmt.Length > 0 && fmt[0] == '{'));
        }

        /// <summary>`escape_default(c)`: \t \r \n \\ \' \" escaped, 0x20..0x7E as they are, anything else \xHH (lower hex).</summary>
        public static int EscapeDefault(byte c, byte* data)
        {
            switch (c)
            {
                case (byte)'\t': data[0] = (byte)'\\'; data[1] = (byte)'t'; return 2;
                case (byte)'\r': data[0] = (byte)'\\'; data[1] = (byte)'r'; return 2;
                case (byte)'\n': data[0] = (byte)'\\'; data[1] = (byte)'n'; return 2;
                case (byte)'\\': data[0] = (byte)'\\'; data[1] = (byte)'\\'; return 2;
                case (byte)'\'': data[0] = (byte)'\\'; data[1] = (byte)'\''; return 2;
                case (byte)'"': data[0] = (byte)'\\'; data[1] = (byte)'"'; return 2;
            }
            if (c >= 0x20 && c <= 0x7E)
            {
                data[0] = c;
                return 1;
            }
            data[0] = (byte)'\\';
            data[1] = (byte)'x';
            data[2] = Hexify((byte)(c >> 4));
            data[3] = Hexify((byte)(c & 0xF));
            return 4;
        }

        private static byte Hexify(byte b) => b <= 9 ? (byte)('0' + b) : (byte)('a' + b - 10);

        /// <summary>`{:?}` of ByteStr: `"` (write!), each escaped byte as a char (write!("{}", ch): one push each), `"`.</summary>
        private static void ByteStr(AllocString* s, byte* p, ulong len)
        {
            s->PushLit("\"");
            byte* data = stackalloc byte[4];
            for (ulong i = 0; i < len; i++)
            {
                int n = EscapeDefault(p[i], data);
                for (int k = 0; k < n; k++)
                {
                    s->Push(data[k]);
                }
            }
            s->PushLit("\"");
        }

        /// <summary>`{:?}` of an Err(Error): `Err(` text `)` (debug_tuple).</summary>
        private static void ErrDebug(AllocString* s, int errno)
        {
            s->PushLit("Err");
            s->PushLit("(");
            s->PushLit(Error.Text(errno));
            s->PushLit(")");
        }

        /// <summary>`{:?}` of `validate_slice(p, len).map(ByteStr)`.</summary>
        private static void SliceByteStr(AllocString* s, ulong p, ulong len)
        {
            var v = Validate.ValidateSlice((byte*)p, len);
            if (v.ok)
            {
                s->PushLit("Ok");
                s->PushLit("(");
                ByteStr(s, v.ptr, v.len);
                s->PushLit(")");
            }
            else
            {
                ErrDebug(s, v.err);
            }
        }

        /// <summary>A derived Debug struct field: ` { ` (first) or `, `, the name, `: `, the value.</summary>
        private static void Field(AllocString* s, bool first, string name, ulong value)
        {
            s->PushLit(first ? " { " : ", ");
            s->PushLit(name);
            s->PushLit(": ");
            s->PushDec(value);
        }

        private static void SignedField(AllocString* s, bool first, string name, long value)
        {
            s->PushLit(first ? " { " : ", ");
            s->PushLit(name);
            s->PushLit(": ");
            s->PushSignedDec(value);
        }

        private static void TimeSpecDebug(AllocString* s, TimeSpec* t)
        {
            s->PushLit("TimeSpec");
            SignedField(s, true, "tv_sec", t->tv_sec);
            SignedField(s, false, "tv_nsec", t->tv_nsec);
            s->PushLit(" }");
        }

        private static void StatDebug(AllocString* s, Stat* st)
        {
            s->PushLit("Stat");
            Field(s, true, "st_dev", st->st_dev);
            Field(s, false, "st_ino", st->st_ino);
            Field(s, false, "st_mode", st->st_mode);
            Field(s, false, "st_nlink", st->st_nlink);
            Field(s, false, "st_uid", st->st_uid);
            Field(s, false, "st_gid", st->st_gid);
            Field(s, false, "st_size", st->st_size);
            Field(s, false, "st_blksize", st->st_blksize);
            Field(s, false, "st_blocks", st->st_blocks);
            Field(s, false, "st_mtime", st->st_mtime);
            Field(s, false, "st_mtime_nsec", st->st_mtime_nsec);
            Field(s, false, "st_atime", st->st_atime);
            Field(s, false, "st_atime_nsec", st->st_atime_nsec);
            Field(s, false, "st_ctime", st->st_ctime);
            Field(s, false, "st_ctime_nsec", st->st_ctime_nsec);
            s->PushLit(" }");
        }

        /// <summary>What a slice's elements are, for its Debug.</summary>
        private enum Elem { Stat, TimeSpec, Usize, UsizePair }

        /// <summary>`{:?}` of `Result&lt;&amp;[T]&gt;`: `Ok([a, b])` (debug_list) or `Err(text)`.</summary>
        private static void SliceDebug(AllocString* s, bool ok, int err, void* p, ulong len, Elem elem)
        {
            if (!ok)
            {
                ErrDebug(s, err);
                return;
            }
            s->PushLit("Ok");
            s->PushLit("(");
            s->PushLit("[");
            for (ulong i = 0; i < len; i++)
            {
                if (i > 0)
                {
                    s->PushLit(", ");
                }
                switch (elem)
                {
                    case Elem.Stat: StatDebug(s, (Stat*)p + i); break;
                    case Elem.TimeSpec: TimeSpecDebug(s, (TimeSpec*)p + i); break;
                    case Elem.Usize: s->PushDec(((ulong*)p)[i]); break;
                    default:
                        s->PushLit("[");
                        s->PushDec(((ulong*)p)[2 * i]);
                        s->PushLit(", ");
                        s->PushDec(((ulong*)p)[2 * i + 1]);
                        s->PushLit("]");
                        break;
                }
            }
            s->PushLit("]");
            s->PushLit(")");
        }

        /// <summary>`{:?}` of a str: `"` (write_char), runs of plain characters (write_str), escaped ones char by char (escape_debug), `"`.</summary>
        private static void StrDebug(AllocString* s, byte* p, ulong len)
        {
            s->Push((byte)'"');
            ulong from = 0;
            byte* esc = stackalloc byte[10];
            for (ulong i = 0; i < len; i++)
            {
                byte c = p[i];
                int n = 0;
                switch (c)
                {
                    case (byte)'\t': esc[0] = (byte)'\\'; esc[1] = (byte)'t'; n = 2; break;
                    case (byte)'\r': esc[0] = (byte)'\\'; esc[1] = (byte)'r'; n = 2; break;
                    case (byte)'\n': esc[0] = (byte)'\\'; esc[1] = (byte)'n'; n = 2; break;
                    case (byte)'\\': esc[0] = (byte)'\\'; esc[1] = (byte)'\\'; n = 2; break;
                    case (byte)'\'': esc[0] = (byte)'\\'; esc[1] = (byte)'\''; n = 2; break;
                    case (byte)'"': esc[0] = (byte)'\\'; esc[1] = (byte)'"'; n = 2; break;
                    default:
                        if (c < 0x20 || c == 0x7F)
                        {
                            // \u{h}: the hex digits of the code point, no leading zeros
                            esc[0] = (byte)'\\'; esc[1] = (byte)'u'; esc[2] = (byte)'{';
                            n = 3;
                            if (c >= 0x10) esc[n++] = Hexify((byte)(c >> 4));
                            esc[n++] = Hexify((byte)(c & 0xF));
                            esc[n++] = (byte)'}';
                        }
                        break;
                }
                if (n != 0)
                {
                    s->PushStr(p + from, i - from);
                    for (int k = 0; k < n; k++)
                    {
                        s->Push(esc[k]);
                    }
                    from = i + 1;
                }
            }
            s->PushStr(p + from, len - from);
            s->Push((byte)'"');
        }

        /// <summary>`format_call(a, b, c, d, e, f)`.</summary>
        public static AllocString FormatCall(ulong a, ulong b, ulong c, ulong d, ulong e, ulong f)
        {
            AllocString s;
            switch (a)
            {
                case Number.SYS_OPEN:
                    s = Start("open({:?}, {:#X})");
                    s.PushLit("open("); SliceByteStr(&s, b, c); s.PushLit(", "); s.PushUpperHex(d, true); s.PushLit(")");
                    break;
                case Number.SYS_CHMOD:
                    s = Start("chmod({:?}, {:#o})");
                    s.PushLit("chmod("); SliceByteStr(&s, b, c); s.PushLit(", "); s.PushOctal(d, true); s.PushLit(")");
                    break;
                case Number.SYS_RMDIR:
                    s = Start("rmdir({:?})");
                    s.PushLit("rmdir("); SliceByteStr(&s, b, c); s.PushLit(")");
                    break;
                case Number.SYS_UNLINK:
                    s = Start("unlink({:?})");
                    s.PushLit("unlink("); SliceByteStr(&s, b, c); s.PushLit(")");
                    break;
                case Number.SYS_CLOSE:
                    s = Start("close({})");
                    s.PushLit("close("); s.PushDec(b); s.PushLit(")");
                    break;
                case Number.SYS_DUP:
                    s = Start("dup({}, {:?})");
                    s.PushLit("dup("); s.PushDec(b); s.PushLit(", "); SliceByteStr(&s, c, d); s.PushLit(")");
                    break;
                case Number.SYS_DUP2:
                    s = Start("dup2({}, {}, {:?})");
                    s.PushLit("dup2("); s.PushDec(b); s.PushLit(", "); s.PushDec(c); s.PushLit(", "); SliceByteStr(&s, d, e); s.PushLit(")");
                    break;
                case Number.SYS_READ:
                    s = Start("read({}, {:#X}, {})");
                    s.PushLit("read("); s.PushDec(b); s.PushLit(", "); s.PushUpperHex(c, true); s.PushLit(", "); s.PushDec(d); s.PushLit(")");
                    break;
                case Number.SYS_WRITE:
                    s = Start("write({}, {:#X}, {})");
                    s.PushLit("write("); s.PushDec(b); s.PushLit(", "); s.PushUpperHex(c, true); s.PushLit(", "); s.PushDec(d); s.PushLit(")");
                    break;
                case Number.SYS_LSEEK:
                    s = Start("lseek({}, {}, {} ({}))");
                    s.PushLit("lseek("); s.PushDec(b); s.PushLit(", "); s.PushSignedDec((long)c); s.PushLit(", ");
                    s.PushLit(d == Flag.SEEK_SET ? "SEEK_SET" : d == Flag.SEEK_CUR ? "SEEK_CUR" : d == Flag.SEEK_END ? "SEEK_END" : "UNKNOWN");
                    s.PushLit(" ("); s.PushDec(d); s.PushLit("))");
                    break;
                case Number.SYS_FCNTL:
                    s = Start("fcntl({}, {} ({}), {:#X})");
                    s.PushLit("fcntl("); s.PushDec(b); s.PushLit(", ");
                    s.PushLit(c == Flag.F_DUPFD ? "F_DUPFD" : c == Flag.F_GETFD ? "F_GETFD" : c == Flag.F_SETFD ? "F_SETFD"
                        : c == Flag.F_SETFL ? "F_SETFL" : c == Flag.F_GETFL ? "F_GETFL" : "UNKNOWN");
                    s.PushLit(" ("); s.PushDec(c); s.PushLit("), "); s.PushUpperHex(d, true); s.PushLit(")");
                    break;
                case Number.SYS_FEVENT:
                    s = Start("fevent({}, {:#X})");
                    s.PushLit("fevent("); s.PushDec(b); s.PushLit(", "); s.PushUpperHex(c, true); s.PushLit(")");
                    break;
                case Number.SYS_FMAP:
                    s = Start("fmap({}, {:#X}, {})");
                    s.PushLit("fmap("); s.PushDec(b); s.PushLit(", "); s.PushUpperHex(c, true); s.PushLit(", "); s.PushDec(d); s.PushLit(")");
                    break;
                case Number.SYS_FUNMAP:
                    s = Start("funmap({:#X})");
                    s.PushLit("funmap("); s.PushUpperHex(b, true); s.PushLit(")");
                    break;
                case Number.SYS_FPATH:
                    s = Start("fpath({}, {:#X}, {})");
                    s.PushLit("fpath("); s.PushDec(b); s.PushLit(", "); s.PushUpperHex(c, true); s.PushLit(", "); s.PushDec(d); s.PushLit(")");
                    break;
                case Number.SYS_FSTAT:
                    {
                        s = Start("fstat({}, {:?})");
                        s.PushLit("fstat("); s.PushDec(b); s.PushLit(", ");
                        var v = Validate.ValidateSlice((Stat*)c, d / (ulong)sizeof(Stat));
                        SliceDebug(&s, v.ok, v.err, v.ptr, v.len, Elem.Stat);
                        s.PushLit(")");
                        break;
                    }
                case Number.SYS_FSTATVFS:
                    s = Start("fstatvfs({}, {:#X}, {})");
                    s.PushLit("fstatvfs("); s.PushDec(b); s.PushLit(", "); s.PushUpperHex(c, true); s.PushLit(", "); s.PushDec(d); s.PushLit(")");
                    break;
                case Number.SYS_FSYNC:
                    s = Start("fsync({})");
                    s.PushLit("fsync("); s.PushDec(b); s.PushLit(")");
                    break;
                case Number.SYS_FTRUNCATE:
                    s = Start("ftruncate({}, {})");
                    s.PushLit("ftruncate("); s.PushDec(b); s.PushLit(", "); s.PushDec(c); s.PushLit(")");
                    break;
                case Number.SYS_BRK:
                    s = Start("brk({:#X})");
                    s.PushLit("brk("); s.PushUpperHex(b, true); s.PushLit(")");
                    break;
                case Number.SYS_CHDIR:
                    s = Start("chdir({:?})");
                    s.PushLit("chdir("); SliceByteStr(&s, b, c); s.PushLit(")");
                    break;
                case Number.SYS_CLOCK_GETTIME:
                    {
                        s = Start("clock_gettime({}, {:?})");
                        s.PushLit("clock_gettime("); s.PushDec(b); s.PushLit(", ");
                        var v = Validate.ValidateSliceMut((TimeSpec*)c, 1);
                        SliceDebug(&s, v.ok, v.err, v.ptr, v.len, Elem.TimeSpec);
                        s.PushLit(")");
                        break;
                    }
                case Number.SYS_CLONE:
                    s = Start("clone({})");
                    s.PushLit("clone("); s.PushDec(b); s.PushLit(")");
                    break;
                case Number.SYS_EXECVE:
                    s = Start("execve({:?}, {:?})");
                    s.PushLit("execve("); SliceByteStr(&s, b, c); s.PushLit(", "); ExecArgs(&s, d, e); s.PushLit(")");
                    break;
                case Number.SYS_EXIT:
                    s = Start("exit({})");
                    s.PushLit("exit("); s.PushDec(b); s.PushLit(")");
                    break;
                case Number.SYS_FUTEX:
                    {
                        s = Start("futex({:#X} [{:?}], {}, {}, {}, {})");
                        s.PushLit("futex("); s.PushUpperHex(b, true); s.PushLit(" [");
                        var v = Validate.ValidateSliceMut((int*)b, 1);
                        if (v.ok)
                        {
                            s.PushLit("Ok"); s.PushLit("("); s.PushSignedDec(v.ptr[0]); s.PushLit(")");
                        }
                        else
                        {
                            ErrDebug(&s, v.err);
                        }
                        s.PushLit("], "); s.PushDec(c); s.PushLit(", "); s.PushDec(d); s.PushLit(", "); s.PushDec(e); s.PushLit(", "); s.PushDec(f); s.PushLit(")");
                        break;
                    }
                case Number.SYS_GETCWD:
                    s = Start("getcwd({:#X}, {})");
                    s.PushLit("getcwd("); s.PushUpperHex(b, true); s.PushLit(", "); s.PushDec(c); s.PushLit(")");
                    break;
                case Number.SYS_GETEGID: s = Start("getegid()"); s.PushLit("getegid()"); break;
                case Number.SYS_GETENS: s = Start("getens()"); s.PushLit("getens()"); break;
                case Number.SYS_GETEUID: s = Start("geteuid()"); s.PushLit("geteuid()"); break;
                case Number.SYS_GETGID: s = Start("getgid()"); s.PushLit("getgid()"); break;
                case Number.SYS_GETNS: s = Start("getns()"); s.PushLit("getns()"); break;
                case Number.SYS_GETPID: s = Start("getpid()"); s.PushLit("getpid()"); break;
                case Number.SYS_GETUID: s = Start("getuid()"); s.PushLit("getuid()"); break;
                case Number.SYS_IOPL:
                    s = Start("iopl({})");
                    s.PushLit("iopl("); s.PushDec(b); s.PushLit(")");
                    break;
                case Number.SYS_KILL:
                    s = Start("kill({}, {})");
                    s.PushLit("kill("); s.PushDec(b); s.PushLit(", "); s.PushDec(c); s.PushLit(")");
                    break;
                case Number.SYS_SIGRETURN: s = Start("sigreturn()"); s.PushLit("sigreturn()"); break;
                case Number.SYS_SIGACTION:
                    s = Start("sigaction({}, {:#X}, {:#X}, {:#X})");
                    s.PushLit("sigaction("); s.PushDec(b); s.PushLit(", "); s.PushUpperHex(c, true); s.PushLit(", ");
                    s.PushUpperHex(d, true); s.PushLit(", "); s.PushUpperHex(e, true); s.PushLit(")");
                    break;
                case Number.SYS_MKNS:
                    {
                        s = Start("mkns({:?})");
                        s.PushLit("mkns(");
                        var v = Validate.ValidateSlice((Kernel.scheme.Slice*)b, c);
                        SliceDebug(&s, v.ok, v.err, v.ptr, v.len, Elem.UsizePair);
                        s.PushLit(")");
                        break;
                    }
                case Number.SYS_NANOSLEEP:
                    {
                        s = Start("nanosleep({:?}, ({}, {}))");
                        s.PushLit("nanosleep(");
                        var v = Validate.ValidateSlice((TimeSpec*)b, 1);
                        SliceDebug(&s, v.ok, v.err, v.ptr, v.len, Elem.TimeSpec);
                        s.PushLit(", ("); s.PushDec(c); s.PushLit(", "); s.PushDec(d); s.PushLit("))");
                        break;
                    }
                case Number.SYS_PHYSALLOC:
                    s = Start("physalloc({})");
                    s.PushLit("physalloc("); s.PushDec(b); s.PushLit(")");
                    break;
                case Number.SYS_PHYSFREE:
                    s = Start("physfree({:#X}, {})");
                    s.PushLit("physfree("); s.PushUpperHex(b, true); s.PushLit(", "); s.PushDec(c); s.PushLit(")");
                    break;
                case Number.SYS_PHYSMAP:
                    s = Start("physmap({:#X}, {}, {:#X})");
                    s.PushLit("physmap("); s.PushUpperHex(b, true); s.PushLit(", "); s.PushDec(c); s.PushLit(", "); s.PushUpperHex(d, true); s.PushLit(")");
                    break;
                case Number.SYS_PHYSUNMAP:
                    s = Start("physunmap({:#X})");
                    s.PushLit("physunmap("); s.PushUpperHex(b, true); s.PushLit(")");
                    break;
                case Number.SYS_VIRTTOPHYS:
                    s = Start("virttophys({:#X})");
                    s.PushLit("virttophys("); s.PushUpperHex(b, true); s.PushLit(")");
                    break;
                case Number.SYS_PIPE2:
                    {
                        s = Start("pipe2({:?}, {})");
                        s.PushLit("pipe2(");
                        var v = Validate.ValidateSliceMut((ulong*)b, 2);
                        SliceDebug(&s, v.ok, v.err, v.ptr, v.len, Elem.Usize);
                        s.PushLit(", "); s.PushDec(c); s.PushLit(")");
                        break;
                    }
                case Number.SYS_SETREGID:
                    s = Start("setregid({}, {})");
                    s.PushLit("setregid("); s.PushDec(b); s.PushLit(", "); s.PushDec(c); s.PushLit(")");
                    break;
                case Number.SYS_SETRENS:
                    s = Start("setrens({}, {})");
                    s.PushLit("setrens("); s.PushDec(b); s.PushLit(", "); s.PushDec(c); s.PushLit(")");
                    break;
                case Number.SYS_SETREUID:
                    s = Start("setreuid({}, {})");
                    s.PushLit("setreuid("); s.PushDec(b); s.PushLit(", "); s.PushDec(c); s.PushLit(")");
                    break;
                case Number.SYS_WAITPID:
                    s = Start("waitpid({}, {:#X}, {})");
                    s.PushLit("waitpid("); s.PushDec(b); s.PushLit(", "); s.PushUpperHex(c, true); s.PushLit(", "); s.PushDec(d); s.PushLit(")");
                    break;
                case Number.SYS_YIELD: s = Start("yield()"); s.PushLit("yield()"); break;
                default:
                    s = Start("UNKNOWN{} {:#X}({:#X}, {:#X}, {:#X}, {:#X}, {:#X})");
                    s.PushLit("UNKNOWN"); s.PushDec(a); s.PushLit(" "); s.PushUpperHex(a, true); s.PushLit("(");
                    s.PushUpperHex(b, true); s.PushLit(", "); s.PushUpperHex(c, true); s.PushLit(", "); s.PushUpperHex(d, true); s.PushLit(", ");
                    s.PushUpperHex(e, true); s.PushLit(", "); s.PushUpperHex(f, true); s.PushLit(")");
                    break;
            }
            return s;
        }

        /// <summary>`Option&lt;&amp;str&gt;` as the execve arm collects it (16 bytes: a null pointer is None).</summary>
        private struct OptionStr
        {
            public byte* ptr;
            public ulong len;
        }

        /// <summary>
        /// execve's second argument: `validate_slice(d as *const [usize; 2], e)` mapped to a
        /// `Vec&lt;Option&lt;&amp;str&gt;&gt;` (one allocation of exactly e entries: each pointer validated and
        /// UTF-8 checked) and shown as `Ok([Some("…"), None])`; `Err(text)` when the array is bad.
        /// </summary>
        private static void ExecArgs(AllocString* s, ulong d, ulong e)
        {
            var args = Validate.ValidateSlice((Kernel.scheme.Slice*)d, e);
            if (!args.ok)
            {
                ErrDebug(s, args.err);
                return;
            }
            Vec<OptionStr> list = Vec<OptionStr>.WithCapacity(args.len);
            for (ulong i = 0; i < args.len; i++)
            {
                OptionStr o = default;
                var a = Validate.ValidateSlice(args.ptr[i].ptr, args.ptr[i].len);
                if (a.ok && Kernel.scheme.initfs.Utf8.IsValid(a.ptr, a.len))
                {
                    o.ptr = a.len == 0 ? (byte*)1 : a.ptr;
                    o.len = a.len;
                }
                list.Push(o);
            }
            s->PushLit("Ok");
            s->PushLit("(");
            s->PushLit("[");
            for (ulong i = 0; i < list.Len(); i++)
            {
                if (i > 0)
                {
                    s->PushLit(", ");
                }
                OptionStr o = list[i];
                if (o.ptr == null)
                {
                    s->PushLit("None");
                }
                else
                {
                    s->PushLit("Some");
                    s->PushLit("(");
                    StrDebug(s, o.ptr, o.len);
                    s->PushLit(")");
                }
            }
            s->PushLit("]");
            s->PushLit(")");
            list.Dispose();
        }
    }
}
