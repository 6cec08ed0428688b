namespace Kernel.consts
{
    /// <summary>
    /// consts.rs: the virtual memory map, defined in one place. The lower 256 PML4 entries are
    /// userspace; each PML4 entry covers 512 GiB; PML4 511 is the recursive mapping and 510 the kernel.
    /// </summary>
    public static class Consts
    {
        /// <summary>The size of a single PML4.</summary>
        public const ulong PML4_SIZE = 0x0000_0080_0000_0000;
        public const ulong PML4_MASK = 0x0000_ff80_0000_0000;

        /// <summary>Offset of recursive paging.</summary>
        public const ulong RECURSIVE_PAGE_OFFSET = unchecked((ulong)(-(long)PML4_SIZE));
        public const ulong RECURSIVE_PAGE_PML4 = (RECURSIVE_PAGE_OFFSET & PML4_MASK) / PML4_SIZE;

        /// <summary>Offset of kernel.</summary>
        public const ulong KERNEL_OFFSET = RECURSIVE_PAGE_OFFSET - PML4_SIZE;
        public const ulong KERNEL_PML4 = (KERNEL_OFFSET & PML4_MASK) / PML4_SIZE;

        /// <summary>Offset to kernel heap.</summary>
        public const ulong KERNEL_HEAP_OFFSET = KERNEL_OFFSET - PML4_SIZE;
        public const ulong KERNEL_HEAP_PML4 = (KERNEL_HEAP_OFFSET & PML4_MASK) / PML4_SIZE;

        /// <summary>Size of kernel heap: 1 MiB.</summary>
        public const ulong KERNEL_HEAP_SIZE = 1 * 1024 * 1024;

        /// <summary>Offset to kernel percpu variables (0.3.5 keeps them below 4 GiB, at 3 GiB).</summary>
        public const ulong KERNEL_PERCPU_OFFSET = 0xC000_0000;

        /// <summary>Size of kernel percpu variables: 64 KiB.</summary>
        public const ulong KERNEL_PERCPU_SIZE = 64 * 1024;

        /// <summary>Offset to user image.</summary>
        public const ulong USER_OFFSET = 0;
        public const ulong USER_PML4 = (USER_OFFSET & PML4_MASK) / PML4_SIZE;

        /// <summary>Offset to user TCB.</summary>
        public const ulong USER_TCB_OFFSET = 0xB000_0000;

        /// <summary>Offset to user arguments.</summary>
        public const ulong USER_ARG_OFFSET = USER_OFFSET + PML4_SIZE / 2;

        /// <summary>Offset to user heap.</summary>
        public const ulong USER_HEAP_OFFSET = USER_OFFSET + PML4_SIZE;
        public const ulong USER_HEAP_PML4 = (USER_HEAP_OFFSET & PML4_MASK) / PML4_SIZE;

        /// <summary>Offset to user grants.</summary>
        public const ulong USER_GRANT_OFFSET = USER_HEAP_OFFSET + PML4_SIZE;
        public const ulong USER_GRANT_PML4 = (USER_GRANT_OFFSET & PML4_MASK) / PML4_SIZE;

        /// <summary>Offset to user stack.</summary>
        public const ulong USER_STACK_OFFSET = USER_GRANT_OFFSET + PML4_SIZE;
        public const ulong USER_STACK_PML4 = (USER_STACK_OFFSET & PML4_MASK) / PML4_SIZE;

        /// <summary>Size of user stack: 1 MiB.</summary>
        public const ulong USER_STACK_SIZE = 1024 * 1024;

        /// <summary>Offset to user sigstack.</summary>
        public const ulong USER_SIGSTACK_OFFSET = USER_STACK_OFFSET + PML4_SIZE;
        public const ulong USER_SIGSTACK_PML4 = (USER_SIGSTACK_OFFSET & PML4_MASK) / PML4_SIZE;

        /// <summary>Size of user sigstack: 256 KiB.</summary>
        public const ulong USER_SIGSTACK_SIZE = 256 * 1024;

        /// <summary>Offset to user TLS.</summary>
        public const ulong USER_TLS_OFFSET = USER_SIGSTACK_OFFSET + PML4_SIZE;
        public const ulong USER_TLS_PML4 = (USER_TLS_OFFSET & PML4_MASK) / PML4_SIZE;

        /// <summary>Offset to user temporary image (used when cloning).</summary>
        public const ulong USER_TMP_OFFSET = USER_TLS_OFFSET + PML4_SIZE;
        public const ulong USER_TMP_PML4 = (USER_TMP_OFFSET & PML4_MASK) / PML4_SIZE;

        /// <summary>Offset to user temporary heap (used when cloning).</summary>
        public const ulong USER_TMP_HEAP_OFFSET = USER_TMP_OFFSET + PML4_SIZE;
        public const ulong USER_TMP_HEAP_PML4 = (USER_TMP_HEAP_OFFSET & PML4_MASK) / PML4_SIZE;

        /// <summary>Offset to user temporary page for grants.</summary>
        public const ulong USER_TMP_GRANT_OFFSET = USER_TMP_HEAP_OFFSET + PML4_SIZE;
        public const ulong USER_TMP_GRANT_PML4 = (USER_TMP_GRANT_OFFSET & PML4_MASK) / PML4_SIZE;

        /// <summary>Offset to user temporary stack (used when cloning).</summary>
        public const ulong USER_TMP_STACK_OFFSET = USER_TMP_GRANT_OFFSET + PML4_SIZE;
        public const ulong USER_TMP_STACK_PML4 = (USER_TMP_STACK_OFFSET & PML4_MASK) / PML4_SIZE;

        /// <summary>Offset to user temporary sigstack (used when cloning).</summary>
        public const ulong USER_TMP_SIGSTACK_OFFSET = USER_TMP_STACK_OFFSET + PML4_SIZE;
        public const ulong USER_TMP_SIGSTACK_PML4 = (USER_TMP_SIGSTACK_OFFSET & PML4_MASK) / PML4_SIZE;

        /// <summary>Offset to user temporary tls (used when cloning).</summary>
        public const ulong USER_TMP_TLS_OFFSET = USER_TMP_SIGSTACK_OFFSET + PML4_SIZE;
        public const ulong USER_TMP_TLS_PML4 = (USER_TMP_TLS_OFFSET & PML4_MASK) / PML4_SIZE;

        /// <summary>Offset for usage in other temporary pages.</summary>
        public const ulong USER_TMP_MISC_OFFSET = USER_TMP_TLS_OFFSET + PML4_SIZE;
        public const ulong USER_TMP_MISC_PML4 = (USER_TMP_MISC_OFFSET & PML4_MASK) / PML4_SIZE;
    }
}
