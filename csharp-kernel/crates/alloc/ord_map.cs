using alloc.allocator;
using core.cmp;
using Kernel;
using AllocHeap = alloc.heap.Heap;

namespace alloc.btree_map
{
    /// <summary>
    /// The kernel's `BTreeMap&lt;K, V&gt;` for keys with an <see cref="IOrd{T}"/>: the same ordered-map
    /// behaviour (insert replaces and hands back the old value, get/remove by key, iteration in key
    /// order) over a sorted `Vec` of entries. 24 bytes, as the original's map (root, height, length),
    /// so that the structures holding one keep their sizes; empty, it owns no memory. Its first
    /// allocation is the size of the B-tree's first leaf node (today's liballoc, the rebuilt
    /// original's: parent pointer, parent_idx and len as u16, 11 keys, 11 values, repr(C)), so that
    /// a map of up to 11 entries takes the heap space the original's takes; past 11 entries the
    /// storage doubles (the B-tree would split into nodes: heap contents are compared only by growth,
    /// traces/divergences.toml).
    /// </summary>
    public unsafe struct OrdMap<K, V> where K : unmanaged, IOrd<K> where V : unmanaged
    {
        public struct Entry
        {
            public K key;
            public V value;
        }

        internal Entry* ptr;
        internal ulong cap;
        internal ulong len;

        /// <summary>The B-tree's node capacity (2 × B - 1, B = 6).</summary>
        public const ulong CAPACITY = 11;

        /// <summary>`BTreeMap::new()`: allocates nothing.</summary>
        public static OrdMap<K, V> New()
        {
            OrdMap<K, V> m;
            m.ptr = null;
            m.cap = 0;
            m.len = 0;
            return m;
        }

        /// <summary>size_of LeafNode&lt;K, V&gt; (repr(C)): 8 + 2 + 2, keys aligned, 11 keys, values aligned, 11 values, rounded to the alignment.</summary>
        public static ulong LeafSize()
        {
            ulong align = LeafAlign();
            ulong k_align = Layout.AlignOf<K>();
            ulong v_align = Layout.AlignOf<V>();
            ulong size = 12;
            size = (size + k_align - 1) & ~(k_align - 1);
            size += CAPACITY * (ulong)sizeof(K);
            size = (size + v_align - 1) & ~(v_align - 1);
            size += CAPACITY * (ulong)sizeof(V);
            size = (size + align - 1) & ~(align - 1);
            // The port's entries are (key, value) pairs: never less room than 11 of them.
            ulong entries = CAPACITY * (ulong)sizeof(Entry);
            return size > entries ? size : entries;
        }

        private static ulong LeafAlign()
        {
            ulong align = 8;
            ulong k_align = Layout.AlignOf<K>();
            ulong v_align = Layout.AlignOf<V>();
            if (k_align > align) align = k_align;
            if (v_align > align) align = v_align;
            return align;
        }

        private readonly Layout CurrentLayout()
        {
            if (cap == CAPACITY)
            {
                return Layout.FromSizeAlignUnchecked(LeafSize(), LeafAlign());
            }
            return Layout.FromSizeAlignUnchecked(cap * (ulong)sizeof(Entry), LeafAlign());
        }

        /// <summary>Room for one more entry: the first leaf's worth, then twice the capacity.</summary>
        private void Grow()
        {
            if (cap == 0)
            {
                AllocResult res = AllocHeap.Alloc(Layout.FromSizeAlignUnchecked(LeafSize(), LeafAlign()));
                if (!res.is_ok)
                {
                    AllocHeap.Oom(res.err);
                }
                ptr = (Entry*)res.ok;
                cap = CAPACITY;
                return;
            }
            ulong new_cap = cap * 2;
            AllocResult r = AllocHeap.Realloc((byte*)ptr, CurrentLayout(), Layout.FromSizeAlignUnchecked(new_cap * (ulong)sizeof(Entry), LeafAlign()));
            if (!r.is_ok)
            {
                AllocHeap.Oom(r.err);
            }
            ptr = (Entry*)r.ok;
            cap = new_cap;
        }

        public readonly ulong Len() => len;

        public readonly bool IsEmpty() => len == 0;

        /// <summary>Entry i in key order (iteration).</summary>
        public readonly Entry* At(ulong i) => ptr + i;

        /// <summary>Index of the key, or ~(insertion point) when absent.</summary>
        private readonly long Search(K* key)
        {
            ulong lo = 0;
            ulong hi = len;
            Entry* p = ptr;
            while (lo < hi)
            {
                ulong mid = (lo + hi) / 2;
                int c = K.Cmp(&p[mid].key, key);
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
        public readonly V* Get(K key)
        {
            long i = Search(&key);
            return i >= 0 ? &ptr[i].value : null;
        }

        /// <summary>`contains_key(&amp;key)`.</summary>
        public readonly bool ContainsKey(K key) => Search(&key) >= 0;

        /// <summary>
        /// `insert(key, value)`: true and the old value when the key was present (the map keeps its
        /// own key; the given one comes back in <paramref name="unused_key"/> for the caller to drop).
        /// </summary>
        public bool Insert(K key, V value, out V old, out K unused_key)
        {
            long i = Search(&key);
            if (i >= 0)
            {
                Entry* e = &ptr[i];
                old = e->value;
                e->value = value;
                unused_key = key;
                return true;
            }
            Entry n;
            n.key = key;
            n.value = value;
            if (len == cap)
            {
                Grow();
            }
            ulong at = (ulong)~i;
            for (ulong k = len; k > at; k--)
            {
                ptr[k] = ptr[k - 1];
            }
            ptr[at] = n;
            len += 1;
            old = default;
            unused_key = default;
            return false;
        }

        /// <summary>`insert` whose old value (if any) is not wanted: true when the key was new.</summary>
        public bool InsertNew(K key, V value)
        {
            return !Insert(key, value, out _, out _);
        }

        /// <summary>`remove(&amp;key)`: the removed entry, false when absent.</summary>
        public bool Remove(K key, out Entry removed)
        {
            long i = Search(&key);
            if (i < 0)
            {
                removed = default;
                return false;
            }
            removed = ptr[i];
            for (ulong k = (ulong)i; k + 1 < len; k++)
            {
                ptr[k] = ptr[k + 1];
            }
            len -= 1;
            return true;
        }

        /// <summary>Frees the entry storage (the caller drops keys and values first).</summary>
        public void Dispose()
        {
            if (cap != 0)
            {
                AllocHeap.Dealloc((byte*)ptr, CurrentLayout());
            }
            ptr = null;
            cap = 0;
            len = 0;
        }
    }
}
