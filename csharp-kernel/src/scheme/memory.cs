using alloc.btree_map;
using core.cmp;
using Kernel.common;
using spin;

namespace Kernel.scheme.memory
{
    /// <summary>scheme/memory.rs: `memory:`, physical memory (zero-sized: its Box allocates nothing). Port note: constructed as the original's (its size and allocations); its operations are the
    /// Scheme trait's defaults until they are ported (scheme/mod.cs Dispatch).</summary>
    public unsafe struct MemoryScheme
    {

    }
}
