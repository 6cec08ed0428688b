using System.Runtime.CompilerServices;
using core.num;
using Kernel.arch.x86_64.interrupt;
using Kernel.common;
using Kernel.context.@event;
using spin;
using syscall.error;
using syscall.flag;
using AllocString = alloc.@string.String;

namespace Kernel.scheme.irq
{
    /// <summary>`[usize; 16]`: a counter per legacy IRQ.</summary>
    public unsafe struct IrqCounts
    {
        public fixed ulong v[16];
    }

    /// <summary>
    /// scheme/irq.rs: `irq:`, interrupts handled in userspace (zero-sized: its Box allocates
    /// nothing). `irq:N` (uid 0 only, N below 16) reads the IRQ's count when it has not been
    /// acknowledged yet, and writing that count back acknowledges it (unmasks the IRQ at the PIC).
    /// </summary>
    public unsafe struct IrqScheme
    {
        public static SchemeId IRQ_SCHEME_ID;

        /// <summary>IRQ queues: acknowledged counts and received counts.</summary>
        private static Mutex<IrqCounts> ACKS;
        private static Mutex<IrqCounts> COUNTS;

        private static Mutex<IrqCounts>* Acks()
        {
            fixed (Mutex<IrqCounts>* p = &ACKS) return p;
        }

        private static Mutex<IrqCounts>* Counts()
        {
            fixed (Mutex<IrqCounts>* p = &COUNTS) return p;
        }

        /// <summary>`irq_trigger(irq)`: the IRQ counted, then its listeners get EVENT_READ with the size of a usize.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void IrqTrigger(byte irq)
        {
            using (var counts = Counts()->Lock())
            {
                counts.Value.v[irq] += 1;
            }
            EventMod.Trigger(IRQ_SCHEME_ID, irq, Flag.EVENT_READ, 8);
        }

        public static void New(SchemeId scheme_id)
        {
            IRQ_SCHEME_ID = scheme_id;
        }

        /// <summary>`open(path)`: EACCES unless uid 0; the path (UTF-8) parsed as a usize below 16 is the handle; ENOENT otherwise.</summary>
        public static Result Open(byte* path, ulong path_len, uint uid)
        {
#if MUTATION_IRQ_OPEN_ANY_UID
            if (uid == 0 || uid != 0) // NOT the original: irq: opens for any uid, not root only (make mutants)
#else
            if (uid == 0)
#endif
            {
                if (!initfs.Utf8.IsValid(path, path_len))
                {
                    return Result.Err(Error.ENOENT);
                }
                if (!FromStr.ParseUsize(path, path_len, out ulong id))
                {
                    return Result.Err(Error.ENOENT);
                }
                if (id < 16)
                {
                    return Result.Ok(id);
                }
                return Result.Err(Error.ENOENT);
            }
            return Result.Err(Error.EACCES);
        }

        /// <summary>`dup`: EINVAL with a buffer; the same number otherwise.</summary>
        public static Result Dup(ulong file, ulong buf_len)
        {
            if (buf_len != 0)
            {
                return Result.Err(Error.EINVAL);
            }
            return Result.Ok(file);
        }

        /// <summary>
        /// `read`: EINVAL for less than a usize; the count (8 bytes) when it differs from the
        /// acknowledged one, 0 bytes otherwise. Quirk kept: the handle indexes the arrays unchecked
        /// beyond open's check (a handle is always below 16).
        /// </summary>
        public static Result Read(ulong file, byte* buffer, ulong len)
        {
            if (len >= 8)
            {
                ulong ack, current;
                using (var acks = Acks()->Lock()) ack = acks.Value.v[file];
                using (var counts = Counts()->Lock()) current = counts.Value.v[file];
                if (ack != current)
                {
                    *(ulong*)buffer = current;
                    return Result.Ok(8);
                }
                return Result.Ok(0);
            }
            return Result.Err(Error.EINVAL);
        }

        /// <summary>`write`: EINVAL for less than a usize; a value equal to the count acknowledges it (8 bytes), 0 bytes otherwise.</summary>
        public static Result Write(ulong file, byte* buffer, ulong len)
        {
            if (len >= 8)
            {
                ulong ack = *(ulong*)buffer;
                ulong current;
                using (var counts = Counts()->Lock()) current = counts.Value.v[file];
                if (ack == current)
                {
                    using (var acks = Acks()->Lock()) acks.Value.v[file] = ack;
                    Irq.Acknowledge(file);
                    return Result.Ok(8);
                }
                return Result.Ok(0);
            }
            return Result.Err(Error.EINVAL);
        }

        /// <summary>`fevent`: the IRQ's number is its event id.</summary>
        public static Result Fevent(ulong file) => Result.Ok(file);

        /// <summary>`fpath`: `format!("irq:{}", id)` cut to the buffer (a String of the estimated 8 bytes, made and dropped).</summary>
        public static Result Fpath(ulong id, byte* buf, ulong len)
        {
            AllocString scheme_path = AllocString.WithCapacity(AllocString.EstimatedCapacity(4, true, false));
            scheme_path.PushLit("irq:");
            scheme_path.PushDec(id);
            ulong i = SchemePath.AppendBytes(buf, len, 0, scheme_path.AsPtr(), scheme_path.Len());
            scheme_path.Dispose();
            return Result.Ok(i);
        }
    }
}
