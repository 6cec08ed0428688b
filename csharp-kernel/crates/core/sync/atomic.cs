using Kernel.Hal;

namespace core.sync.atomic
{
    /// <summary>core::sync::atomic::AtomicUsize: every access a sequentially consistent one.</summary>
    public struct AtomicUsize
    {
        private nuint value;

        public AtomicUsize(nuint v) { value = v; }

        public unsafe nuint Load()
        {
            fixed (nuint* p = &value) { return (nuint)Atomic.Load((ulong*)p); }
        }

        public unsafe void Store(nuint v)
        {
            fixed (nuint* p = &value) { Atomic.Store((ulong*)p, v); }
        }

        public unsafe nuint FetchAdd(nuint v)
        {
            fixed (nuint* p = &value) { return (nuint)Atomic.FetchAdd((ulong*)p, v); }
        }
    }

    /// <summary>core::sync::atomic::AtomicBool.</summary>
    public struct AtomicBool
    {
        private nuint value;

        public AtomicBool(bool v) { value = v ? 1u : 0u; }

        public unsafe bool Load()
        {
            fixed (nuint* p = &value) { return Atomic.Load((ulong*)p) != 0; }
        }

        public unsafe void Store(bool v)
        {
            fixed (nuint* p = &value) { Atomic.Store((ulong*)p, v ? 1ul : 0ul); }
        }
    }
}
