using System.Runtime.InteropServices;

namespace Harness.Unicorn.Native;

/// <summary>
/// Four changes to Debian's libunicorn2 (2.0.1.post1-1+b1, amd64) in this process's memory, each at a site whose
/// bytes are checked first; any other build of the library is refused with a clear message (<see cref="Unavailable"/>).
/// <list type="number">
/// <item><b>Real paging.</b> 2.0.1's x86 <c>tlb_fill</c> walks the guest tables for presence and permissions, then maps
///   the virtual page at the <em>virtual</em> address ("indentity map", excp_helper.c; fixed upstream in 2.1). The walk's
///   physical address is still computed (<c>get_hphys</c>'s result, in RAX) and dropped: <c>mov rdx, rsi</c> (paddr =
///   vaddr) before the call to <c>tlb_set_page_with_attrs</c> becomes <c>mov rdx, rax</c>.</item>
/// <item><b>Region lookups by physical address.</b> The load and store helpers of 2.0.1 look the <em>virtual</em> address
///   up among the mapped regions (<c>memory_mapping</c>, through the PLT) before they fill the TLB, and call the
///   unmapped-access hook when there is none. The library's GOT slot for <c>memory_mapping</c> is pointed at
///   <see cref="GuestMemory"/>'s lookup, which translates the address through the guest's tables while an engine of
///   this process emulates on the calling thread (and passes through otherwise).</item>
/// <item><b>Fast stores</b> (<see cref="FastStores.Enabled"/>). 2.0.1 says every RAM page is "clean"
///   (<c>cpu_physical_memory_is_clean</c> returns true), so <c>tlb_set_page_with_attrs</c> puts <c>TLB_NOTDIRTY</c>
///   on every TLB entry's write side: no guest store takes the generated code's fast path, each one calls the store
///   helper, which builds and frees a page collection (a GTree: malloc, free) to invalidate the translated code of
///   the bytes written. Two thirds of a run's CPU went there. The <c>or r9, 0x400</c> that adds the flag gets 0 as
///   its immediate. What is lost: a guest store no longer invalidates code translated from the bytes it writes;
///   <see cref="UnicornMachine"/> checks after every run that the kernel's text is unchanged (else it flushes the
///   translation cache), and flushes it after every run that did not end at a stop point, a panic or an exit.</item>
/// <item><b>A 32 MiB code buffer.</b> <c>tcg_exec_init</c> sizes the translated-code buffer at 1 GiB, and every
///   translation-cache flush (the first allocation too) <c>memset</c>s all of it: 1 GiB of memory per engine, and a
///   third of a short run's CPU went to zeroing it (perf: <c>tcg_region_reset_all</c>, huge-page faults). Its default
///   size, <c>mov ebp, 0x40000000</c>, becomes 0x02000000 — far more than the kernels' early boot translates (when it
///   fills up, QEMU flushes it, as it always did).</item>
/// </list>
/// </summary>
internal static unsafe partial class LibraryPatches
{
    // Offsets in libunicorn.so.2 2.0.1.post1-1+b1 (file offset = address for its text; the GOT is in RELRO).
    private const string AnchorExport = "tlb_set_page_with_attrs_x86_64";
    private const long AnchorOffset = 0x3F81E0;
    private const long MemoryMappingOffset = 0x3BA600;
    private const long MemoryMappingGotSlot = 0x11FE290;

    // x86_cpu_tlb_fill: … sub rsp,8; mov ecx,[r14+0x8800]; mov rdx,rsi; mov rdi,r14; push r9; mov r9d,ebp; …
    private const long PaddrSite = 0x406C66;
    private static readonly byte[] PaddrBytes = [0x48, 0x83, 0xEC, 0x08, 0x41, 0x8B, 0x8E, 0x00, 0x88, 0x00, 0x00, 0x48, 0x89, 0xF2, 0x4C, 0x89, 0xF7, 0x41, 0x51, 0x41, 0x89, 0xE9];
    private const int PaddrModRm = 13;      // 0xF2: mov rdx, rsi -> 0xC2: mov rdx, rax

    // tlb_set_page_with_attrs: test $0x2,0x1c(%rsp); je …; mov 0x8(%rsp),%rsi; or $0x400,%r9; cmpb $0x0,0x30(%rsi)
    private const long NotDirtySite = 0x3F859D;
    private static readonly byte[] NotDirtyBytes =
    [
        0xF6, 0x44, 0x24, 0x1C, 0x02, 0x0F, 0x84, 0x67, 0xFD, 0xFF, 0xFF, 0x48, 0x8B, 0x74, 0x24, 0x08,
        0x49, 0x81, 0xC9, 0x00, 0x04, 0x00, 0x00, 0x80, 0x7E, 0x30, 0x00,
    ];
    private const int NotDirtyImmediate = 20;   // the 0x04 of 0x400

    // tcg_exec_init: mov $0x40000000,%ebp; push %rbx; mov %rdi,%rbx; mov $0xa750,%edi
    private const long CodeBufferSite = 0x400EA4;
    private static readonly byte[] CodeBufferBytes = [0xBD, 0x00, 0x00, 0x00, 0x40, 0x53, 0x48, 0x89, 0xFB, 0xBF, 0x50, 0xA7, 0x00, 0x00];
    private const int CodeBufferTop = 4;        // 0x40 of 0x40000000 -> 0x02: 32 MiB

    private static readonly Lock Gate = new();
    private static string? _unavailable;
    private static bool _done;
    private static byte* _base;

    /// <summary>The library's own <c>memory_mapping(uc, address)</c>.</summary>
    internal static delegate* unmanaged<nint, ulong, nint> OriginalMemoryMapping { get; private set; }

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static partial int Mprotect(nint addr, nuint length, int prot);

    /// <summary>Null when the library is the known build and patched; else why the runner cannot use it.</summary>
    public static string? Unavailable()
    {
        Apply();
        return _unavailable;
    }

    /// <summary>Applies the patches once (before the first engine opens); throws with the reason when the library is another build.</summary>
    public static void Require()
    {
        if (Unavailable() is { } why) throw new UnicornException(why);
    }

    internal static byte* NotDirtyImmediateByte => _base + NotDirtySite + NotDirtyImmediate;

    private static void Apply()
    {
        if (_done) return;
        lock (Gate)
        {
            if (_done) return;
            try
            {
                _unavailable = Patch();
            }
            finally
            {
                _done = true;
            }
        }
    }

    private static string? Patch()
    {
        const string Known = "Debian's libunicorn2 2.0.1.post1-1+b1 (amd64), whose paging and store paths the runner patches";
        if (!NativeLibrary.TryLoad(Uc.Library, typeof(LibraryPatches).Assembly, null, out var lib))
            return $"{Uc.Library} is not installed (Debian package libunicorn2; tools/install-deps.sh installs it)";
        if (!NativeLibrary.TryGetExport(lib, AnchorExport, out var anchor) || !NativeLibrary.TryGetExport(lib, "memory_mapping", out var mm))
            return $"{Uc.Library} lacks {AnchorExport} or memory_mapping: not {Known}";
        var b = (byte*)anchor - AnchorOffset;
        if ((byte*)mm != b + MemoryMappingOffset)
            return $"{Uc.Library} is not {Known} (memory_mapping at another offset)";
        if (!Matches(b + PaddrSite, PaddrBytes, PaddrModRm, 0xC2) || !Matches(b + NotDirtySite, NotDirtyBytes, NotDirtyImmediate, 0x00)
            || !Matches(b + CodeBufferSite, CodeBufferBytes, CodeBufferTop, 0x02))
            return $"{Uc.Library} is not {Known} (the code at a patch site differs)";
        var slot = (nint*)(b + MemoryMappingGotSlot);
        delegate* unmanaged<nint, ulong, nint> lookup = &GuestMemory.MemoryMapping;
        if (*slot != mm && *slot != (nint)lookup)
            return $"{Uc.Library} is not {Known} (its GOT slot for memory_mapping holds something else)";

        _base = b;
        OriginalMemoryMapping = (delegate* unmanaged<nint, ulong, nint>)mm;
        Write(b + PaddrSite + PaddrModRm, [0xC2], exec: true);
        Write(b + CodeBufferSite + CodeBufferTop, [0x02], exec: true);
        Write((byte*)slot, BitConverter.GetBytes((long)(nint)lookup), exec: false);
        if (Environment.GetEnvironmentVariable("UNICORN_SLOW_STORES") != "1")
            Write(NotDirtyImmediateByte, [0x00], exec: true);
        return null;
    }

    private static bool Matches(byte* at, byte[] expected, int variable, byte patched)
    {
        for (var i = 0; i < expected.Length; i++)
            if (at[i] != expected[i] && !(i == variable && at[i] == patched))
                return false;
        return true;
    }

    internal static void Write(byte* at, ReadOnlySpan<byte> bytes, bool exec)
    {
        const int ProtRead = 1, ProtWrite = 2, ProtExec = 4;
        var first = (nint)at & ~(nint)0xFFF;
        var length = (nuint)(((nint)at + bytes.Length + 0xFFF & ~(nint)0xFFF) - first);
        if (Mprotect(first, length, ProtRead | ProtWrite | (exec ? ProtExec : 0)) != 0)
            throw new UnicornException($"mprotect of libunicorn's memory failed (errno {Marshal.GetLastPInvokeError()}): cannot patch it");
        bytes.CopyTo(new Span<byte>(at, bytes.Length));
        if (Mprotect(first, length, ProtRead | (exec ? ProtExec : 0)) != 0)
            throw new UnicornException($"mprotect of libunicorn's memory failed (errno {Marshal.GetLastPInvokeError()}) after patching it");
    }
}

/// <summary>
/// Guest stores on the generated code's fast path (<see cref="LibraryPatches"/>, item 3): on by default,
/// UNICORN_SLOW_STORES=1 starts the process with it off. Process-wide; set it only while no engine runs (a TLB entry
/// filled before keeps its flag until the TLB is flushed, which every run's start does with its CR3 write).
/// </summary>
public static unsafe class FastStores
{
    private static readonly Lock Gate = new();

    public static bool Enabled
    {
        get
        {
            LibraryPatches.Require();
            return *LibraryPatches.NotDirtyImmediateByte == 0x00;
        }
        set
        {
            lock (Gate)
            {
                LibraryPatches.Require();
                if (value == Enabled) return;
                LibraryPatches.Write(LibraryPatches.NotDirtyImmediateByte, [value ? (byte)0x00 : (byte)0x04], exec: true);
            }
        }
    }

    /// <summary>"on", "off", or why the library cannot be used.</summary>
    public static string Status => LibraryPatches.Unavailable() ?? (Enabled ? "on" : "off");
}
