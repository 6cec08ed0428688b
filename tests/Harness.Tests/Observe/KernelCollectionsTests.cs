using System.Buffers.Binary;
using Harness.Observe;
using Harness.Observe.Map;

namespace Harness.Tests.Observe;

/// <summary>
/// The walker of kernel collections (harness/Observe/KernelCollections.cs) over both kernels' layouts, with nodes built
/// in byte buffers as each kernel lays them out: the original's Rust BTreeMap (the maps' numbers from its DWARF) and the
/// port's sorted array (alloc/ord_map.cs).
/// </summary>
public class KernelCollectionsTests
{
    // redox-0.3.5/observe.toml [processes.tables]: the context map (key ContextId, value an Arc pointer) and the scheme names.
    private static readonly BTreeLayout Contexts = new(0x0, 0x8, 0x10, 0x8, 8, 0x60, 8, 0xBA, 0xC0, 11);
    private static readonly BTreeLayout Names = new(0x0, 0x8, 0x10, 0x0, 16, 0xB8, 8, 0x112, 0x118, 11);
    // csharp-kernel/observe.toml: OrdMap<ContextId, Arc<..>> {ptr @0, cap @8, len @16}, entries (key, value) of 16 bytes.
    private static readonly ArrayLayout PortContexts = new(0x0, 0x10, 16, 0x0, 8, 0x8, 8);

    /// <summary>Kernel memory as regions at addresses; a read outside them fails as the stub's would.</summary>
    private sealed class Memory
    {
        private readonly Dictionary<ulong, byte[]> _regions = [];
        public int Reads { get; private set; }

        public void Put(ulong at, byte[] bytes) => _regions[at] = bytes;

        public Task<byte[]> Read(ulong address, int length, CancellationToken ct)
        {
            Reads++;
            foreach (var (at, bytes) in _regions)
                if (address >= at && address + (ulong)length <= at + (ulong)bytes.Length)
                    return Task.FromResult(bytes.AsSpan((int)(address - at), length).ToArray());
            throw new InvalidOperationException($"no memory at 0x{address:x} ({length} bytes)");
        }
    }

    private static void W64(byte[] b, ulong at, ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan((int)at), v);

    /// <summary>A node of <paramref name="l"/>'s layout holding these keys and values (8-byte each), and edges when internal.</summary>
    private static byte[] Node(BTreeLayout l, ulong[] keys, ulong[] vals, ulong[]? edges = null)
    {
        var b = new byte[edges is null ? 192 : 288];
        Random.Shared.NextBytes(b); // MaybeUninit: whatever was there
        for (var i = 0; i < keys.Length; i++)
        {
            W64(b, l.Keys + (ulong)(8 * i), keys[i]);
            W64(b, l.Vals + (ulong)(8 * i), vals[i]);
        }
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan((int)l.NodeLen), (ushort)keys.Length);
        for (var i = 0; edges is not null && i < edges.Length; i++) W64(b, l.Edges + (ulong)(8 * i), edges[i]);
        return b;
    }

    private static byte[] Header(ulong root, ulong height, ulong length)
    {
        var h = new byte[24];
        W64(h, 0, root);
        W64(h, 8, height);
        W64(h, 16, length);
        return h;
    }

    [Fact]
    public async Task A_two_level_btree_lists_in_key_order_with_one_read_per_node()
    {
        var m = new Memory();
        // root (internal, height 1): key 12; left leaf 1..11 (full), right leaf 13, 14
        m.Put(0x1000, Node(Contexts, [12], [0xA12], [0x2000, 0x3000]));
        m.Put(0x2000, Node(Contexts, Enumerable.Range(1, 11).Select(i => (ulong)i).ToArray(), Enumerable.Range(1, 11).Select(i => 0xA00UL + (ulong)i).ToArray()));
        m.Put(0x3000, Node(Contexts, [13, 14], [0xA13, 0xA14]));

        var list = await KernelCollections.ListAsync(Contexts, Header(0x1000, 1, 14), m.Read, "contexts", CancellationToken.None);

        Assert.Equal(Enumerable.Range(1, 14).Select(i => (ulong)i), list.Select(e => BinaryPrimitives.ReadUInt64LittleEndian(e.Key)));
        Assert.Equal(0xA12UL, BinaryPrimitives.ReadUInt64LittleEndian(list[11].Value));
        Assert.Equal(3, m.Reads);
    }

    [Fact]
    public async Task A_btree_with_16_byte_keys_and_an_empty_one()
    {
        var m = new Memory();
        var leaf = new byte[280];
        // keys: Box<[u8]> {ptr, len}
        W64(leaf, 0, 0x9000); W64(leaf, 8, 5); W64(leaf, 0xB8, 7);
        W64(leaf, 16, 0x9100); W64(leaf, 24, 6); W64(leaf, 0xB8 + 8, 8);
        BinaryPrimitives.WriteUInt16LittleEndian(leaf.AsSpan(0x112), 2);
        m.Put(0x5000, leaf);
        var list = await KernelCollections.ListAsync(Names, Header(0x5000, 0, 2), m.Read, "names", CancellationToken.None);
        Assert.Equal(2, list.Count);
        Assert.Equal(16, list[0].Key.Length);
        Assert.Equal(5UL, BinaryPrimitives.ReadUInt64LittleEndian(list[0].Key.AsSpan(8)));
        Assert.Equal(8UL, BinaryPrimitives.ReadUInt64LittleEndian(list[1].Value));

        Assert.Empty(await KernelCollections.ListAsync(Names, Header(0, 0, 0), m.Read, "names", CancellationToken.None));
        Assert.Equal(1, m.Reads);
    }

    [Fact]
    public async Task A_layout_that_does_not_fit_the_memory_is_refused_naming_the_map()
    {
        var m = new Memory();
        m.Put(0x1000, Node(Contexts, [1, 2], [0xA1, 0xA2]));
        var e = await Assert.ThrowsAsync<ObserverException>(() => KernelCollections.ListAsync(Contexts, Header(0x1000, 0, 3), m.Read, "the context list", CancellationToken.None));
        Assert.Contains("the context list", e.Message);
        Assert.Contains("[processes.tables]", e.Message);

        var full = Node(Contexts, [1], [2]);
        BinaryPrimitives.WriteUInt16LittleEndian(full.AsSpan(0xBA), 40);
        m.Put(0x4000, full);
        await Assert.ThrowsAsync<ObserverException>(() => KernelCollections.ListAsync(Contexts, Header(0x4000, 0, 40), m.Read, "x", CancellationToken.None));
    }

    [Fact]
    public async Task The_ports_sorted_array_lists_in_one_read()
    {
        var m = new Memory();
        var entries = new byte[16 * 11]; // capacity 11 (the first leaf's worth), 3 used
        for (var i = 0; i < 3; i++)
        {
            W64(entries, (ulong)(16 * i), (ulong)i + 1);
            W64(entries, (ulong)(16 * i + 8), 0xB00UL + (ulong)i);
        }
        m.Put(0x7000, entries);
        var header = new byte[24];
        W64(header, 0, 0x7000); W64(header, 8, 11); W64(header, 16, 3);

        var list = await KernelCollections.ListAsync(PortContexts, header, m.Read, "contexts", CancellationToken.None);
        Assert.Equal([1UL, 2UL, 3UL], list.Select(e => BinaryPrimitives.ReadUInt64LittleEndian(e.Key)));
        Assert.Equal([0xB00UL, 0xB01UL, 0xB02UL], list.Select(e => BinaryPrimitives.ReadUInt64LittleEndian(e.Value)));
        Assert.Equal(1, m.Reads);

        W64(header, 16, 1_000_000);
        await Assert.ThrowsAsync<ObserverException>(() => KernelCollections.ListAsync(PortContexts, header, m.Read, "contexts", CancellationToken.None));
    }

    [Fact]
    public void Both_maps_describe_their_tables()
    {
        var original = ObservationMapLoader.Load(Path.Combine(Harness.Tests.Trace.RepoPaths.Root, "redox-0.3.5", "observe.toml")).Processes!.Tables!;
        var port = ObservationMapLoader.Load(Path.Combine(Harness.Tests.Trace.RepoPaths.Root, "csharp-kernel", "observe.toml")).Processes!.Tables!;
        Assert.Equal(Contexts, original.ContextsMap);
        Assert.Equal(Names, original.NamesMap);
        Assert.Equal(0xFFFF_FFFF_FFFF_FFFFUL, original.FileNoneValue);
        Assert.Equal(PortContexts, port.ContextsMap);
        Assert.Equal(0UL, port.FileNoneValue);
        Assert.Equal(["runnable", "blocked", "stopped", "exited"], port.StatusTags);
    }
}
