namespace Kernel.Hal
{
    /// <summary>The host's stand-in for asm/ap.asm's AP entry stub: a fixed, recognisable address.</summary>
    public static class ApEntry
    {
        public const ulong HostAddress = 0xFFFF_FF00_00AB_C000;

        public static ulong Address() => HostAddress;
    }
}
