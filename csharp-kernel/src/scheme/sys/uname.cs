using alloc.vec;
using syscall.error;

namespace Kernel.scheme.sys
{
    /// <summary>scheme/sys/uname.rs: "Redox", the kernel's version (its Cargo package: 0.3.5) and the target's architecture, blank lines between.</summary>
    public static class Uname
    {
        public static Result Resource(ref Vec<byte> data)
        {
            Res.Str(ref data, "Redox\n\n0.3.5\n\nx86_64\n");
            return Result.Ok(0);
        }
    }
}
