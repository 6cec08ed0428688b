namespace Harness.Loader;

/// <summary>
/// The fixed numbers of the loader, mirrored from <c>asm/layout.inc</c> (the
/// assembly is the authority; <see cref="LoaderAssembler"/> checks the assembled
/// binary against these). Physical addresses unless named otherwise.
/// </summary>
public static class LoaderLayout
{
    public const ulong BootAddress = 0x7C00;
    public const ulong StageTwoAddress = 0x7E00;
    public const ulong TrampolineAddress = 0x7E00;
    public const ulong ApEntryAddress = 0x8000;
    public const ulong ArgsAddress = 0x804E;
    public const ulong KernelReturnAddress = 0x87F4;
    public const ulong GdtAddress = 0x8840;
    public const ushort GdtrLimit = 0x19;
    public const ulong ConfigAddress = 0x9000;
    public const int ConfigSize = 0x5C00;

    /// <summary>Size of the assembled loader: boot sector plus stage two.</summary>
    public const int LoaderSize = 0x7000;

    /// <summary>Offset of the config block in the loader binary and the disk image.</summary>
    public const int ConfigImageOffset = (int)(ConfigAddress - BootAddress);

    public const ulong E820Address = 0x500;
    public const ulong E820End = 0x5000;
    public const int E820EntrySize = 24;
    public const int E820MaxEntries = (int)(E820End - E820Address) / E820EntrySize;
    public const ulong VbeCardInfoAddress = 0x5000;
    public const ulong VbeModeInfoAddress = 0x5200;

    public const ulong Pml4Address = 0x70000;
    public const ulong PdpAddress = 0x71000;
    public const ulong FirstPdAddress = 0x72000;

    public const ulong KernelPhysical = 0x100000;
    public const ulong KernelStackBase = 0xFFFFFF0000080000;
    public const ulong KernelStackSize = 0x1F000;

    public const int SectorSize = 512;
    /// <summary>The kernel starts at the first 4 KiB boundary after the loader.</summary>
    public const int KernelImageOffset = (LoaderSize + 4095) / 4096 * 4096;
    public const uint KernelLba = KernelImageOffset / SectorSize;
    /// <summary>SeaBIOS refuses very small disks; every image is at least this big.</summary>
    public const long MinimumImageSize = 4 * 1024 * 1024;

    public const int EnvironmentMax = 4096;

    public const ushort DebugconPort = 0xE9;
    public const ushort DebugExitPort = 0xF4;

    /// <summary>Config block fields: offsets from the start of the block.</summary>
    public static class Config
    {
        public static ReadOnlySpan<byte> Magic => "HXLDRCFG"u8;
        public const uint Version = 1;
        public const int MagicOffset = 0x00;
        public const int VersionOffset = 0x08;
        public const int FlagsOffset = 0x0C;
        public const int KernelLbaOffset = 0x10;
        public const int KernelSectorsOffset = 0x14;
        public const int KernelSizeOffset = 0x18;
        public const int VbeXOffset = 0x20;
        public const int VbeYOffset = 0x22;
        public const int EnvSizeOffset = 0x24;
        public const int E820CountOffset = 0x28;
        public const int EnvOffset = 0x40;
        public const int E820Offset = 0x1040;
        public const uint FlagVbe = 1u << 0;
        public const uint FlagExplicitE820 = 1u << 1;
    }
}

/// <summary>
/// The value the loader writes to isa-debug-exit when it gives up (QEMU then
/// exits with status <c>(value &lt;&lt; 1) | 1</c>); a text line naming the
/// error goes to the debugcon port first.
/// </summary>
public enum LoaderExitCode
{
    DiskRead = 0x31,
    NoVbeMode = 0x32,
    KernelTooBig = 0x33,
    BadConfig = 0x34,
}
