namespace Kernel.arch.x86_64.pti
{
    /// <summary>
    /// pti.rs as built with the `pti` feature off (the default): entering and leaving the kernel
    /// switch nothing. (With `pti`, PTI_CPU_STACK and PTI_CONTEXT_STACK would be thread locals and
    /// these would switch stacks; that build is not the one reproduced.)
    /// </summary>
    public static class Pti
    {
        public static void Map() { }

        public static void Unmap() { }
    }
}
