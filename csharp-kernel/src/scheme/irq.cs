using alloc.btree_map;
using core.cmp;
using Kernel.common;
using spin;

namespace Kernel.scheme.irq
{
    /// <summary>scheme/irq.rs: `irq:`, interrupts handled in userspace (zero-sized: its Box allocates nothing). Port note: constructed as the original's (its size and allocations); its operations are the
    /// Scheme trait's defaults until they are ported (scheme/mod.cs Dispatch).</summary>
    public unsafe struct IrqScheme
    {
        public static SchemeId IRQ_SCHEME_ID;

        public static void New(SchemeId scheme_id)
        {
            IRQ_SCHEME_ID = scheme_id;
        }
    }
}
