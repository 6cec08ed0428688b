using System.Buffers.Binary;
using Harness.Observe.Map;

namespace Harness.Observe;

/// <summary>
/// Lists a kernel collection's entries from outside, through memory reads only, generic over its layout as the map
/// describes it (<see cref="CollectionLayout"/>): a Rust <c>BTreeMap</c> walked in key order (one read per node) or a
/// contiguous array (one read for all its elements). The entries come back as raw key and value bytes.
/// </summary>
internal static class KernelCollections
{
    /// <summary>Reads <c>length</c> bytes of kernel memory at an address.</summary>
    public delegate Task<byte[]> Reader(ulong address, int length, CancellationToken ct);

    /// <summary>The most entries a collection may claim before the walk calls the map's offsets wrong.</summary>
    public const int MaxEntries = 65_536;

    private const int MaxHeight = 32;

    /// <summary>
    /// The entries of the collection whose first bytes are <paramref name="header"/> (from its start: enough bytes to hold
    /// the layout's root, height and length, or pointer and count), in the collection's order.
    /// </summary>
    public static async Task<List<(byte[] Key, byte[] Value)>> ListAsync(CollectionLayout layout, ReadOnlyMemory<byte> header, Reader read, string what,
        CancellationToken ct)
    {
        var list = new List<(byte[], byte[])>();
        switch (layout)
        {
            case BTreeLayout b:
            {
                var root = U64(header.Span, b.Root);
                var height = U64(header.Span, b.Height);
                var length = U64(header.Span, b.Length);
                if (root == 0)
                {
                    if (length != 0) throw Wrong(what, $"an empty B-tree (root 0) claims {length} entries");
                    return list;
                }
                if (height > MaxHeight || length > MaxEntries) throw Wrong(what, $"a B-tree of height {height} claims {length} entries");
                await NodeAsync(b, root, (int)height, list, read, what, ct).ConfigureAwait(false);
                if ((ulong)list.Count != length) throw Wrong(what, $"the B-tree's nodes hold {list.Count} entries, its length says {length}");
                return list;
            }
            case ArrayLayout a:
            {
                var ptr = U64(header.Span, a.Ptr);
                var len = U64(header.Span, a.Len);
                if (len > MaxEntries) throw Wrong(what, $"an array claims {len} entries");
                if (len == 0) return list;
                var bytes = await read(ptr, (int)len * a.Stride, ct).ConfigureAwait(false);
                for (var i = 0; i < (int)len; i++)
                {
                    var e = bytes.AsMemory(i * a.Stride, a.Stride);
                    list.Add((e.Slice((int)a.Key, a.KeySize).ToArray(), e.Slice((int)a.Val, a.ValSize).ToArray()));
                }
                return list;
            }
            default:
                throw new ArgumentException($"unknown layout {layout.GetType().Name}", nameof(layout));
        }
    }

    private static async Task NodeAsync(BTreeLayout b, ulong node, int height, List<(byte[], byte[])> list, Reader read, string what, CancellationToken ct)
    {
        var bytes = await read(node, height > 0 ? b.InternalBytes : b.LeafBytes, ct).ConfigureAwait(false);
        var len = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan((int)b.NodeLen));
        if (len > b.Capacity) throw Wrong(what, $"a B-tree node at 0x{node:x} claims {len} entries (capacity {b.Capacity})");
        if (list.Count + len > MaxEntries) throw Wrong(what, $"the B-tree holds more than {MaxEntries} entries");
        for (var i = 0; i <= len; i++)
        {
            if (height > 0)
            {
                var child = U64(bytes, b.Edges + (ulong)(8 * i));
                if (child == 0) throw Wrong(what, $"B-tree node 0x{node:x}'s edge {i} is null");
                await NodeAsync(b, child, height - 1, list, read, what, ct).ConfigureAwait(false);
            }
            if (i < len)
                list.Add((bytes.AsSpan((int)b.Keys + i * b.KeySize, b.KeySize).ToArray(), bytes.AsSpan((int)b.Vals + i * b.ValSize, b.ValSize).ToArray()));
        }
    }

    private static ObserverException Wrong(string what, string problem) =>
        new($"{what}: {problem}: the map's [processes.tables] layout is wrong for this kernel");

    public static ulong U64(ReadOnlySpan<byte> b, ulong offset) => BinaryPrimitives.ReadUInt64LittleEndian(b.Slice((int)offset, 8));
}
