namespace Harness.Observe.Map;

/// <summary>
/// How a kernel lays out one of its collections in memory, so that the observer can list its entries from outside
/// (<see cref="Harness.Observe.KernelCollections"/>): either a B-tree (<see cref="BTreeLayout"/>, Rust's
/// <c>BTreeMap</c>) or a contiguous array (<see cref="ArrayLayout"/>: a <c>Vec</c>, or the port's sorted-array map).
/// Every number is an offset or size in bytes, read off each kernel's build (the map says where from).
/// </summary>
public abstract record CollectionLayout;

/// <summary>
/// A Rust <c>BTreeMap&lt;K, V&gt;</c>: the map's root node pointer (0 = empty), its height (0 = the root is a leaf) and
/// length at <paramref name="Root"/>, <paramref name="Height"/>, <paramref name="Length"/> from the map; in each node,
/// <paramref name="Capacity"/> keys of <paramref name="KeySize"/> bytes from <paramref name="Keys"/>, as many values of
/// <paramref name="ValSize"/> bytes from <paramref name="Vals"/>, the entry count (u16) at <paramref name="NodeLen"/>, and
/// in an internal node <paramref name="Capacity"/> + 1 child pointers from <paramref name="Edges"/>.
/// </summary>
public sealed record BTreeLayout(ulong Root, ulong Height, ulong Length, ulong Keys, int KeySize, ulong Vals, int ValSize, ulong NodeLen, ulong Edges,
    int Capacity) : CollectionLayout
{
    /// <summary>Bytes of a leaf node that hold keys, values and the count.</summary>
    public int LeafBytes => (int)Math.Max(Math.Max(Keys + (ulong)(KeySize * Capacity), Vals + (ulong)(ValSize * Capacity)), NodeLen + 2);

    /// <summary>Bytes of an internal node, edges included.</summary>
    public int InternalBytes => Math.Max(LeafBytes, (int)Edges + 8 * (Capacity + 1));
}

/// <summary>
/// A contiguous array: its element pointer at <paramref name="Ptr"/> and count at <paramref name="Len"/> from the
/// collection; elements <paramref name="Stride"/> bytes apart, each with a key of <paramref name="KeySize"/> bytes at
/// <paramref name="Key"/> (0 bytes for a <c>Vec</c>: the index is the key) and a value of <paramref name="ValSize"/>
/// bytes at <paramref name="Val"/> (a <c>Vec</c>'s value is the whole element).
/// </summary>
public sealed record ArrayLayout(ulong Ptr, ulong Len, int Stride, ulong Key, int KeySize, ulong Val, int ValSize) : CollectionLayout;

/// <summary>
/// Where every live context's state is (the map's <c>[processes.tables]</c>, traces/FORMAT.md "contexts"): the context
/// list (a map from id to a pointer to the context's Arc), the fields of a context, its grants and file table, and the
/// scheme list. Offsets are bytes; "from the Arc" means from the pointer an <c>Arc</c> holds (its strong and weak counts,
/// then the lock's word, then the data).
/// </summary>
public sealed record ProcessTablesSpec
{
    /// <summary>The context list's static.</summary>
    public required string Contexts { get; init; }
    /// <summary>From the static to the map of contexts.</summary>
    public required ulong ContextsOffset { get; init; }
    /// <summary>The map of contexts: key the id (u64), value the context's Arc pointer.</summary>
    public required CollectionLayout ContextsMap { get; init; }
    /// <summary>From the Arc pointer to the Context.</summary>
    public required ulong Context { get; init; }
    /// <summary>The Context's size in bytes (one read per context).</summary>
    public required int ContextSize { get; init; }
    /// <summary>In the Context: the saved CR3 (<c>arch.cr3</c>).</summary>
    public required ulong Cr3 { get; init; }
    /// <summary>In the Context: the status's tag (u64) and its value (u64, Stopped's signal and Exited's status).</summary>
    public required ulong Status { get; init; }
    public required ulong StatusValue { get; init; }
    /// <summary>The status's names by tag value.</summary>
    public required IReadOnlyList<string> StatusTags { get; init; }
    /// <summary>In the Context: the grants' Arc pointer; from it to the Vec; the Vec's layout; a grant's start, size and flags.</summary>
    public required ulong Grants { get; init; }
    public required ulong GrantsVec { get; init; }
    public required ArrayLayout GrantsList { get; init; }
    public required ulong GrantStart { get; init; }
    public required ulong GrantSize { get; init; }
    public required ulong GrantFlags { get; init; }
    /// <summary>In the Context: the file table's Arc pointer; from it to the Vec; the Vec's layout.</summary>
    public required ulong Files { get; init; }
    public required ulong FilesVec { get; init; }
    public required ArrayLayout FilesList { get; init; }
    /// <summary>In a file slot: the word (u64) that holds <see cref="FileNoneValue"/> when the slot is empty.</summary>
    public required ulong FileNoneAt { get; init; }
    public required ulong FileNoneValue { get; init; }
    /// <summary>In a file slot: the description's Arc pointer and the cloexec byte.</summary>
    public required ulong FileDescription { get; init; }
    public required ulong FileCloexec { get; init; }
    /// <summary>From the description's Arc pointer to the FileDescription; in it, the scheme id, number and flags (u64 each).</summary>
    public required ulong DescriptionData { get; init; }
    public required ulong DescriptionScheme { get; init; }
    public required ulong DescriptionNumber { get; init; }
    public required ulong DescriptionFlags { get; init; }
    /// <summary>The scheme list's static; from it to the map of namespaces (value: the namespace's map of names, inline).</summary>
    public required string Schemes { get; init; }
    public required ulong SchemesOffset { get; init; }
    public required CollectionLayout NamespacesMap { get; init; }
    /// <summary>A namespace's map of names (key: the name, a byte slice; value: the scheme id, u64).</summary>
    public required CollectionLayout NamesMap { get; init; }
    /// <summary>In a name key: the bytes' pointer and length.</summary>
    public required ulong NamePtr { get; init; }
    public required ulong NameLen { get; init; }
    /// <summary>Where the map says this.</summary>
    public required MapLocation Source { get; init; }
}
