using alloc.vec;
using syscall.error;

namespace Kernel.scheme.sys
{
    /// <summary>scheme/sys/uname.rs: "Redox", the kernel's version (its Cargo package: 0.1.33, not the release tag) and the target's architecture, blank lines between.</summary>
    public static class Uname
    {
        public static Result Resource(ref Vec<byte> data)
        {
            Res.Str(ref data, "Redox\n\n0.1.33\n\nx86_64\n");
            return Result.Ok(0);
        }
    }
}
