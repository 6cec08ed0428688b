using alloc.btree_map;
using core.cmp;
using Kernel.common;
using spin;

namespace Kernel.scheme.root
{
    /// <summary>scheme/root.rs: `:`, where processes create schemes (56 bytes, as the original's). Port note: constructed as the original's (its size and allocations); its operations are the
    /// Scheme trait's defaults until they are ported (scheme/mod.cs Dispatch).</summary>
    public unsafe struct RootScheme
    {
        public SchemeNamespace scheme_ns;
        public SchemeId scheme_id;
        public ulong next_id;
        public RwLock<OrdMap<Usize, ulong>> handles;

        public static RootScheme New(SchemeNamespace scheme_ns, SchemeId scheme_id)
        {
            RootScheme s;
            s.scheme_ns = scheme_ns;
            s.scheme_id = scheme_id;
            s.next_id = 0;
            s.handles = new RwLock<OrdMap<Usize, ulong>>(OrdMap<Usize, ulong>.New());
            return s;
        }
    }
}
