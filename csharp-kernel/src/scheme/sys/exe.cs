using alloc.vec;
using Kernel.context;
using spin;
using syscall.error;

namespace Kernel.scheme.sys
{
    /// <summary>scheme/sys/exe.rs: the current context's name and a newline.</summary>
    public static unsafe class Exe
    {
        public static Result Resource(ref Vec<byte> data)
        {
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    return Result.Err(Error.ESRCH);
                }
                using (var context = context_lock->Value.Read())
                {
                    using (var name = context.Value.name.Value.Lock())
                    {
                        for (ulong i = 0; i < name.Value.len; i++)
                        {
                            data.Push(name.Value.ptr[i]);
                        }
                    }
                }
            }
            data.Push((byte)'\n');
            return Result.Ok(0);
        }
    }
}
