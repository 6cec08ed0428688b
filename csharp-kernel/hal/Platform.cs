namespace Kernel.Hal
{
    /// <summary>What kind of machine the port runs on. The host build (tests/Kernel.Tests/Host) says false.</summary>
    public static class Platform
    {
        /// <summary>
        /// The page tables are reachable through the recursive mapping (PML4[511]) and the kernel's
        /// stack and image can be read: true on the bare-metal kernel only. Code that walks page
        /// tables or the stack on its own (a panic's stack trace) checks this first.
        /// </summary>
        public static bool IsBareMetal => true;
    }
}
