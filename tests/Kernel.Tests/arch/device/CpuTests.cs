using System.Text;
using Kernel.Tests.memory;
using AllocString = alloc.@string.String;
using Kernel.arch.x86_64.device.cpu;
using Kernel.Hal;

namespace Kernel.Tests.arch.device;

[Collection(KernelGlobals.Name)]
public class CpuTests
{
    private static uint Le(string four) => System.BitConverter.ToUInt32(Encoding.ASCII.GetBytes(four), 0);

    private static void Brand(string text)
    {
        byte[] b = new byte[48];
        Encoding.ASCII.GetBytes(text).CopyTo(b, 0);
        for (uint leaf = 0; leaf < 3; leaf++)
        {
            int o = (int)leaf * 16;
            Cpuid.Set(0x80000002 + leaf, 0, System.BitConverter.ToUInt32(b, o), System.BitConverter.ToUInt32(b, o + 4), System.BitConverter.ToUInt32(b, o + 8), System.BitConverter.ToUInt32(b, o + 12));
        }
    }

    /// <summary>`cpu_info(&mut string)` as sys:cpu calls it: what it wrote into the String.</summary>
    private static unsafe string Info()
    {
        using var heap = HostHeap.Install();
        AllocString s = AllocString.New();
        CpuModule.CpuInfo(&s);
        string text = Encoding.Latin1.GetString(s.AsPtr(), (int)s.Len());
        s.Dispose();
        return text;
    }

    [Fact]
    public void Cpu_info_lists_vendor_model_and_features_in_the_originals_order()
    {
        Cpuid.Reset();
        Machine.Reset();
        Cpuid.Set(0, 0, 7, Le("Genu"), Le("ntel"), Le("ineI"));
        Cpuid.Set(1, 0, 0x663, 0, (1u << 0) | (1u << 21), (1u << 0) | (1u << 4) | (1u << 26));
        Cpuid.Set(0x80000000, 0, 0x80000004, 0, 0, 0);
        Cpuid.Set(0x80000001, 0, 0, 0, 0, (1u << 29) | (1u << 20));
        Brand("QEMU Virtual CPU");
        Cpuid.Set(7, 0, 0, 1, 0, 0);
        string text = Info();
        string model = "QEMU Virtual CPU" + new string('\0', 32);
        Assert.Equal("Vendor: GenuineIntel\nModel: " + model + "\nFeatures: fpu tsc sse2 sse3 x2apic lm nx fsgsbase\n", text);
        Cpuid.Reset();
    }

    [Fact]
    public void Cpu_info_prints_frequencies_when_leaf_0x16_exists()
    {
        Cpuid.Reset();
        Machine.Reset();
        Cpuid.Set(0, 0, 0x16, Le("Auth"), Le("cAMD"), Le("enti"));
        Cpuid.Set(1, 0, 0, 0, 0, 0);
        Cpuid.Set(0x16, 0, 2400, 3600, 100, 0);
        string text = Info();
        Assert.Equal("Vendor: AuthenticAMD\nCPU Base MHz: 2400\nCPU Max MHz: 3600\nBus MHz: 100\nFeatures:\n", text);
        Cpuid.Reset();
    }

    /// <summary>QUIRK (kept, raw-cpuid 3.0): leaf 7 with sub-leaves (EAX != 0) fails an assertion.</summary>
    [Fact]
    public void Quirk_cpu_info_asserts_leaf_7_has_no_subleaves()
    {
        Cpuid.Reset();
        Machine.Reset();
        Cpuid.Set(7, 0, 1, 0, 0, 0);
        var e = Assert.Throws<KernelHalted>(() =>
        {
            Info();
        });
        Assert.Contains("PANIC: assertion failed: res.eax == 0\n", e.Serial);
        Cpuid.Reset();
    }
}
