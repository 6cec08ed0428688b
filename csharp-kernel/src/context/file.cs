using System.Runtime.InteropServices;
using alloc.arc;
using Kernel.common;
using spin;
using syscall.error;

namespace Kernel.context.file
{
    /// <summary>context/file.rs `FileDescription`: the scheme, the scheme's number for the file, the open flags (24 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct FileDescription
    {
        public SchemeId scheme;
        public ulong number;
        public ulong flags;
    }

    /// <summary>
    /// context/file.rs `FileDescriptor`: a shared description, the event id if events are on, the
    /// close-on-exec flag (32 bytes). In a file table a null description is an empty slot (the
    /// `None` of `Option&lt;FileDescriptor&gt;`, the niche the original's layout uses).
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct FileDescriptor
    {
        public Arc<RwLock<FileDescription>> description;
        public bool has_event;
        public ulong event_id;
        public bool cloexec;

        public readonly bool IsNone => description.IsNull;

        /// <summary>
        /// `close(self, fd)`: events on fd are unregistered first; the last descriptor of a description
        /// closes the scheme's file.
        /// </summary>
        public Result Close(FileHandle fd)
        {
            if (has_event)
            {
                SchemeId scheme_id;
                using (var d = description.Value.Read())
                {
                    scheme_id = d.Value.scheme;
                }
                Kernel.context.@event.EventMod.Unregister(fd, scheme_id, event_id);
            }

            if (description.Release())
            {
                FileDescription file = description.Value.data;
                description.Free();
                scheme.SchemeRef s;
                using (var schemes = scheme.SchemeList.Schemes())
                {
                    scheme.SchemeRef* found = schemes.Value.Get(file.scheme);
                    if (found == null)
                    {
                        return Result.Err(Error.EBADF);
                    }
                    s = *found;
                }
                return scheme.Dispatch.Close(s, file.number);
            }
            return Result.Ok(0);
        }
    }
}
