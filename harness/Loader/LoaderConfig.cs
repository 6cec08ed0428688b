namespace Harness.Loader;

/// <summary>What the loader hands a kernel: everything a boot varies in.</summary>
public sealed record LoaderConfig
{
    /// <summary>The kernel ELF file, loaded raw to 0x100000.</summary>
    public required KernelFile Kernel { get; init; }

    /// <summary>
    /// The kernel slot: when given, the image holds the kernel padded with zeros to
    /// this many bytes, all of it is loaded, and <c>kernel_size</c> reports it.
    /// Must be at least the file size and a multiple of 4 KiB. Null: the file size.
    /// </summary>
    public ulong? KernelSlot { get; init; }

    /// <summary>The VBE resolution to set (32 bits per pixel); null skips VBE entirely.</summary>
    public VbeResolution? Vbe { get; init; } = VbeResolution.Default;

    /// <summary>The environment block copied onto the top of the kernel stack (at most 4 KiB).</summary>
    public ReadOnlyMemory<byte> Environment { get; init; } = ReadOnlyMemory<byte>.Empty;

    /// <summary>An explicit E820 map written at 0x500 (at most 800 entries); null asks the BIOS.</summary>
    public IReadOnlyList<E820Entry>? MemoryMap { get; init; }
}

/// <summary>A kernel file: its bytes and a name for messages (the path when read from disk).</summary>
public sealed record KernelFile(string Name, ReadOnlyMemory<byte> Bytes)
{
    public static KernelFile Read(string path)
    {
        try
        {
            return new KernelFile(path, File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LoaderException($"kernel {path}: cannot read: {e.Message}", e);
        }
    }
}

/// <summary>A VBE resolution; the loader takes the first mode of that size with at least 32 bits per pixel.</summary>
public sealed record VbeResolution(ushort Width, ushort Height)
{
    public static VbeResolution Default { get; } = new(1024, 768);
    public override string ToString() => $"{Width}x{Height}x32";
}

/// <summary>One E820 entry as the kernel reads it: base, length, type, ACPI attributes.</summary>
public readonly record struct E820Entry(ulong Base, ulong Length, uint Type, uint Acpi = 0);

/// <summary>A configuration the loader cannot boot, or a loader that cannot be built.</summary>
public sealed class LoaderException : Exception
{
    public LoaderException(string message) : base(message) { }
    public LoaderException(string message, Exception inner) : base(message, inner) { }
}
