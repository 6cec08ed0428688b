using alloc.vec_deque;
using Kernel.sync.wait_condition;
using spin;

namespace Kernel.sync.wait_queue
{
    /// <summary>
    /// sync/wait_queue.rs: a queue (Mutex&lt;VecDeque&lt;T&gt;&gt;) and the condition its receivers wait on
    /// (72 bytes for any T, as the original's).
    /// </summary>
    public struct WaitQueue<T> where T : unmanaged
    {
        public Mutex<VecDeque<T>> inner;
        public WaitCondition condition;

        /// <summary>`WaitQueue::new()`: allocates nothing.</summary>
        public static WaitQueue<T> New()
        {
            WaitQueue<T> q;
            q.inner = new Mutex<VecDeque<T>>(VecDeque<T>.New());
            q.condition = WaitCondition.New();
            return q;
        }

        /// <summary>`is_empty`.</summary>
        public bool IsEmpty()
        {
            using (var g = inner.Lock())
            {
                return g.Value.IsEmpty();
            }
        }

        /// <summary>`receive()`: the first element, waiting on the condition (the context blocks) until one is sent.</summary>
        public T Receive()
        {
            while (true)
            {
                using (var g = inner.Lock())
                {
                    T? v = g.Value.PopFront();
                    if (v.HasValue)
                    {
                        return v.GetValueOrDefault();
                    }
                }
                condition.Wait();
            }
        }

        /// <summary>
        /// `receive_into(buf, block)`: with block, the first element is waited for (`receive`: the
        /// context blocks on the condition until one is sent); then as many as are queued, up to buf's length.
        /// </summary>
        public unsafe ulong ReceiveInto(T* buf, ulong buf_len, bool block)
        {
            ulong i = 0;
            if (i < buf_len && block)
            {
                buf[i] = Receive();
                i += 1;
            }
            using (var g = inner.Lock())
            {
                while (i < buf_len)
                {
                    T? v = g.Value.PopFront();
                    if (!v.HasValue)
                    {
                        break;
                    }
                    buf[i] = v.GetValueOrDefault();
                    i += 1;
                }
            }
            return i;
        }

        /// <summary>`send(value)`: queue it and wake the waiters; the queue's new length.</summary>
        public ulong Send(T value)
        {
            ulong len;
            using (var g = inner.Lock())
            {
                g.Value.PushBack(value);
                len = g.Value.Len();
            }
            condition.Notify();
            return len;
        }
    }
}
