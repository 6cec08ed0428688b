using alloc.boxed;
using alloc.vec;
using Kernel.context;
using Kernel.syscall;
using spin;
using syscall.error;
using AllocString = alloc.@string.String;
using OptionSyscall = Kernel.context.context.OptionSyscall;

namespace Kernel.scheme.sys
{
    /// <summary>
    /// scheme/sys/syscall.rs: for each context, "id: name" and, when it is inside a system call,
    /// that call as syscall/debug.rs formats it. The rows (id, a clone of the name, the call) are
    /// collected first under the context list's lock (a Vec grown by push), then written.
    /// </summary>
    public static unsafe class SyscallResource
    {
        /// <summary>`(ContextId, Box&lt;[u8]&gt;, Option&lt;(usize, …)&gt;)`: 80 bytes.</summary>
        private struct Row
        {
            public ulong id;
            public BoxSlice name;
            public OptionSyscall syscall;
        }

        public static Result Resource(ref Vec<byte> data)
        {
            AllocString s = AllocString.New();

            Vec<Row> rows = Vec<Row>.New();
            using (var contexts = ContextMod.Contexts())
            {
                for (ulong k = 0; k < contexts.Value.Len(); k++)
                {
                    var entry = contexts.Value.At(k);
                    using (var context = entry->value.Value.Read())
                    {
                        Row row;
                        row.id = entry->key.Into();
                        using (var name = context.Value.name.Value.Lock())
                        {
                            row.name = BoxSlice.From(name.Value.ptr, name.Value.len);
                        }
                        row.syscall = context.Value.syscall;
                        rows.Push(row);
                    }
                }
            }

            for (ulong i = 0; i < rows.Len(); i++)
            {
                Row* row = &rows.AsPtr()[i];
                s.PushDec(row->id);
                s.PushLit(": ");
                if (initfs.Utf8.IsValid(row->name.ptr, row->name.len))
                {
                    s.PushStr(row->name.ptr, row->name.len);
                }
                else
                {
                    s.PushLit(".");
                }
                s.PushLit("\n");

                if (row->syscall.is_some)
                {
                    OptionSyscall c = row->syscall;
                    AllocString call = SyscallDebug.FormatCall(c.a, c.b, c.c, c.d, c.e, c.f);
                    s.PushLit("  ");
                    s.PushStr(call.AsPtr(), call.Len());
                    s.PushLit("\n");
                    call.Dispose();
                }
            }

            for (ulong i = 0; i < rows.Len(); i++)
            {
                rows.AsPtr()[i].name.Dispose();
            }
            rows.Dispose();

            data = s.IntoBytes();
            return Result.Ok(0);
        }
    }
}
