using alloc.btree_map;
using core.cmp;
using Kernel.sync.wait_condition;
using spin;

namespace Kernel.sync.wait_map
{
    /// <summary>
    /// sync/wait_map.rs: a map (Mutex&lt;BTreeMap&lt;K, V&gt;&gt;) and the condition its receivers wait on
    /// (64 bytes, as the original's).
    /// </summary>
    public unsafe struct WaitMap<K, V> where K : unmanaged, IOrd<K> where V : unmanaged
    {
        public Mutex<OrdMap<K, V>> inner;
        public WaitCondition condition;

        /// <summary>`WaitMap::new()`: allocates nothing.</summary>
        public static WaitMap<K, V> New()
        {
            WaitMap<K, V> m;
            m.inner = new Mutex<OrdMap<K, V>>(OrdMap<K, V>.New());
            m.condition = WaitCondition.New();
            return m;
        }

        /// <summary>`receive_nonblock(&amp;key)`.</summary>
        public bool ReceiveNonblock(K key, out V value)
        {
            using (var g = inner.Lock())
            {
                bool found = g.Value.Remove(key, out OrdMap<K, V>.Entry e);
                value = e.value;
                return found;
            }
        }

        /// <summary>`receive(&amp;key)`: waits on the condition until the key's value is sent.</summary>
        public V Receive(K key)
        {
            while (true)
            {
                if (ReceiveNonblock(key, out V value))
                {
                    return value;
                }
                condition.Wait();
            }
        }

        /// <summary>`receive_any_nonblock()`: the entry of the smallest key, if any.</summary>
        public bool ReceiveAnyNonblock(out K key, out V value)
        {
            using (var g = inner.Lock())
            {
                if (g.Value.Len() == 0)
                {
                    key = default;
                    value = default;
                    return false;
                }
                K first = g.Value.At(0)->key;
                g.Value.Remove(first, out OrdMap<K, V>.Entry e);
                key = e.key;
                value = e.value;
                return true;
            }
        }

        /// <summary>`receive_any()`: waits until some entry is sent.</summary>
        public void ReceiveAny(out K key, out V value)
        {
            while (!ReceiveAnyNonblock(out key, out value))
            {
                condition.Wait();
            }
        }

        /// <summary>`receive_all()`: the whole map, the WaitMap left empty.</summary>
        public OrdMap<K, V> ReceiveAll()
        {
            using (var g = inner.Lock())
            {
                OrdMap<K, V> all = g.Value;
                g.Value = OrdMap<K, V>.New();
                return all;
            }
        }

        /// <summary>`send(key, value)`.</summary>
        public void Send(K key, V value)
        {
            using (var g = inner.Lock())
            {
                g.Value.Insert(key, value, out _, out _);
            }
            condition.Notify();
        }
    }
}
