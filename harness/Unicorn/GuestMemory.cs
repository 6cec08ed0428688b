using System.Runtime.InteropServices;
using Harness.Unicorn.Native;

namespace Harness.Unicorn;

/// <summary>
/// The guest's memory under Unicorn 2.0.1, whose x86 MMU checks the guest page tables for presence
/// and permissions but then uses the virtual address as the physical one. So:
/// <list type="bullet">
/// <item>physical RAM is host memory in 2 MiB chunks, each mapped into Unicorn at its physical
///   address (Unicorn's own table walk reads page-table entries there), created on first use;</item>
/// <item>an access at a virtual address with no Unicorn region there (the unmapped-access hook) is
///   translated here by walking the guest tables, and the host page of the physical frame is mapped
///   again at the virtual page: an alias over the same host memory, so writes stay coherent;</item>
/// <item>aliases go stale when the guest changes its tables: after a <c>mov cr3</c> (and at a run's start)
///   every alias is checked against the tables and dropped when they map it elsewhere, after an
///   <c>invlpg</c> the one covering the address; an alias still right stays, and so does the code
///   Unicorn translated through it (a new alias is a new RAM block: its code is translated again).</item>
/// </list>
/// A virtual page that would alias over a physical chunk in use (or the reverse) cannot be
/// represented: <see cref="GuestMemoryCollisionException"/>.
/// </summary>
internal sealed unsafe partial class GuestMemory : IDisposable
{
    public const ulong ChunkSize = 0x20_0000;
    private const ulong ChunkMask = ChunkSize - 1;
    private const ulong PageMask = 0xFFF;
    private const ulong AddressMask = 0x000F_FFFF_FFFF_F000;

    /// <summary>Physical memory below this is one lazily committed host reservation (contiguous, zero until touched).</summary>
    public const ulong LowLimit = 64UL << 30;

    private readonly nint _uc;
    private readonly nint _low;                                     // host reservation for [0, LowLimit)
    private readonly Dictionary<ulong, nint> _chunks = [];          // chunk base (physical) -> host memory
    private readonly Dictionary<ulong, byte[]> _baseline = [];      // chunks of the initial image and their contents
    private readonly Dictionary<ulong, (ulong Size, ulong Pa)> _aliases = []; // virtual base -> size (0x1000 or 0x200000), physical base
    private readonly Stack<nint> _pool = new();

    private readonly Func<ulong> _cr3;

    public GuestMemory(nint uc, Func<ulong> cr3)
    {
        _uc = uc;
        _cr3 = cr3;
        _low = Mmap(0, unchecked((nuint)LowLimit), 3 /* PROT_READ | PROT_WRITE */, 0x22 | 0x4000 /* MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE */, -1, 0);
        if (_low == -1)
            throw new UnicornException($"mmap of a {LowLimit >> 30} GiB reservation for guest memory failed (errno {Marshal.GetLastPInvokeError()})");
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(nint addr, nuint length);

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint addr, nuint length, int advice);

    /// <summary>Chunks created, aliases mapped and dropped so far (for the figures).</summary>
    public long ChunksMapped { get; private set; }

    public long AliasesMapped { get; private set; }

    public long AliasesDropped { get; private set; }

    public int AliasCount => _aliases.Count;

    /// <summary>The host address of physical address <paramref name="pa"/>, creating its chunk (zeroed) when new.</summary>
    public byte* Host(ulong pa)
    {
        var chunk = pa & ~ChunkMask;
        if (!_chunks.TryGetValue(chunk, out var host))
            host = Materialise(chunk);
        return (byte*)host + (pa & ChunkMask);
    }

    /// <summary>Makes the chunk of <paramref name="pa"/> present (zeroed when new).</summary>
    public void Touch(ulong pa) => Host(pa);

    /// <summary>The host address of <paramref name="pa"/> when its chunk exists, else null (never written: reads as zero).</summary>
    public byte* HostIfPresent(ulong pa) =>
        _chunks.TryGetValue(pa & ~ChunkMask, out var host) ? (byte*)host + (pa & ChunkMask) : null;

    private nint Materialise(ulong chunk)
    {
        foreach (var (va, alias) in _aliases.Where(a => a.Key < chunk + ChunkSize && chunk < a.Key + a.Value.Size).ToList())
        {
            if (!StillValid(_cr3(), va, alias))
            {
                Unmap(va);
                continue;
            }
            throw new GuestMemoryCollisionException(
                $"physical chunk 0x{chunk:x} is needed, but virtual page 0x{va:x} is mapped there to another frame (Unicorn 2.0.1 uses one address space for both)");
        }
        nint host;
        if (chunk < LowLimit)
        {
            host = _low + (nint)chunk; // zero until touched; Reset gives the pages back
        }
        else
        {
            host = _pool.Count > 0 ? _pool.Pop() : (nint)NativeMemory.AlignedAlloc((nuint)ChunkSize, 0x1000);
            NativeMemory.Clear((void*)host, (nuint)ChunkSize);
        }
        UnicornException.Check(Uc.MemMapPtr(_uc, chunk, (nuint)ChunkSize, Uc.ProtAll, (void*)host), $"uc_mem_map_ptr(0x{chunk:x}, 2 MiB)");
        _chunks[chunk] = host;
        ChunksMapped++;
        return host;
    }

    public ulong ReadPhysical64(ulong pa)
    {
        var p = HostIfPresent(pa);
        return p == null ? 0 : *(ulong*)p;
    }

    public void WritePhysical(ulong pa, ReadOnlySpan<byte> bytes)
    {
        var done = 0;
        while (done < bytes.Length)
        {
            var at = pa + (ulong)done;
            var room = (int)Math.Min((ulong)(bytes.Length - done), ChunkSize - (at & ChunkMask));
            bytes.Slice(done, room).CopyTo(new Span<byte>(Host(at), room));
            done += room;
        }
    }

    public void ReadPhysical(ulong pa, Span<byte> into)
    {
        var done = 0;
        while (done < into.Length)
        {
            var at = pa + (ulong)done;
            var room = (int)Math.Min((ulong)(into.Length - done), ChunkSize - (at & ChunkMask));
            var p = HostIfPresent(at);
            if (p == null) into.Slice(done, room).Clear();
            else new ReadOnlySpan<byte>(p, room).CopyTo(into.Slice(done, room));
            done += room;
        }
    }

    /// <summary>
    /// Translates a virtual address through the guest's 4-level tables at <paramref name="cr3"/>: the physical
    /// address and the size of the page (4 KiB, 2 MiB or 1 GiB), or false when not present.
    /// </summary>
    public bool Translate(ulong cr3, ulong va, out ulong pa, out ulong pageSize)
    {
        var table = cr3 & AddressMask;
        for (var level = 4; level >= 1; level--)
        {
            var shift = 12 + 9 * (level - 1);
            var index = (va >> shift) & 0x1FF;
            var entry = ReadPhysical64(table + index * 8);
            if ((entry & 1) == 0)
            {
                pa = 0;
                pageSize = 0;
                return false;
            }
            if (level is 3 or 2 && (entry & 0x80) != 0)
            {
                pageSize = 1UL << shift;
                pa = (entry & AddressMask & ~(pageSize - 1)) | (va & (pageSize - 1));
                return true;
            }
            table = entry & AddressMask;
        }
        pageSize = 0x1000;
        pa = table | (va & PageMask);
        return true;
    }

    /// <summary>Reads guest-virtual memory through the tables at <paramref name="cr3"/>; false at the first page not present.</summary>
    public bool ReadVirtual(ulong cr3, ulong va, Span<byte> into, out ulong unreadable)
    {
        var done = 0;
        while (done < into.Length)
        {
            var at = va + (ulong)done;
            if (!Translate(cr3, at, out var pa, out _))
            {
                unreadable = at;
                return false;
            }
            var room = (int)Math.Min((ulong)(into.Length - done), 0x1000 - (at & PageMask));
            ReadPhysical(pa, into.Slice(done, room));
            done += room;
        }
        unreadable = 0;
        return true;
    }

    public ulong ReadVirtual64(ulong cr3, ulong va)
    {
        Span<byte> b = stackalloc byte[8];
        return ReadVirtual(cr3, va, b, out _) ? BitConverter.ToUInt64(b) : 0;
    }

    /// <summary>
    /// The unmapped-access hook's work: maps what <paramref name="va"/> translates to. False when the guest
    /// tables do not map it (Unicorn then reports the access as unmapped).
    /// </summary>
    public bool MapOnFault(ulong cr3, ulong va, bool paging)
    {
        if (!paging)
        {
            Host(va);
            return true;
        }
        if (!Translate(cr3, va, out var pa, out var pageSize))
            return false;
        // 1 GiB pages are aliased 2 MiB at a time; a chunk is the largest host block.
        var size = Math.Min(pageSize, ChunkSize);
        var vBase = va & ~(size - 1);
        var pBase = pa & ~(size - 1);
        if (vBase == pBase)
        {
            Host(pBase); // identity: the physical chunk itself serves the access
            return true;
        }
        var host = Host(pBase);
        if (size == ChunkSize)
        {
            // Any 4 KiB aliases left inside this range (from an older mapping) go first.
            foreach (var old in _aliases.Where(a => a.Key >= vBase && a.Key < vBase + ChunkSize).Select(a => a.Key).ToList())
                Unmap(old);
        }
        foreach (var chunk in _chunks.Keys)
            if (chunk < vBase + size && vBase < chunk + ChunkSize)
                throw new GuestMemoryCollisionException(
                    $"virtual page 0x{vBase:x} maps physical 0x{pBase:x}, but physical chunk 0x{chunk:x} is in use at that address (Unicorn 2.0.1 uses one address space for both)");
        UnicornException.Check(Uc.MemMapPtr(_uc, vBase, (nuint)size, Uc.ProtAll, host), $"uc_mem_map_ptr(alias 0x{vBase:x} -> 0x{pBase:x}, 0x{size:x})");
        _aliases[vBase] = (size, pBase);
        AliasesMapped++;
        return true;
    }

    /// <summary>
    /// After an <c>invlpg</c>: the alias covering <paramref name="va"/> goes if the tables now map it elsewhere (or not at
    /// all). An alias that still says what the tables say stays: Unicorn keeps the code it translated through it.
    /// </summary>
    public void DropAlias(ulong va)
    {
        var cr3 = _cr3();
        var page = va & ~PageMask;
        if (_aliases.TryGetValue(page, out var a) && !StillValid(cr3, page, a)) Unmap(page);
        var big = va & ~ChunkMask;
        if (_aliases.TryGetValue(big, out var b) && b.Size == ChunkSize && !StillValid(cr3, big, b)) Unmap(big);
    }

    /// <summary>After a <c>mov cr3</c> (and at the start of a run): every alias the new tables do not map the same way goes.</summary>
    public void Revalidate()
    {
        if (_aliases.Count == 0) return;
        var cr3 = _cr3();
        foreach (var (va, a) in _aliases.ToList())
            if (!StillValid(cr3, va, a)) Unmap(va);
    }

    private bool StillValid(ulong cr3, ulong va, (ulong Size, ulong Pa) alias) =>
        Translate(cr3, va, out var pa, out var pageSize) && pa == alias.Pa && pageSize >= alias.Size;

    public void DropAllAliases()
    {
        if (_aliases.Count == 0) return;
        foreach (var va in _aliases.Keys.ToList()) Unmap(va);
    }

    private void Unmap(ulong va)
    {
        var size = _aliases[va].Size;
        UnicornException.Check(Uc.MemUnmap(_uc, va, (nuint)size), $"uc_mem_unmap(alias 0x{va:x})");
        _aliases.Remove(va);
        AliasesDropped++;
    }

    /// <summary>Remembers the chunks in use now and their contents: <see cref="Reset"/> returns to this.</summary>
    public void SaveBaseline()
    {
        _baseline.Clear();
        foreach (var (chunk, host) in _chunks)
            _baseline[chunk] = new ReadOnlySpan<byte>((void*)host, (int)ChunkSize).ToArray();
    }

    /// <summary>
    /// Back to the baseline: chunks created since unmapped (their pages given back: zero when touched again), the
    /// baseline's contents restored. Aliases into the low reservation stay (the next run revalidates them against its
    /// tables), so Unicorn keeps the code it translated through them; aliases into other memory go.
    /// </summary>
    public void Reset()
    {
        foreach (var (va, a) in _aliases.ToList())
            if (a.Pa >= LowLimit) Unmap(va);
        foreach (var chunk in _chunks.Keys.Where(c => !_baseline.ContainsKey(c)).ToList())
        {
            UnicornException.Check(Uc.MemUnmap(_uc, chunk, (nuint)ChunkSize), $"uc_mem_unmap(chunk 0x{chunk:x})");
            if (chunk < LowLimit) Madvise(_chunks[chunk], (nuint)ChunkSize, 4 /* MADV_DONTNEED: zero on next touch */);
            else _pool.Push(_chunks[chunk]);
            _chunks.Remove(chunk);
        }
        foreach (var (chunk, bytes) in _baseline)
            bytes.CopyTo(new Span<byte>((void*)_chunks[chunk], (int)ChunkSize));
    }

    public void Dispose()
    {
        foreach (var (chunk, host) in _chunks)
            if (chunk >= LowLimit) NativeMemory.AlignedFree((void*)host);
        Munmap(_low, unchecked((nuint)LowLimit));
        foreach (var host in _pool) NativeMemory.AlignedFree((void*)host);
        _chunks.Clear();
        _pool.Clear();
    }
}

/// <summary>A virtual page and a physical chunk that Unicorn 2.0.1's single address space cannot hold at once.</summary>
public sealed class GuestMemoryCollisionException(string message) : Exception(message);
