using alloc.vec;
using Kernel.arch.x86_64.device.cpu;
using syscall.error;
using AllocString = alloc.@string.String;

namespace Kernel.scheme.sys
{
    /// <summary>scheme/sys/cpu.rs: "CPUs: n" (a format! of 14 bytes' capacity), then device::cpu's description written into the same String.</summary>
    public static unsafe class CpuResource
    {
        public static Result Resource(ref Vec<byte> data)
        {
            AllocString s = AllocString.WithCapacity(AllocString.EstimatedCapacity(7, true, false));
            s.PushLit("CPUs: ");
            s.PushDec(Lib.CpuCount());
            s.PushLit("\n");
            CpuModule.CpuInfo(&s);
            data = s.IntoBytes();
            return Result.Ok(0);
        }
    }
}
