using alloc.vec;

namespace alloc.btree_map
{
    /// <summary>
    /// A stand-in for liballoc's `BTreeMap&lt;K, V&gt;`: the same ordered-map behaviour (insert
    /// replaces and hands back the old value, get/remove by key, iteration in key order) over a
    /// sorted `Vec` of entries on the kernel heap. The ordering is a function given at creation.
    /// Its allocations are not the B-tree's nodes (a known heap-layout divergence: see the ACPI
    /// report); the map is only used by the ACPI code.
    /// </summary>
    public unsafe struct BTreeMap<K, V> where K : unmanaged where V : unmanaged
    {
        public struct Entry
        {
            public K key;
            public V value;
        }

        internal Vec<Entry> entries;
        internal delegate*<K*, K*, int> compare;

        /// <summary>`BTreeMap::new()` with the keys' `Ord`.</summary>
        public static BTreeMap<K, V> New(delegate*<K*, K*, int> compare)
        {
            BTreeMap<K, V> m;
            m.entries = Vec<Entry>.New();
            m.compare = compare;
            return m;
        }

        public readonly ulong Len() => entries.Len();

        /// <summary>Entry i in key order.</summary>
        public readonly Entry* At(ulong i) => entries.AsPtr() + i;

        /// <summary>Index of the key, or ~(insertion point) when absent.</summary>
        private readonly long Search(K* key)
        {
            ulong lo = 0;
            ulong hi = entries.Len();
            Entry* p = entries.AsPtr();
            while (lo < hi)
            {
                ulong mid = (lo + hi) / 2;
                int c = compare(&p[mid].key, key);
                if (c == 0)
                {
                    return (long)mid;
                }
                if (c < 0)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }
            return ~(long)lo;
        }

        /// <summary>`get(&amp;key)`: a pointer to the value, null when absent.</summary>
        public readonly V* Get(K* key)
        {
            long i = Search(key);
            return i >= 0 ? &entries.AsPtr()[i].value : null;
        }

        /// <summary>
        /// `insert(key, value)`: a new key is stored; for an existing key the value is replaced, the
        /// old value handed back in <paramref name="old"/> and the given key handed back in
        /// <paramref name="unused_key"/> (the map keeps its own key, as BTreeMap does) for the caller to drop.
        /// </summary>
        public bool Insert(K key, V value, out V old, out K unused_key)
        {
            long i = Search(&key);
            if (i >= 0)
            {
                Entry* e = &entries.AsPtr()[i];
                old = e->value;
                e->value = value;
                unused_key = key;
                return true;
            }
            Entry n;
            n.key = key;
            n.value = value;
            entries.Insert((ulong)~i, n);
            old = default;
            unused_key = default;
            return false;
        }

        /// <summary>`remove(&amp;key)`: the removed entry, false when absent.</summary>
        public bool Remove(K* key, out Entry removed)
        {
            long i = Search(key);
            if (i < 0)
            {
                removed = default;
                return false;
            }
            removed = entries.Remove((ulong)i);
            return true;
        }

        /// <summary>Frees the entry storage (the caller drops keys and values first).</summary>
        public void Dispose() => entries.Dispose();
    }
}
