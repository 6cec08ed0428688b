using System.Runtime.CompilerServices;
using alloc.arc;
using alloc.vec;
using core.fmt;
using Kernel.common;
using Kernel.context;
using Kernel.context.file;
using Kernel.scheme;
using spin;
using syscall.data;
using syscall.error;
using syscall.flag;
using syscall.number;

namespace Kernel.syscall
{
    /// <summary>`Result&lt;FileHandle&gt;`.</summary>
    public struct FileHandleResult
    {
        public bool is_ok;
        public FileHandle ok;
        public int errno;

        public static FileHandleResult Ok(FileHandle fd) { FileHandleResult r; r.is_ok = true; r.ok = fd; r.errno = 0; return r; }
        public static FileHandleResult Err(int errno) { FileHandleResult r; r.is_ok = false; r.ok = default; r.errno = errno; return r; }

        /// <summary>`.map(FileHandle::into)`.</summary>
        public readonly Result Into() => is_ok ? Result.Ok(ok.Into()) : Result.Err(errno);
    }

    /// <summary>syscall/fs.rs: the filesystem system calls.</summary>
    public static unsafe class Fs
    {
        /// <summary>
        /// `file_op(a, fd, c, d)`: the descriptor's scheme handles a packet {a, b = the scheme's
        /// number, c, d} with the caller's pid/euid/egid; the packet's a comes back as the result.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result FileOp(ulong a, FileHandle fd, ulong c, ulong d)
        {
            FileDescriptor file;
            ulong pid;
            uint uid, gid;
            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    return Result.Err(Error.ESRCH);
                }
                FileDescriptor? f = context.Value.GetFile(fd);
                if (!f.HasValue)
                {
                    return Result.Err(Error.EBADF);
                }
                file = f.GetValueOrDefault();
                pid = context.Value.id.Into();
                uid = context.Value.euid;
                gid = context.Value.egid;
            }

            SchemeRef scheme;
            FileDescription description;
            using (var desc = file.description.Value.Read())
            {
                description = desc.Value;
            }
            using (var schemes = SchemeList.Schemes())
            {
                SchemeRef* s = schemes.Value.Get(description.scheme);
                if (s == null)
                {
                    DropDescriptor(file);
                    return Result.Err(Error.EBADF);
                }
                scheme = *s;
                scheme.arc.Clone();
            }

            Packet packet;
            packet.id = 0;
            packet.pid = pid;
            packet.uid = uid;
            packet.gid = gid;
            packet.a = a;
            packet.b = description.number;
            packet.c = c;
            packet.d = d;

            Dispatch.Handle(scheme, &packet);

            DropScheme(scheme);
            DropDescriptor(file);
            return Error.Demux(packet.a);
        }

        /// <summary>Drop of a cloned descriptor (its description shared once less; never the last here).</summary>
        private static void DropDescriptor(FileDescriptor file)
        {
            if (file.description.Release())
            {
                file.description.Free();
            }
        }

        /// <summary>Drop of a cloned scheme Arc (never the last: the list holds one).</summary>
        private static void DropScheme(SchemeRef scheme)
        {
            scheme.arc.Release();
        }

        public static Result FileOpSlice(ulong a, FileHandle fd, byte* slice, ulong len) => FileOp(a, fd, (ulong)slice, len);

        public static Result FileOpMutSlice(ulong a, FileHandle fd, byte* slice, ulong len) => FileOp(a, fd, (ulong)slice, len);

        /// <summary>
        /// `chdir(path)`: opened O_RDONLY | O_DIRECTORY, fstat'ed, closed; a directory (by its mode's
        /// type bits) becomes the cwd, canonicalized; ENOTDIR otherwise.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Chdir(byte* path, ulong path_len)
        {
            FileHandleResult fd = Open(path, path_len, Flag.O_RDONLY | Flag.O_DIRECTORY);
            if (!fd.is_ok)
            {
                return Result.Err(fd.errno);
            }
            Stat stat = default;
            Result stat_res = FileOpMutSlice(Number.SYS_FSTAT, fd.ok, (byte*)&stat, (ulong)sizeof(Stat));
            Close(fd.ok);
            if (!stat_res.is_ok)
            {
                return stat_res;
            }
            if ((stat.st_mode & (Flag.MODE_FILE | Flag.MODE_DIR)) == Flag.MODE_DIR)
            {
                using (var context = CurrentContext.Read())
                {
                    if (context.IsNone)
                    {
                        return Result.Err(Error.ESRCH);
                    }
                    Vec<byte> canonical = context.Value.Canonicalize(path, path_len);
                    using (var cwd = context.Value.cwd.Value.Lock())
                    {
                        cwd.Value.Dispose();
                        cwd.Value = canonical;
                    }
                }
                return Result.Ok(0);
            }
            return Result.Err(Error.ENOTDIR);
        }

        /// <summary>`getcwd(buf)`: as much of the cwd as fits.</summary>
        public static Result Getcwd(byte* buf, ulong len)
        {
            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    return Result.Err(Error.ESRCH);
                }
                using (var cwd = context.Value.cwd.Value.Lock())
                {
                    ulong i = 0;
                    while (i < len && i < cwd.Value.Len())
                    {
                        buf[i] = cwd.Value[i];
                        i += 1;
                    }
                    return Result.Ok(i);
                }
            }
        }

        /// <summary>
        /// `open(path, flags)`: the path canonicalized; the part before the first ':' names a scheme of the
        /// context's effective namespace (ENODEV if none), which opens the rest; the new description
        /// goes into the lowest free slot (EMFILE if none), O_CLOEXEC kept apart from its flags.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static FileHandleResult Open(byte* path, ulong path_len, ulong flags)
        {
            int errno = ResolveScheme(path, path_len, out ResolvedPath resolved);
            if (errno != 0)
            {
                return FileHandleResult.Err(errno);
            }
            SchemeId scheme_id = resolved.scheme_id;
            Result file_id = Dispatch.Open(resolved.scheme, resolved.reference, resolved.reference_len, flags, resolved.uid, resolved.gid);
            // The scheme's Arc goes at the end of its block; the canonical path lives to open's end (Rust drops it
            // last, after add_file's allocations and the locks): the description is allocated while it is still held.
            DropScheme(resolved.scheme);
            if (!file_id.is_ok)
            {
                resolved.path_canon.Dispose();
                return FileHandleResult.Err(file_id.err.errno);
            }

            FileHandleResult result;
            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    result = FileHandleResult.Err(Error.ESRCH);
                }
                else
                {
                    FileDescriptor fd = NewDescriptor(scheme_id, file_id.ok, flags & ~Flag.O_CLOEXEC, (flags & Flag.O_CLOEXEC) == Flag.O_CLOEXEC);
                    FileHandle? handle = context.Value.AddFile(fd);
                    result = handle.HasValue ? FileHandleResult.Ok(handle.GetValueOrDefault()) : FileHandleResult.Err(Error.EMFILE);
                }
            }
            resolved.path_canon.Dispose();
            return result;
        }

        /// <summary>`close(fd)`: the descriptor removed from the table (EBADF if none), then closed.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Close(FileHandle fd)
        {
            FileDescriptor file;
            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    return Result.Err(Error.ESRCH);
                }
                FileDescriptor? f = context.Value.RemoveFile(fd);
                if (!f.HasValue)
                {
                    return Result.Err(Error.EBADF);
                }
                file = f.GetValueOrDefault();
            }
            return file.Close(fd);
        }

        /// <summary>A descriptor of a new description of (scheme, number, flags), as open and pipe2 make one.</summary>
        private static FileDescriptor NewDescriptor(SchemeId scheme, ulong number, ulong flags, bool cloexec)
        {
            FileDescription description;
            description.scheme = scheme;
            description.number = number;
            description.flags = flags;
            FileDescriptor fd;
            fd.description = Arc<RwLock<FileDescription>>.New(new RwLock<FileDescription>(description));
            fd.has_event = false;
            fd.event_id = 0;
            fd.cloexec = cloexec;
            return fd;
        }

        /// <summary>
        /// `pipe2(fds, flags)`: a pipe whose read side (O_RDONLY) and write side (O_WRONLY), each with the
        /// flags' other bits but O_CLOEXEC, take the two lowest free descriptors; EFAULT for fewer than
        /// two slots. Quirk kept (PIPE1): when the table is full after the read side, EMFILE is returned and
        /// the read descriptor stays in the table, the write side open in the pipe scheme with no descriptor.
        /// </summary>
        public static Result Pipe2(ulong* fds, ulong fds_len, ulong flags)
        {
            if (fds_len < 2)
            {
                return Result.Err(Error.EFAULT);
            }
            SchemeId scheme_id = scheme.pipe.PipeScheme.PIPE_SCHEME_ID;
            scheme.pipe.PipeScheme.Pipe(flags, out ulong read_id, out ulong write_id);

            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    return Result.Err(Error.ESRCH);
                }
                bool cloexec = (flags & Flag.O_CLOEXEC) == Flag.O_CLOEXEC;
                ulong other = flags & ~Flag.O_ACCMODE & ~Flag.O_CLOEXEC;
                FileHandle? read_fd = context.Value.AddFile(NewDescriptor(scheme_id, read_id, Flag.O_RDONLY | other, cloexec));
                if (!read_fd.HasValue)
                {
                    return Result.Err(Error.EMFILE);
                }
#if MUTATION_PIPE2_WRITE_END_NO_CLOEXEC // NOT the original: O_CLOEXEC reaches the read end only (make mutants)
                FileHandle? write_fd = context.Value.AddFile(NewDescriptor(scheme_id, write_id, Flag.O_WRONLY | other, false));
#else
                FileHandle? write_fd = context.Value.AddFile(NewDescriptor(scheme_id, write_id, Flag.O_WRONLY | other, cloexec));
#endif
                if (!write_fd.HasValue)
                {
                    return Result.Err(Error.EMFILE);
                }
                fds[0] = read_fd.GetValueOrDefault().Into();
                fds[1] = write_fd.GetValueOrDefault().Into();
                return Result.Ok(0);
            }
        }

        /// <summary>The current context's descriptor fd (a clone), or the error.</summary>
        private static bool CurrentFile(FileHandle fd, out FileDescriptor file, out int errno)
        {
            file = default;
            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    errno = Error.ESRCH;
                    return false;
                }
                FileDescriptor? f = context.Value.GetFile(fd);
                if (!f.HasValue)
                {
                    errno = Error.EBADF;
                    return false;
                }
                file = f.GetValueOrDefault();
                errno = 0;
                return true;
            }
        }

        private static bool SchemeOf(SchemeId id, out SchemeRef scheme)
        {
            using (var schemes = SchemeList.Schemes())
            {
                SchemeRef* s = schemes.Value.Get(id);
                if (s == null)
                {
                    scheme = default;
                    return false;
                }
                scheme = *s;
                scheme.arc.Clone();
                return true;
            }
        }

        /// <summary>
        /// `duplicate_file(fd, buf)`: with an empty buf, a new descriptor of the same description; with
        /// one, the scheme's dup makes a new file and a new description (same scheme and flags). The new
        /// descriptor has no event and no close-on-exec.
        /// </summary>
        private static bool DuplicateFile(FileHandle fd, byte* buf, ulong buf_len, out FileDescriptor new_file, out int errno)
        {
            new_file = default;
            if (!CurrentFile(fd, out FileDescriptor file, out errno))
            {
                return false;
            }
            if (buf_len == 0)
            {
                new_file.description = file.description; // the clone CurrentFile made
                return true;
            }
            FileDescription description;
            using (var d = file.description.Value.Read())
            {
                description = d.Value;
            }
            DropDescriptor(file);
            if (!SchemeOf(description.scheme, out SchemeRef scheme))
            {
                errno = Error.EBADF;
                return false;
            }
            Result new_id = Dispatch.Dup(scheme, description.number, buf, buf_len);
            DropScheme(scheme);
            if (!new_id.is_ok)
            {
                errno = new_id.err.errno;
                return false;
            }
            new_file = NewDescriptor(description.scheme, new_id.ok, description.flags, false);
            return true;
        }

        /// <summary>`dup(fd, buf)`: the duplicate in the lowest free slot.</summary>
        public static FileHandleResult Dup(FileHandle fd, byte* buf, ulong buf_len)
        {
            if (!DuplicateFile(fd, buf, buf_len, out FileDescriptor new_file, out int errno))
            {
                return FileHandleResult.Err(errno);
            }
            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    return FileHandleResult.Err(Error.ESRCH);
                }
                FileHandle? h = context.Value.AddFile(new_file);
                return h.HasValue ? FileHandleResult.Ok(h.GetValueOrDefault()) : FileHandleResult.Err(Error.EMFILE);
            }
        }

        /// <summary>`dup2(fd, new_fd, buf)`: new_fd itself when equal; else new_fd is closed (its error ignored) and the duplicate put there.</summary>
        public static FileHandleResult Dup2(FileHandle fd, FileHandle new_fd, byte* buf, ulong buf_len)
        {
            if (fd.Into() == new_fd.Into())
            {
                return FileHandleResult.Ok(new_fd);
            }
            Close(new_fd);
            if (!DuplicateFile(fd, buf, buf_len, out FileDescriptor new_file, out int errno))
            {
                return FileHandleResult.Err(errno);
            }
            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    return FileHandleResult.Err(Error.ESRCH);
                }
                FileHandle? h = context.Value.InsertFile(new_fd, new_file);
                return h.HasValue ? FileHandleResult.Ok(h.GetValueOrDefault()) : FileHandleResult.Err(Error.EMFILE);
            }
        }

        /// <summary>
        /// `fcntl(fd, cmd, arg)`: commands other than F_DUPFD/F_GETFD/F_SETFD go to the scheme first (its
        /// error wins); then F_DUPFD duplicates at or above arg, F_GETFD/F_SETFD read/set close-on-exec,
        /// F_GETFL gives the description's flags, F_SETFL keeps its access mode and takes arg's other
        /// bits; EINVAL for anything else.
        /// </summary>
        public static Result Fcntl(FileHandle fd, ulong cmd, ulong arg)
        {
            if (!CurrentFile(fd, out FileDescriptor file, out int errno))
            {
                return Result.Err(errno);
            }
            FileDescription description;
            using (var d = file.description.Value.Read())
            {
                description = d.Value;
            }
            DropDescriptor(file);

            if (cmd != Flag.F_DUPFD && cmd != Flag.F_GETFD && cmd != Flag.F_SETFD)
            {
                if (!SchemeOf(description.scheme, out SchemeRef scheme))
                {
                    return Result.Err(Error.EBADF);
                }
                Result r = Dispatch.Fcntl(scheme, description.number, cmd, arg);
                DropScheme(scheme);
                if (!r.is_ok)
                {
                    return r;
                }
            }

            if (cmd == Flag.F_DUPFD)
            {
                if (!DuplicateFile(fd, null, 0, out FileDescriptor new_file, out errno))
                {
                    return Result.Err(errno);
                }
                using (var context = CurrentContext.Read())
                {
                    if (context.IsNone)
                    {
                        return Result.Err(Error.ESRCH);
                    }
                    FileHandle? h = context.Value.AddFileMin(new_file, arg);
                    return h.HasValue ? Result.Ok(h.GetValueOrDefault().Into()) : Result.Err(Error.EMFILE);
                }
            }

            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    return Result.Err(Error.ESRCH);
                }
                using (var files = context.Value.files.Value.Lock())
                {
                    if (fd.Into() >= files.Value.Len() || files.Value[fd.Into()].IsNone)
                    {
                        return Result.Err(Error.EBADF);
                    }
                    ref FileDescriptor f = ref files.Value[fd.Into()];
                    if (cmd == Flag.F_GETFD)
                    {
                        return Result.Ok(f.cloexec ? Flag.O_CLOEXEC : 0);
                    }
                    if (cmd == Flag.F_SETFD)
                    {
                        f.cloexec = (arg & Flag.O_CLOEXEC) == Flag.O_CLOEXEC;
                        return Result.Ok(0);
                    }
                    if (cmd == Flag.F_GETFL)
                    {
                        return Result.Ok(description.flags);
                    }
                    if (cmd == Flag.F_SETFL)
                    {
                        ulong new_flags = (description.flags & Flag.O_ACCMODE) | (arg & ~Flag.O_ACCMODE);
                        using (var d = f.description.Value.Write())
                        {
                            d.Value.flags = new_flags;
                        }
                        return Result.Ok(0);
                    }
                    return Result.Err(Error.EINVAL);
                }
            }
        }

        /// <summary>
        /// `fevent(fd, flags)`: events already on for fd are first unregistered (with a line saying
        /// so); the scheme's fevent gives the event id, which the descriptor keeps and the registry
        /// gets for (scheme, event id) through fd.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Fevent(FileHandle fd, ulong flags)
        {
            FileDescriptor file;
            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    return Result.Err(Error.ESRCH);
                }
                using (var files = context.Value.files.Value.Lock())
                {
                    if (fd.Into() >= files.Value.Len() || files.Value[fd.Into()].IsNone)
                    {
                        return Result.Err(Error.EBADF);
                    }
                    ref FileDescriptor f = ref files.Value[fd.Into()];
                    using (var description = f.description.Value.Read())
                    {
                        if (f.has_event)
                        {
                            ulong event_id = f.event_id;
                            f.has_event = false;
                            f.event_id = 0;
                            using (var w = Kernel.arch.x86_64.debug.Writer.New())
                            {
                                fd.Debug(w);
                                w.Str(": ");
                                description.Value.scheme.Debug(w);
                                w.Str(":");
                                w.Dec(description.Value.number);
                                w.Str(": events already registered: ");
                                w.Dec(event_id);
                                w.Str("\n");
                            }
                            Kernel.context.@event.EventMod.Unregister(fd, description.Value.scheme, event_id);
                        }
                    }
                    file = f;
                    file.description = f.description.Clone();
                }
            }

            // The description stays read-locked to the end (the scheme's fevent and the registration), as the original's guard does.
            Result result;
            using (var d = file.description.Value.Read())
            {
                result = FeventLocked(fd, flags, d.Value);
            }
            DropDescriptor(file);
            return result;
        }

        /// <summary>fevent's body under the description's read lock.</summary>
        private static Result FeventLocked(FileHandle fd, ulong flags, FileDescription desc)
        {
            SchemeRef scheme;
            using (var schemes = SchemeList.Schemes())
            {
                SchemeRef* found = schemes.Value.Get(desc.scheme);
                if (found == null)
                {
                    return Result.Err(Error.EBADF);
                }
                scheme = *found;
                scheme.arc.Clone();
            }
            Result event_id_r = Dispatch.Fevent(scheme, desc.number, flags);
            DropScheme(scheme);
            if (!event_id_r.is_ok)
            {
                return event_id_r;
            }
            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    return Result.Err(Error.ESRCH);
                }
                using (var files = context.Value.files.Value.Lock())
                {
                    if (fd.Into() >= files.Value.Len() || files.Value[fd.Into()].IsNone)
                    {
                        return Result.Err(Error.EBADF);
                    }
                    ref FileDescriptor f = ref files.Value[fd.Into()];
                    f.has_event = true;
                    f.event_id = event_id_r.ok;
                }
            }
            Kernel.context.@event.EventMod.Register(fd, desc.scheme, event_id_r.ok);
            return Result.Ok(0);
        }

        /// <summary>
        /// `frename(fd, path)`: the path canonicalized and split at its first ':'; the scheme it names
        /// (ENODEV if none) must be fd's own (EXDEV otherwise), which renames fd's file to the rest.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Frename(FileHandle fd, byte* path, ulong path_len)
        {
            FileDescriptor file;
            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    return Result.Err(Error.ESRCH);
                }
                FileDescriptor? f = context.Value.GetFile(fd);
                if (!f.HasValue)
                {
                    return Result.Err(Error.EBADF);
                }
                file = f.GetValueOrDefault();
            }

            int errno = ResolveScheme(path, path_len, out ResolvedPath resolved);
            if (errno != 0)
            {
                DropDescriptor(file);
                return Result.Err(errno);
            }

            Result r;
            using (var description = file.description.Value.Read())
            {
                if (resolved.scheme_id.Into() == description.Value.scheme.Into())
                {
                    r = Dispatch.Frename(resolved.scheme, description.Value.number, resolved.reference, resolved.reference_len, resolved.uid, resolved.gid);
                }
                else
                {
                    r = Result.Err(Error.EXDEV);
                }
            }
            // reverse declaration order: the `description` guard (above), `scheme`, `path_canon`, then `file`
            resolved.Drop();
            DropDescriptor(file);
            return r;
        }

        /// <summary>`funmap(virtual_address)`: 0 for address 0; the current context's grant holding the address unmapped (EFAULT if none). No root check.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Funmap(ulong virtual_address) => Driver.UnmapGrant(virtual_address);

        /// <summary>
        /// `unlink(path)`: the path canonicalized; the scheme named before its first ':' (ENODEV if none
        /// in the effective namespace) unlinks the rest.
        /// </summary>
        public static Result Unlink(byte* path, ulong path_len) => PathCall(0, path, path_len, 0);

        /// <summary>`chmod(path, mode)`: as unlink, the scheme's chmod.</summary>
        public static Result Chmod(byte* path, ulong path_len, ushort mode) => PathCall(1, path, path_len, mode);

        /// <summary>`rmdir(path)`: as unlink, the scheme's rmdir.</summary>
        public static Result Rmdir(byte* path, ulong path_len) => PathCall(2, path, path_len, 0);

        /// <summary>unlink (0), chmod (1), rmdir (2): the path resolved as open resolves it, then the scheme's call.</summary>
        private static Result PathCall(int which, byte* path, ulong path_len, ushort mode)
        {
            int errno = ResolveScheme(path, path_len, out ResolvedPath resolved);
            if (errno != 0)
            {
                return Result.Err(errno);
            }
            Result r = which == 0 ? Dispatch.Unlink(resolved.scheme, resolved.reference, resolved.reference_len, resolved.uid, resolved.gid)
                : which == 1 ? Dispatch.Chmod(resolved.scheme, resolved.reference, resolved.reference_len, mode, resolved.uid, resolved.gid)
                : Dispatch.Rmdir(resolved.scheme, resolved.reference, resolved.reference_len, resolved.uid, resolved.gid);
            // the tail call's result kept, then the locals in reverse: `scheme` (the Arc), then `path_canon`
            resolved.Drop();
            return r;
        }

        /// <summary>
        /// A path as open, frename, unlink, chmod and rmdir resolve it: canonicalized by the current
        /// context, split at its first ':', the part before it looked up in the context's effective
        /// namespace. Holds the canonical path (which reference points into) and a clone of the scheme.
        /// </summary>
        private struct ResolvedPath
        {
            public Vec<byte> path_canon;
            public uint uid, gid;
            public byte* reference;
            public ulong reference_len;
            public SchemeId scheme_id;
            public SchemeRef scheme;

            /// <summary>The scheme's clone dropped, then the canonical path (the original's drop order).</summary>
            public void Drop()
            {
                DropScheme(scheme);
                path_canon.Dispose();
            }
        }

        /// <summary>
        /// The path resolution that each of fs.rs's path calls repeats (port helper): `let (path_canon,
        /// uid, gid, scheme_ns) = { contexts; current()?; canonicalize }`, `splitn(2, ':')`, and
        /// `schemes().get_name(ns, name)` cloned. 0, or ESRCH (nothing held) or ENODEV (the schemes lock
        /// released, then the canonical path freed); on 0 the caller owns `resolved` and ends with its Drop.
        /// </summary>
        private static int ResolveScheme(byte* path, ulong path_len, out ResolvedPath resolved)
        {
            resolved = default;
            SchemeNamespace scheme_ns;
            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    return Error.ESRCH;
                }
                resolved.path_canon = context.Value.Canonicalize(path, path_len);
                resolved.uid = context.Value.euid;
                resolved.gid = context.Value.egid;
                scheme_ns = context.Value.ens;
            }

            byte* p = resolved.path_canon.AsPtr();
            ulong len = resolved.path_canon.Len();
            long colon = Kernel.context.context.Context.IndexOf(p, len, (byte)':');
            ulong name_len = colon < 0 ? len : (ulong)colon;
            resolved.reference = colon < 0 ? p : p + colon + 1;
            resolved.reference_len = colon < 0 ? 0 : len - (ulong)colon - 1;

            bool found;
            using (var schemes = SchemeList.Schemes())
            {
                found = schemes.Value.GetName(scheme_ns, p, name_len, out resolved.scheme_id, out resolved.scheme);
                if (found)
                {
                    resolved.scheme.arc.Clone();
                }
            }
            if (!found)
            {
                // `get_name(..).ok_or(ENODEV)?` inside the block: the `schemes` guard is dropped first (innermost
                // scope), then the function's locals, path_canon among them
                resolved.path_canon.Dispose();
                return Error.ENODEV;
            }
            return 0;
        }
    }
}
