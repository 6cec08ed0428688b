#nullable enable
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Kernel.acpi;
using Kernel.acpi.aml.parser;
using Kernel.acpi.madt;
using Kernel.acpi.sdt;
using Kernel.arch.x86_64.paging;
using Kernel.Hal;
using Kernel.Tests.memory;

namespace Kernel.Tests.acpi;

/// <summary>
/// Physical memory for the ACPI code on the host: anonymous mappings at the very addresses the
/// firmware uses (0xE0000, 0x7FFE0000...), so that the port reads the tables where the
/// original reads them, through the same identity addresses.
/// </summary>
public sealed unsafe class PhysicalMemory : IDisposable
{
    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr mmap(IntPtr addr, UIntPtr length, int prot, int flags, int fd, IntPtr offset);

    [DllImport("libc", SetLastError = true)]
    private static extern int munmap(IntPtr addr, UIntPtr length);

    private const int PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MAP_FIXED_NOREPLACE = 0x100000;

    private readonly List<(ulong Address, ulong Size)> regions = new();

    /// <summary>Maps [address, address + size) (page-aligned), zero-filled, and copies <paramref name="bytes"/> to its start.</summary>
    public void Map(ulong address, ulong size, byte[]? bytes = null)
    {
        IntPtr p = mmap((IntPtr)(long)address, (UIntPtr)size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, IntPtr.Zero);
        if ((ulong)(long)p != address)
        {
            if (p != (IntPtr)(-1)) munmap(p, (UIntPtr)size);
            throw new InvalidOperationException($"cannot map host memory at 0x{address:X} (errno {Marshal.GetLastWin32Error()})");
        }
        regions.Add((address, size));
        if (bytes != null)
        {
            Marshal.Copy(bytes, 0, p, Math.Min(bytes.Length, (int)size));
        }
    }

    public static void Write(ulong address, byte[] bytes) => Marshal.Copy(bytes, 0, (IntPtr)(long)address, bytes.Length);

    public void Dispose()
    {
        foreach (var (a, s) in regions) munmap((IntPtr)(long)a, (UIntPtr)s);
        regions.Clear();
    }
}

/// <summary>
/// QEMU's own ACPI tables, read at test time: QEMU (with its SeaBIOS) is started with the
/// scenario's machine options, left to build its tables, and its BIOS area 0xE0000..0xFFFFF and
/// the 128 KiB at 0x7FFE0000 (where it puts the tables with 2 GiB) are saved with the monitor's
/// pmemsave. Nothing of QEMU's is committed.
/// </summary>
public static class QemuTables
{
    private static readonly Dictionary<string, (byte[] Bios, byte[] Tables)> cache = new();

    public const ulong BiosBase = 0xE0000, BiosSize = 0x20000, TablesBase = 0x7FFE0000, TablesSize = 0x20000;

    public static (byte[] Bios, byte[] Tables) Get(string machine)
    {
        lock (cache)
        {
            if (cache.TryGetValue(machine, out var hit)) return hit;
            string dir = Path.Combine(Path.GetTempPath(), "acpi-tables-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string bios = Path.Combine(dir, "bios.bin"), tables = Path.Combine(dir, "tables.bin");
                var psi = new ProcessStartInfo("qemu-system-x86_64",
                    $"{machine} -display none -serial none -net none -monitor stdio")
                {
                    RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                };
                using var qemu = Process.Start(psi) ?? throw new InvalidOperationException("qemu-system-x86_64 did not start");
                qemu.OutputDataReceived += (_, _) => { };
                qemu.ErrorDataReceived += (_, _) => { };
                qemu.BeginOutputReadLine();
                qemu.BeginErrorReadLine();
                // SeaBIOS builds the tables during POST, well within this.
                System.Threading.Thread.Sleep(2500);
                qemu.StandardInput.WriteLine($"pmemsave 0x{BiosBase:X} 0x{BiosSize:X} \"{bios}\"");
                qemu.StandardInput.WriteLine($"pmemsave 0x{TablesBase:X} 0x{TablesSize:X} \"{tables}\"");
                qemu.StandardInput.WriteLine("quit");
                qemu.StandardInput.Flush();
                if (!qemu.WaitForExit(20000)) { qemu.Kill(); throw new TimeoutException("qemu did not quit"); }
                var got = (File.ReadAllBytes(bios), File.ReadAllBytes(tables));
                cache[machine] = got;
                return got;
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }
    }
}

/// <summary>
/// A host run of the ACPI code: a kernel heap, the serial capture, the ACPI statics emptied,
/// the page-table calls recorded (the host has no recursive mapping), and the local APIC that
/// device init leaves on q35 (id 0, xAPIC at KERNEL_OFFSET + 0xFEE00000).
/// </summary>
public sealed unsafe class AcpiHost : IDisposable
{
    public static readonly List<(ulong Page, ulong Frame, ulong Flags)> MapCalls = new();
    private static readonly HashSet<ulong> mapped = new();

    public HostHeap Heap { get; }

    public AcpiHost()
    {
        Heap = HostHeap.Install();
        Machine.Reset();
        MapCalls.Clear();
        mapped.Clear();
        Acpi.sdt_pointers_is_some = false;
        Acpi.SDT_POINTERS = default;
        Acpi.sdt_order_is_some = false;
        Acpi.SDT_ORDER = default;
        Acpi.ACPI_TABLE = default;
        NamespaceLock.writer = false;
        NamespaceLock.readers = 0;
        Acpi.HostTranslatePageHook = &Translate;
        Acpi.HostMapToHook = &MapTo;
        Madt.LocalApicSource = &Q35LocalApic;
    }

    private static bool Translate(ulong page) => mapped.Contains(page);

    private static void MapTo(ulong page, ulong frame, ulong flags)
    {
        MapCalls.Add((page, frame, flags));
        mapped.Add(page);
    }

    private static LocalApicView Q35LocalApic() => new LocalApicView { address = 0xFFFFFF00FEE00000, x2 = false, id = 0 };

    /// <summary>acpi::init with a default (never touched) active table.</summary>
    public void Init()
    {
        var table = default(ActivePageTable);
        Acpi.Init(ref table);
    }

    /// <summary>Live heap bytes (heap size minus the holes).</summary>
    public ulong HeapUsed() => Heap.Size() - Heap.Holes().Aggregate(0UL, (s, h) => s + h.Size);

    /// <summary>The namespace as (name, kind) in key order.</summary>
    public static List<(string Name, Kernel.acpi.aml.namespace_.AmlValueKind Kind)> Namespace()
    {
        var list = new List<(string, Kernel.acpi.aml.namespace_.AmlValueKind)>();
        if (!Acpi.ACPI_TABLE.namespace_is_some) return list;
        ref var ns = ref Acpi.ACPI_TABLE.namespace_;
        for (ulong i = 0; i < ns.Len(); i++)
        {
            var e = ns.At(i);
            list.Add((Str(e->key), e->value.kind));
        }
        return list;
    }

    public static Kernel.acpi.aml.namespace_.AmlValue* Lookup(string name)
    {
        var key = alloc.@string.String.FromStr(name);
        var v = Acpi.ACPI_TABLE.namespace_.Get(&key);
        key.Dispose();
        return v;
    }

    public static string Str(in alloc.@string.String s)
    {
        var sb = new StringBuilder();
        for (ulong i = 0; i < s.Len(); i++) sb.Append((char)s.AsPtr()[i]);
        return sb.ToString();
    }

    public void Dispose()
    {
        Acpi.HostTranslatePageHook = null;
        Acpi.HostMapToHook = null;
        Madt.LocalApicSource = null;
        Acpi.sdt_pointers_is_some = false;
        Acpi.sdt_order_is_some = false;
        Acpi.ACPI_TABLE = default;
        Heap.Dispose();
    }
}

/// <summary>Reading the original's recordings (traces/reference).</summary>
public static class AcpiReference
{
    /// <summary>What the original printed during acpi::init: the lines between the graphical debug ones.</summary>
    public static string AcpiLines(string scenario)
    {
        string log = ReferenceTrace.SerialText(scenario);
        const string start = "Starting graphical debug\n", end = "Finished graphical debug\n";
        int a = log.IndexOf(start, StringComparison.Ordinal) + start.Length;
        int b = log.IndexOf(end, a, StringComparison.Ordinal);
        return log.Substring(a, b - a);
    }

    /// <summary>
    /// The leaf mappings acpi::init added in the original (page tables at acpi_done minus those
    /// at device_done), outside the kernel heap, as (page, frame, flags without ACCESSED/DIRTY).
    /// </summary>
    public static SortedSet<(ulong Page, ulong Frame, ulong Flags)> AcpiMappings(string scenario)
    {
        Dictionary<ulong, ulong>? before = null, after = null;
        foreach (var line in File.ReadLines(ReferenceTrace.TraceFile(scenario)))
        {
            if (!line.Contains("\"page_tables\"")) continue;
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.GetProperty("type").GetString() != "page_tables") continue;
            var cp = doc.RootElement.GetProperty("checkpoint").GetString();
            if (cp == "device_done") before = Leaves(doc.RootElement);
            if (cp == "acpi_done") after = Leaves(doc.RootElement);
        }
        var set = new SortedSet<(ulong, ulong, ulong)>();
        foreach (var (va, e) in after!)
        {
            if (before!.ContainsKey(va) || (e & 1) == 0) continue;
            if (va >= 0xFFFFFE8000000000 && va < 0xFFFFFF0000000000) continue; // the heap growth
            set.Add((va, e & 0x000F_FFFF_FFFF_F000, e & ~0x000F_FFFF_FFFF_F000UL & ~0x60UL & ~0x3FF0_0000_0000_0000UL));
        }
        return set;
    }

    private static Dictionary<ulong, ulong> Leaves(JsonElement pt)
    {
        var d = new Dictionary<ulong, ulong>();
        foreach (var t in pt.GetProperty("tables").EnumerateArray())
        {
            if (t.GetProperty("level").GetInt32() != 1) continue;
            ulong va = Convert.ToUInt64(t.GetProperty("va").GetString(), 16);
            foreach (var e in t.GetProperty("entries").EnumerateObject())
            {
                d[va + ulong.Parse(e.Name) * 4096] = Convert.ToUInt64(e.Value.GetString(), 16);
            }
        }
        return d;
    }
}
