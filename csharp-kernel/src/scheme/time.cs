using alloc.btree_map;
using core.cmp;
using Kernel.common;
using spin;

namespace Kernel.scheme.time
{
    /// <summary>scheme/time.rs: `time:`, clocks and timeouts (48 bytes, as the original's). Port note: constructed as the original's (its size and allocations); its operations are the
    /// Scheme trait's defaults until they are ported (scheme/mod.cs Dispatch).</summary>
    public unsafe struct TimeScheme
    {
        public SchemeId scheme_id;
        public ulong next_id;
        public RwLock<OrdMap<Usize, ulong>> handles;

        public static TimeScheme New(SchemeId scheme_id)
        {
            TimeScheme s;
            s.scheme_id = scheme_id;
            s.next_id = 0;
            s.handles = new RwLock<OrdMap<Usize, ulong>>(OrdMap<Usize, ulong>.New());
            return s;
        }
    }
}
