using alloc.btree_map;
using core.cmp;
using Kernel.common;
using spin;

namespace Kernel.scheme.@event
{
    /// <summary>scheme/event.rs: `event:`, a context's event queue (40 bytes, as the original's). Port note: constructed as the original's (its size and allocations); its operations are the
    /// Scheme trait's defaults until they are ported (scheme/mod.cs Dispatch).</summary>
    public unsafe struct EventScheme
    {
        public ulong next_id;
        public RwLock<OrdMap<Usize, ulong>> handles;

        public static EventScheme New()
        {
            EventScheme s;
            s.next_id = 0;
            s.handles = new RwLock<OrdMap<Usize, ulong>>(OrdMap<Usize, ulong>.New());
            return s;
        }
    }
}
