namespace Kernel.arch.x86_64.paging
{
    /// <summary>A physical address.</summary>
    public struct PhysicalAddress
    {
        private readonly ulong value;

        public PhysicalAddress(ulong address) { value = address; }

        public readonly ulong Get() => value;
    }

    /// <summary>A virtual address.</summary>
    public struct VirtualAddress
    {
        private readonly ulong value;

        public VirtualAddress(ulong address) { value = address; }

        public readonly ulong Get() => value;
    }

    /// <summary>paging/mod.rs.</summary>
    public static class Paging
    {
        /// <summary>Number of entries per page table.</summary>
        public const ulong ENTRY_COUNT = 512;

        /// <summary>Size of pages.</summary>
        public const ulong PAGE_SIZE = 4096;
    }
}
