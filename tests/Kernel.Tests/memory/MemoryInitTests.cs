using Kernel.Hal;
using Kernel.memory;

namespace Kernel.Tests.memory;

[Collection(KernelGlobals.Name)]
public unsafe class MemoryInitTests
{
    [Fact]
    public void Init_prints_every_non_null_area_with_rusts_debug_format()
    {
        Machine.Reset();
        var map = new MemoryArea[Memory.MEMORY_MAP_ENTRIES];
        map[0] = new MemoryArea { base_addr = 0, length = 654336, _type = 1, acpi = 0 };
        map[1] = new MemoryArea { base_addr = 654336, length = 1024, _type = 2, acpi = 0 };
        // a null entry in the middle is skipped, the ones after it still count
        map[3] = new MemoryArea { base_addr = 1086626725888, length = 12884901888, _type = 2, acpi = 0 };
        fixed (MemoryArea* p = map)
        {
            Memory.InitFrom(p, 0, 0x500000);
        }
        Assert.Equal(
            "MemoryArea { base_addr: 0, length: 654336, _type: 1, acpi: 0 }\n" +
            "MemoryArea { base_addr: 654336, length: 1024, _type: 2, acpi: 0 }\n" +
            "MemoryArea { base_addr: 1086626725888, length: 12884901888, _type: 2, acpi: 0 }\n",
            Machine.Serial);
    }

    [Fact]
    public void Only_the_first_512_entries_of_the_map_are_copied()
    {
        Machine.Reset();
        var map = new MemoryArea[800];
        map[511] = new MemoryArea { base_addr = 0x100000, length = 0x1000, _type = 1 };
        map[512] = new MemoryArea { base_addr = 0x200000, length = 0x1000, _type = 1 };
        fixed (MemoryArea* p = map)
        {
            Memory.InitFrom(p, 0, 0x500000);
        }
        Assert.Equal("MemoryArea { base_addr: 1048576, length: 4096, _type: 1, acpi: 0 }\n", Machine.Serial);
    }

    [Fact]
    public void MemoryArea_is_the_24_byte_packed_e820_entry()
    {
        Assert.Equal(24, sizeof(MemoryArea));
    }
}
