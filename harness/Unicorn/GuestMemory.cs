using System.Runtime.InteropServices;
using Harness.Unicorn.Native;

namespace Harness.Unicorn;

/// <summary>
/// The guest's physical memory under Unicorn 2.0.1 with its paging made real (<see cref="LibraryPatches"/>: the TLB maps
/// a virtual page to the physical address the guest tables give, and the helpers' region lookup translates the
/// virtual address through the tables first, <see cref="MemoryMapping"/>):
/// <list type="bullet">
/// <item>physical memory below <see cref="LowLimit"/> is one lazily committed host reservation mapped into Unicorn once
///   as one region; above it, 2 MiB blocks are mapped when the guest first reaches them (the unmapped-access hook,
///   <see cref="MapOnFault"/>) and unmapped by <see cref="Reset"/>;</item>
/// <item>the setup's image (<see cref="SaveBaseline"/>) becomes a private mapping of a memory file, so <see cref="Reset"/>
///   is one <c>madvise(MADV_DONTNEED)</c> over the reservation: the pages a run wrote go, the image's come back from the
///   file and the rest reads as zero — the work is the pages the run touched, not the size of the image.</item>
/// </list>
/// Translated code stays valid from run to run: it is keyed by physical address and the kernel's text is the same.
/// </summary>
internal sealed unsafe partial class GuestMemory : IDisposable
{
    public const ulong ChunkSize = 0x20_0000;
    private const ulong ChunkMask = ChunkSize - 1;
    private const ulong PageMask = 0xFFF;
    private const ulong AddressMask = 0x000F_FFFF_FFFF_F000;

    /// <summary>Physical memory below this is one lazily committed host reservation (contiguous, zero until touched).</summary>
    public const ulong LowLimit = 64UL << 30;

    [ThreadStatic]
    private static GuestMemory? t_emulating;

    private readonly nint _uc;
    private readonly nint _low;                                     // host reservation for [0, LowLimit)
    private readonly Dictionary<ulong, nint> _chunks = [];          // chunk base (physical, >= LowLimit) -> host memory
    private readonly Stack<nint> _pool = new();
    private ulong _imageEnd;                                        // the setup wrote below this
    private bool _baselineSaved;

    private readonly Func<(ulong Cr0, ulong Cr3)> _paging;

    public GuestMemory(nint uc, Func<(ulong Cr0, ulong Cr3)> paging)
    {
        _uc = uc;
        _paging = paging;
        _low = Mmap(0, unchecked((nuint)LowLimit), 3 /* PROT_READ | PROT_WRITE */, 0x22 | 0x4000 /* MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE */, -1, 0);
        if (_low == -1)
            throw new UnicornException($"mmap of a {LowLimit >> 30} GiB reservation for guest memory failed (errno {Marshal.GetLastPInvokeError()})");
        UnicornException.Check(Uc.MemMapPtr(_uc, 0, unchecked((nuint)LowLimit), Uc.ProtAll, (void*)_low), $"uc_mem_map_ptr(0, {LowLimit >> 30} GiB)");
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(nint addr, nuint length);

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint addr, nuint length, int advice);

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int Ftruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    private static partial nint Pwrite(int fd, void* buffer, nuint count, long offset);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    /// <summary>2 MiB blocks mapped above <see cref="LowLimit"/> so far, and region lookups translated (for the figures).</summary>
    public long ChunksMapped { get; private set; }

    public long Translations { get; private set; }

    /// <summary>While set on a thread, Unicorn's region lookups on that thread translate through this memory's guest tables.</summary>
    public static GuestMemory? Emulating
    {
        get => t_emulating;
        set => t_emulating = value;
    }

    /// <summary>The host address of physical address <paramref name="pa"/>, mapping its block (zeroed) when new.</summary>
    public byte* Host(ulong pa)
    {
        if (pa < LowLimit)
        {
            if (!_baselineSaved && pa >= _imageEnd) _imageEnd = pa + 1;
            return (byte*)_low + pa;
        }
        var chunk = pa & ~ChunkMask;
        if (!_chunks.TryGetValue(chunk, out var host))
            host = Materialise(chunk);
        return (byte*)host + (pa & ChunkMask);
    }

    /// <summary>Makes <paramref name="pa"/> present (zero when new).</summary>
    public void Touch(ulong pa) => Host(pa);

    /// <summary>The host address of <paramref name="pa"/> when it has memory, else null (never written: reads as zero).</summary>
    public byte* HostIfPresent(ulong pa) =>
        pa < LowLimit ? (byte*)_low + pa : _chunks.TryGetValue(pa & ~ChunkMask, out var host) ? (byte*)host + (pa & ChunkMask) : null;

    private nint Materialise(ulong chunk)
    {
        var host = _pool.Count > 0 ? _pool.Pop() : (nint)NativeMemory.AlignedAlloc((nuint)ChunkSize, 0x1000);
        NativeMemory.Clear((void*)host, (nuint)ChunkSize);
        var emulating = t_emulating;
        t_emulating = null; // the library's own lookups while it maps are by physical address
        try
        {
            UnicornException.Check(Uc.MemMapPtr(_uc, chunk, (nuint)ChunkSize, Uc.ProtAll, (void*)host), $"uc_mem_map_ptr(0x{chunk:x}, 2 MiB)");
        }
        finally
        {
            t_emulating = emulating;
        }
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
            if (at < LowLimit) Host(at + (ulong)room - 1);
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
    /// The unmapped-access hook's work: gives the physical address <paramref name="va"/> translates to memory (a block
    /// above <see cref="LowLimit"/>). False when the guest tables do not map it (Unicorn then reports the access as unmapped).
    /// </summary>
    public bool MapOnFault(ulong cr3, ulong va, bool paging)
    {
        var pa = va;
        if (paging && !Translate(cr3, va, out pa, out _))
            return false;
        Host(pa);
        return true;
    }

    /// <summary>
    /// Stands in for the library's <c>memory_mapping(uc, address)</c> (its GOT slot, <see cref="LibraryPatches"/>): the
    /// region at <paramref name="address"/>, which the load and store helpers pass as a virtual address. While this
    /// thread's engine emulates, the address is translated through the guest tables and the region at the physical
    /// address is returned (none: the unmapped-access hook gives it memory); an address the tables do not map is looked up
    /// as it is (a region there: Unicorn's walk then raises the page fault; none: the access is reported unmapped).
    /// </summary>
    [UnmanagedCallersOnly]
    internal static nint MemoryMapping(nint uc, ulong address)
    {
        var m = t_emulating;
        if (m is null || m._uc != uc) return LibraryPatches.OriginalMemoryMapping(uc, address);
        try
        {
            var (cr0, cr3) = m._paging();
            if ((cr0 & 0x8000_0000) != 0 && m.Translate(cr3, address, out var pa, out _))
            {
                m.Translations++;
                return LibraryPatches.OriginalMemoryMapping(uc, pa);
            }
        }
        catch (Exception e)
        {
            m.LookupFailure ??= e;
        }
        return LibraryPatches.OriginalMemoryMapping(uc, address);
    }

    /// <summary>An exception in <see cref="MemoryMapping"/> (none expected: it reads guest memory the host holds).</summary>
    public Exception? LookupFailure { get; set; }

    /// <summary>Remembers what the setup wrote: <see cref="Reset"/> returns to it.</summary>
    public void SaveBaseline()
    {
        if (_baselineSaved) throw new InvalidOperationException("the baseline is saved once");
        if (_chunks.Count > 0) throw new InvalidOperationException("the setup wrote above the low reservation");
        var length = (long)((_imageEnd + PageMask) & ~PageMask);
        var fd = MemfdCreate("unicorn-guest-image", 1 /* MFD_CLOEXEC */);
        if (fd < 0) throw new UnicornException($"memfd_create failed (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Ftruncate(fd, length) != 0) throw new UnicornException($"ftruncate of the guest image failed (errno {Marshal.GetLastPInvokeError()})");
            for (long done = 0; done < length;)
            {
                var n = Pwrite(fd, (byte*)_low + done, (nuint)(length - done), done);
                if (n <= 0) throw new UnicornException($"writing the guest image failed (errno {Marshal.GetLastPInvokeError()})");
                done += n;
            }
            // MAP_PRIVATE | MAP_FIXED over the same host addresses (Unicorn's region keeps its pointer).
            if (Mmap(_low, (nuint)length, 3, 0x02 | 0x10, fd, 0) != _low)
                throw new UnicornException($"mapping the guest image failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            Close(fd);
        }
        _baselineSaved = true;
    }

    /// <summary>
    /// Back to the baseline: the pages a run wrote are dropped (the image's come back from its file, the rest is zero when
    /// touched again) and the blocks above <see cref="LowLimit"/> are unmapped.
    /// </summary>
    public void Reset()
    {
        if (Madvise(_low, unchecked((nuint)LowLimit), 4 /* MADV_DONTNEED */) != 0)
            throw new UnicornException($"madvise(MADV_DONTNEED) of guest memory failed (errno {Marshal.GetLastPInvokeError()})");
        foreach (var (chunk, host) in _chunks)
        {
            UnicornException.Check(Uc.MemUnmap(_uc, chunk, (nuint)ChunkSize), $"uc_mem_unmap(chunk 0x{chunk:x})");
            _pool.Push(host);
        }
        _chunks.Clear();
    }

    public void Dispose()
    {
        foreach (var host in _chunks.Values) NativeMemory.AlignedFree((void*)host);
        foreach (var host in _pool) NativeMemory.AlignedFree((void*)host);
        Munmap(_low, unchecked((nuint)LowLimit));
        _chunks.Clear();
        _pool.Clear();
    }
}
