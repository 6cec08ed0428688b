using syscall.data;
using syscall.error;

namespace Kernel.scheme.memory
{
    /// <summary>
    /// scheme/memory.rs: `memory:`, physical memory statistics (zero-sized: its Box allocates
    /// nothing). Any path opens handle 0; fstatvfs gives 4096-byte blocks, used + free frames in
    /// all, the free ones free and available. Its other file calls are the trait's defaults
    /// (read, write, fmap …: EBADF).
    /// </summary>
    public unsafe struct MemoryScheme
    {
        public static Result Open() => Result.Ok(0);

        public static Result Fstatvfs(StatVfs* stat)
        {
            ulong used = Kernel.memory.Memory.UsedFrames();
            ulong free = Kernel.memory.Memory.FreeFrames();

            stat->f_bsize = 4096;
            stat->f_blocks = used + free;
            stat->f_bfree = free;
            stat->f_bavail = stat->f_bfree;

            return Result.Ok(0);
        }

        public static Result Fcntl() => Result.Ok(0);

        /// <summary>`fpath`: "memory:", cut to the buffer.</summary>
        public static Result Fpath(byte* buf, ulong len) => Result.Ok(SchemePath.Copy(buf, len, "memory:"));

        public static Result Close() => Result.Ok(0);
    }
}
