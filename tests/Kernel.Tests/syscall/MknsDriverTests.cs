#nullable enable
using Kernel.common;
using Kernel.Hal;
using Kernel.scheme;
using Kernel.syscall;
using Kernel.Tests.memory;
using Kernel.Tests.scheme;
using Memory = Kernel.memory.Memory;
using syscall.error;

namespace Kernel.Tests.syscall;

/// <summary>syscall/privilege.rs `mkns` (SchemeList::make_ns) and syscall/driver.rs's root-only calls.</summary>
[Collection(KernelGlobals.Name)]
public unsafe class MknsDriverTests : SchemeHost
{
    private static long Mkns(params string[] names)
    {
        Slice* s = (Slice*)User(16 * names.Length);
        for (int i = 0; i < names.Length; i++)
        {
            s[i].ptr = UserString(names[i]);
            s[i].len = (ulong)names[i].Length;
        }
        return Mux(Privilege.Mkns(s, (ulong)names.Length));
    }

    [Fact]
    public void Mkns_makes_a_namespace_with_the_six_common_schemes_and_the_names_given()
    {
        Assert.Equal(2, Mkns("debug", "pipe"));
        WithContext(Current, p => ((Kernel.context.context.Context*)p)->ens = SchemeNamespace.From(2));
        Assert.Equal("\ndebug\nenv\nevent\nmemory\npipe\nsys\ntime\n", Cat(":"));
        // debug and pipe are the root namespace's schemes (ids 7 and 10); the six are new ones (11..16)
        Assert.Equal("  11: \n   7: debug\n  13: env\n  12: event\n  14: memory\n  10: pipe\n  15: sys\n  16: time\n", Cat("sys:scheme_num"));
        Assert.Equal(-Error.ENODEV, Open("initfs:"));
    }

    [Fact]
    public void A_missing_name_is_ENODEV_after_the_namespace_is_made()
    {
        Assert.Equal(-Error.ENODEV, Mkns("nosuch"));
        Assert.Equal(3, Mkns()); // namespace 2 was made (and stays)
    }

    [Fact]
    public void Mkns_is_root_only_and_validates_the_names_first()
    {
        SetUid(Current, 1000);
        Assert.Equal(-Error.EACCES, Mkns("debug"));
        Slice* s = (Slice*)User(16);
        s[0].ptr = (byte*)0x10;
        s[0].len = 3;
        Assert.Equal(-Error.EFAULT, Mux(Privilege.Mkns(s, 1)));
    }

    /// <summary>QUIRK U8: a name the new namespace already has fails make_ns's assertion (the kernel panics).</summary>
    [Fact]
    public void Quirk_U8_mkns_of_a_name_the_new_namespace_has_panics()
    {
        var e = Assert.Throws<KernelHalted>(() => Mkns("event"));
        Assert.Contains("PANIC: assertion failed: names.insert(name.to_vec().into_boxed_slice(), id).is_none()\nFILE: src/scheme/mod.rs\nLINE: 170\n", e.Serial);
    }

    [Fact]
    public void Driver_calls_are_EPERM_for_a_non_root_effective_uid()
    {
        SetUid(Current, 1000);
        Assert.Equal(Error.EPERM, Driver.Physalloc(4096).err.errno);
        Assert.Equal(Error.EPERM, Driver.Physfree(0x1000, 4096).err.errno);
        Assert.Equal(Error.EPERM, Driver.Virttophys(0x400000).err.errno);
        WithContext(Current, p => ((Kernel.context.context.Context*)p)->euid = 0); // ruid 1000, euid 0: allowed
        Assert.True(Driver.EnforceRoot().is_ok);
    }

    private static bool Translate(ulong v, ulong* phys)
    {
        if (v >> 12 != 0x400) return false;
        *phys = 0x123000 | (v & 0xFFF);
        return true;
    }

    [Fact]
    public void Virttophys_is_the_active_tables_translation_or_EFAULT()
    {
        Driver.HostTranslateHook = &Translate;
        try
        {
            Assert.Equal(0x123456UL, Driver.Virttophys(0x400456).ok);
            Assert.Equal(Error.EFAULT, Driver.Virttophys(0x500000).err.errno);
        }
        finally
        {
            Driver.HostTranslateHook = null;
        }
    }

    /// <summary>QUIRK DRV1: physfree frees whatever it is told, twice too; physalloc rounds up to whole frames.</summary>
    [Fact]
    public void Quirk_DRV1_physfree_checks_nothing_and_physalloc_rounds_up()
    {
        MemoryMaps.Init(0, 0x100000, MemoryMaps.Area(0x100000, 0x10000));
        Memory.InitNoncore();
        ulong a = Driver.Physalloc(4097).ok;
        ulong b = Driver.Physalloc(1).ok;
        Assert.Equal(a + 0x2000, b); // two frames for 4097 bytes
        Assert.Equal(0UL, Driver.Physfree(a, 8192).ok);
        Assert.Equal(0UL, Driver.Physfree(a, 8192).ok); // again: accepted
        Assert.Equal(0UL, Driver.Physfree(0x100000, 4096).ok); // the kernel's frame: accepted
    }
}
