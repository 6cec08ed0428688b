using alloc.vec;
using Kernel.context;
using Kernel.context.memory;
using spin;
using syscall.error;
using AllocString = alloc.@string.String;
using Ctx = Kernel.context.context.Context;
using Status = Kernel.context.context.Status;

namespace Kernel.scheme.sys
{
    /// <summary>
    /// scheme/sys/context.rs: a table of the contexts — PID, PGID, PPID, RUID, RGID, RNS, EUID, EGID,
    /// ENS left-aligned in 6 columns, STAT (U/K for user/kernel, R/S/B/T/Z, + when running), CPU,
    /// MEM (8 columns: B, KB, MB or GB, rounded down) and NAME. Each line is its own `format!`,
    /// appended (push_str) to the table's String, as the original builds it.
    /// Quirk kept (SYS1): MEM counts the kernel stack twice and the FX area never (the original
    /// tests `kstack` where it means `kfx`).
    /// </summary>
    public static unsafe class ContextResource
    {
        /// <summary>The 13 columns of a line: `{:&lt;6}` × 11, `{:&lt;8}`, `{}`, "\n" — a format! starting with an argument (capacity 0).</summary>
        private static void Line(AllocString* s, byte** cols, ulong* lens)
        {
            for (int i = 0; i < 11; i++)
            {
                s->PushPadded(cols[i], lens[i], 6, true);
            }
            s->PushPadded(cols[11], lens[11], 8, true);
            s->PushStr(cols[12], lens[12]);
            s->PushLit("\n");
        }

        private static ulong Digits(ulong v, byte* buf)
        {
            byte* tmp = stackalloc byte[20];
            int n = 0;
            do { tmp[n++] = (byte)('0' + v % 10); v /= 10; } while (v != 0);
            for (int i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
            return (ulong)n;
        }

        private static ulong SharedSize(SharedMemory* m)
        {
            using (var mem = m->inner.Value.Lock())
            {
                return mem.Value.size;
            }
        }

        public static Result Resource(ref Vec<byte> data)
        {
            byte** cols = stackalloc byte*[13];
            ulong* lens = stackalloc ulong[13];
            byte* nums = stackalloc byte[9 * 20];
            ulong* values = stackalloc ulong[9];

            AllocString str = AllocString.WithCapacity(AllocString.EstimatedCapacity(1, true, true));
            {
                byte* h = stackalloc byte[64];
                string header = "PID PGID PPID RUID RGID RNS EUID EGID ENS STAT CPU MEM NAME";
                int col = 0, start = 0;
                for (int i = 0; i < header.Length; i++) h[i] = (byte)header[i];
                for (int i = 0; i <= header.Length; i++)
                {
                    if (i == header.Length || header[i] == ' ')
                    {
                        cols[col] = h + start;
                        lens[col] = (ulong)(i - start);
                        col++;
                        start = i + 1;
                    }
                }
                Line(&str, cols, lens);
            }

            using (var contexts = ContextMod.Contexts())
            {
                for (ulong k = 0; k < contexts.Value.Len(); k++)
                {
                    var context_lock = &contexts.Value.At(k)->value;
                    using (var context = context_lock->Value.Read())
                    {
                        ref Ctx c = ref context.Value;

                        AllocString stat_string = AllocString.New();
                        stat_string.Push(c.stack.is_some ? (byte)'U' : (byte)'K');
                        if (c.status.tag == Status.RUNNABLE) stat_string.Push((byte)'R');
                        else if (c.status.tag == Status.BLOCKED) stat_string.Push(c.wake.is_some ? (byte)'S' : (byte)'B');
                        else if (c.status.tag == Status.STOPPED) stat_string.Push((byte)'T');
                        else stat_string.Push((byte)'Z');
                        if (c.running)
                        {
                            stat_string.Push((byte)'+');
                        }

                        AllocString cpu_string;
                        if (c.cpu_id.is_some)
                        {
                            cpu_string = AllocString.WithCapacity(AllocString.EstimatedCapacity(0, true, true));
                            cpu_string.PushDec(c.cpu_id.value);
                        }
                        else
                        {
                            cpu_string = AllocString.WithCapacity(AllocString.EstimatedCapacity(1, false, false));
                            cpu_string.PushLit("?");
                        }

                        ulong memory = 0;
                        if (!c.kstack.IsNone)
                        {
                            memory += c.kstack.len; // quirk SYS1: the original's `if let Some(ref kfx) = context.kstack`
                        }
                        if (!c.kstack.IsNone)
                        {
                            memory += c.kstack.len;
                        }
                        for (ulong i = 0; i < c.image.Len(); i++)
                        {
                            memory += SharedSize(&c.image.AsPtr()[i]);
                        }
                        if (!c.heap.value.inner.IsNull)
                        {
                            SharedMemory heap = c.heap.value;
                            memory += SharedSize(&heap);
                        }
                        if (c.stack.is_some)
                        {
                            memory += c.stack.value.size;
                        }
                        if (c.sigstack.is_some)
                        {
                            memory += c.sigstack.value.size;
                        }

                        AllocString memory_string = AllocString.WithCapacity(0);
                        if (memory >= 1024 * 1024 * 1024)
                        {
                            memory_string.PushDec(memory / 1024 / 1024 / 1024);
                            memory_string.PushLit(" GB");
                        }
                        else if (memory >= 1024 * 1024)
                        {
                            memory_string.PushDec(memory / 1024 / 1024);
                            memory_string.PushLit(" MB");
                        }
                        else if (memory >= 1024)
                        {
                            memory_string.PushDec(memory / 1024);
                            memory_string.PushLit(" KB");
                        }
                        else
                        {
                            memory_string.PushDec(memory);
                            memory_string.PushLit(" B");
                        }

                        using (var name_bytes = c.name.Value.Lock())
                        {
                            byte* name = name_bytes.Value.ptr;
                            ulong name_len = name_bytes.Value.len;
                            if (!initfs.Utf8.IsValid(name, name_len))
                            {
                                name_len = 0;
                            }

                            values[0] = c.id.Into(); values[1] = c.pgid.Into(); values[2] = c.ppid.Into();
                            values[3] = c.ruid; values[4] = c.rgid; values[5] = c.rns.Into();
                            values[6] = c.euid; values[7] = c.egid; values[8] = c.ens.Into();
                            for (int i = 0; i < 9; i++)
                            {
                                cols[i] = nums + i * 20;
                                lens[i] = Digits(values[i], cols[i]);
                            }
                            cols[9] = stat_string.AsPtr(); lens[9] = stat_string.Len();
                            cols[10] = cpu_string.AsPtr(); lens[10] = cpu_string.Len();
                            cols[11] = memory_string.AsPtr(); lens[11] = memory_string.Len();
                            cols[12] = name; lens[12] = name_len;

                            AllocString line = AllocString.WithCapacity(AllocString.EstimatedCapacity(1, true, true));
                            Line(&line, cols, lens);
                            str.PushStr(line.AsPtr(), line.Len());
                            line.Dispose();
                        }

                        memory_string.Dispose();
                        cpu_string.Dispose();
                        stat_string.Dispose();
                    }
                }
            }

            data = str.IntoBytes();
            return Result.Ok(0);
        }
    }
}
