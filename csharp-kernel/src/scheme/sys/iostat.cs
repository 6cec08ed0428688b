using alloc.boxed;
using alloc.vec;
using Kernel.context;
using Kernel.context.file;
using spin;
using syscall.error;
using AllocString = alloc.@string.String;

namespace Kernel.scheme.sys
{
    /// <summary>
    /// scheme/sys/iostat.rs: for each context, "id: name", then one line per open descriptor: its
    /// number (6 columns), scheme id and scheme number (8 each), flags (8 hex digits) and the path the
    /// scheme's fpath gives (into a 4096-byte buffer on the stack), or the error's text, or "no
    /// scheme". The rows (id, a clone of the name, a clone of the file table) are collected first.
    /// </summary>
    public static unsafe class IostatResource
    {
        /// <summary>`(ContextId, Box&lt;[u8]&gt;, Vec&lt;Option&lt;FileDescriptor&gt;&gt;)`: 48 bytes.</summary>
        private struct Row
        {
            public ulong id;
            public BoxSlice name;
            public Vec<FileDescriptor> files;
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
                        using (var files = context.Value.files.Value.Lock())
                        {
                            row.files = Vec<FileDescriptor>.WithCapacity(files.Value.Len());
                            for (ulong i = 0; i < files.Value.Len(); i++)
                            {
                                FileDescriptor f = files.Value[i];
                                if (!f.IsNone)
                                {
                                    f.description = f.description.Clone();
                                }
                                row.files.Push(f);
                            }
                        }
                        rows.Push(row);
                    }
                }
            }

            byte* fpath = stackalloc byte[4096];
            for (ulong r = 0; r < rows.Len(); r++)
            {
                Row* row = &rows.AsPtr()[r];
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

                for (ulong fd = 0; fd < row->files.Len(); fd++)
                {
                    FileDescriptor file = row->files[fd];
                    if (file.IsNone)
                    {
                        continue;
                    }
                    file.description = file.description.Clone();

                    using (var description = file.description.Value.Read())
                    {
                        SchemeRef scheme;
                        bool found;
                        using (var schemes = SchemeList.Schemes())
                        {
                            SchemeRef* p = schemes.Value.Get(description.Value.scheme);
                            found = p != null;
                            scheme = found ? *p : default;
                            if (found)
                            {
                                scheme.arc.Clone();
                            }
                        }
                        if (!found)
                        {
                            s.PushLit("  ");
                            s.PushDec(fd, 4, false);
                            s.PushLit(": ");
                            s.PushDec(description.Value.scheme.Into(), 8, false);
                            s.PushLit(" ");
                            s.PushDec(description.Value.number, 8, false);
                            s.PushLit(" ");
                            s.PushUpperHex(description.Value.flags, false, 8);
                            s.PushLit(": no scheme\n");
                        }
                        else
                        {
                            for (int i = 0; i < 4096; i++) fpath[i] = 0;
                            Result path_len = Dispatch.Fpath(scheme, description.Value.number, fpath, 4096);
                            s.PushDec(fd, 6, false);
                            s.PushLit(": ");
                            s.PushDec(description.Value.scheme.Into(), 8, false);
                            s.PushLit(" ");
                            s.PushDec(description.Value.number, 8, false);
                            s.PushLit(" ");
                            s.PushUpperHex(description.Value.flags, false, 8);
                            s.PushLit(": ");
                            if (path_len.is_ok)
                            {
                                if (initfs.Utf8.IsValid(fpath, path_len.ok))
                                {
                                    s.PushStr(fpath, path_len.ok);
                                }
                                else
                                {
                                    s.PushLit("?");
                                }
                            }
                            else
                            {
                                s.PushLit(Error.Text(path_len.err.errno));
                            }
                            s.PushLit("\n");
                            scheme.arc.Release();
                        }
                    }
                    DropDescriptor(file);
                }
            }

            for (ulong r = 0; r < rows.Len(); r++)
            {
                Row* row = &rows.AsPtr()[r];
                row->name.Dispose();
                for (ulong i = 0; i < row->files.Len(); i++)
                {
                    if (!row->files[i].IsNone)
                    {
                        DropDescriptor(row->files[i]);
                    }
                }
                row->files.Dispose();
            }
            rows.Dispose();

            data = s.IntoBytes();
            return Result.Ok(0);
        }

        /// <summary>Drop of a cloned descriptor (its description shared once less).</summary>
        private static void DropDescriptor(FileDescriptor file)
        {
            if (file.description.Release())
            {
                file.description.Free();
            }
        }
    }
}
