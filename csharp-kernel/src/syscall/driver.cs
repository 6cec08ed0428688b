using System.Runtime.CompilerServices;
using Kernel.arch.x86_64.interrupt;
using Kernel.context;
using spin;
using syscall.error;

namespace Kernel.syscall
{
    /// <summary>
    /// syscall/driver.rs: the calls for drivers (root only). Ported so far: `iopl`. Port note: physalloc,
    /// physfree, physmap, physunmap and virttophys still end the boot through the dispatcher's "not
    /// ported yet".
    /// </summary>
    public static unsafe class Driver
    {
        /// <summary>`enforce_root()`: Ok for effective uid 0, else EPERM (ESRCH outside of a context).</summary>
        public static Result EnforceRoot()
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
                    if (context.Value.euid == 0)
                    {
                        return Result.Ok(0);
                    }
                    return Result.Err(Error.EPERM);
                }
            }
        }

        /// <summary>
        /// `iopl(level, stack)`: root only; a level above 3 is EINVAL; else the I/O privilege level
        /// bits (12-13) of the RFLAGS the system call returns with become the level.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Iopl(ulong level, SyscallStack* stack)
        {
            Result root = EnforceRoot();
            if (!root.is_ok)
            {
                return root;
            }

            if (level > 3)
            {
                return Result.Err(Error.EINVAL);
            }

            stack->rflags = (stack->rflags & ~(3UL << 12)) | ((level & 3) << 12);

            return Result.Ok(0);
        }
    }
}
