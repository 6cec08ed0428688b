using System.Buffers.Binary;

namespace Harness.Gdb;

/// <summary>
/// The registers of one <c>g</c> reply, read by name through the target description.
/// Values are little-endian, as the x86 stub sends them.
/// </summary>
public sealed class RegisterSet
{
    private readonly byte[] _data;

    /// <summary>Wraps the raw data of a <c>g</c> reply.</summary>
    public RegisterSet(TargetDescription description, byte[] data)
    {
        Description = description;
        _data = data;
    }

    /// <summary>The layout the data follows.</summary>
    public TargetDescription Description { get; }

    /// <summary>Names of the registers the reply covered (a stub may send fewer than described).</summary>
    public IEnumerable<string> Names => Description.Registers.Where(Covers).Select(r => r.Name);

    /// <summary>The value of a register of at most 64 bits, zero-extended.</summary>
    /// <exception cref="KeyNotFoundException">Unknown register, or one the reply did not cover.</exception>
    /// <exception cref="InvalidOperationException">The register is wider than 64 bits; use <see cref="GetBytes"/>.</exception>
    public ulong this[string name]
    {
        get
        {
            var info = Description[name];
            if (info.BitSize > 64)
            {
                throw new InvalidOperationException($"register '{name}' has {info.BitSize} bits; read it with GetBytes");
            }
            // Read in place (a stop reads a dozen registers; no copy per read).
            return Covers(info)
                ? ToUInt64(_data.AsSpan(info.Offset, info.ByteSize))
                : throw new KeyNotFoundException($"the g reply ({_data.Length} bytes) does not cover register '{name}'");
        }
    }

    /// <summary>True when the reply covered <paramref name="name"/>.</summary>
    public bool Contains(string name) => Description.TryGet(name, out var info) && Covers(info);

    /// <summary>The raw little-endian bytes of a register.</summary>
    /// <exception cref="KeyNotFoundException">Unknown register, or one the reply did not cover.</exception>
    public byte[] GetBytes(string name)
    {
        var info = Description[name];
        return Covers(info)
            ? _data.AsSpan(info.Offset, info.ByteSize).ToArray()
            : throw new KeyNotFoundException($"the g reply ({_data.Length} bytes) does not cover register '{name}'");
    }

    /// <summary>Zero-extends up to 8 little-endian bytes.</summary>
    internal static ulong ToUInt64(ReadOnlySpan<byte> bytes)
    {
        Span<byte> buffer = stackalloc byte[8];
        buffer.Clear();
        bytes[..Math.Min(8, bytes.Length)].CopyTo(buffer);
        return BinaryPrimitives.ReadUInt64LittleEndian(buffer);
    }

    private bool Covers(RegisterInfo info) => info.Offset + info.ByteSize <= _data.Length;
}
