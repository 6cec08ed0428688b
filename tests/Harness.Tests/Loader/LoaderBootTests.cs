using System.Text;
using Harness.Loader;
using Harness.Qemu;

namespace Harness.Tests.Loader;

/// <summary>The boot contract, checked from inside a real boot: the probe kernel reports what it was handed.</summary>
public sealed class LoaderBootTests
{
    private const ulong StackTop = 0xFFFFFF0000080000 + 0x1F000;

    [Fact]
    public async Task Args_without_slot_report_the_file_size()
    {
        var kernel = TestKernels.Bytes("probe");
        var probe = await Boot.ProbeAsync(TestKernels.Config("probe"));

        Assert.Equal(0x804EUL, probe["rdi"]);
        Assert.Equal(0x100000UL, probe["kernel_base"]);
        Assert.Equal((ulong)kernel.Length, probe["kernel_size"]);
        Assert.Equal(0xFFFFFF0000080000UL, probe["stack_base"]);
        Assert.Equal(0x1F000UL, probe["stack_size"]);
        Assert.Equal(StackTop, probe["env_base"]);
        Assert.Equal(0UL, probe["env_size"]);
        Assert.Empty(probe.Environment);
    }

    [Fact]
    public async Task Kernel_is_loaded_raw_and_entered_at_e_entry_from_the_fixed_call_site()
    {
        var kernel = TestKernels.Bytes("probe");
        var probe = await Boot.ProbeAsync(TestKernels.Config("probe"));

        Assert.Equal((ulong)kernel.Length, probe["elf_end"]);
        Assert.Equal(kernel.Aggregate(0UL, (sum, b) => sum + b), probe["img_sum"]);
        Assert.Equal(BitConverter.ToUInt64(kernel, 0x18), probe["e_entry"]);
        Assert.Equal(probe["e_entry"], probe["entry"]);
        // call [0x100018] from 0x87F1: the return address and an aligned stack below it
        Assert.Equal(0x87F4UL, probe["ret"]);
        Assert.Equal(StackTop - 8, probe["rsp"]);
        Assert.Equal(0UL, probe["rbp"]);
        Assert.Equal(0UL, probe["tramp_nz"]);
    }

    [Fact]
    public async Task Slot_of_4_MiB_is_reported_and_zero_after_the_file()
    {
        var kernel = TestKernels.Bytes("probe");
        var probe = await Boot.ProbeAsync(TestKernels.Config("probe") with { KernelSlot = 0x400000 });

        Assert.Equal(0x400000UL, probe["kernel_size"]);
        Assert.Equal((ulong)kernel.Length, probe["elf_end"]);
        Assert.Equal(kernel.Aggregate(0UL, (sum, b) => sum + b), probe["img_sum"]);
        Assert.Equal(0UL, probe["slot_tail_nz"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(4096)]
    public async Task Environment_is_copied_onto_the_top_of_the_stack(int length)
    {
        var env = Enumerable.Range(0, length).Select(i => (byte)(i * 7 + 1)).ToArray();
        if (length == 13)
            env = Encoding.ASCII.GetBytes("HELLO=1\nX=yz\n");
        var probe = await Boot.ProbeAsync(TestKernels.Config("probe") with { Environment = env });

        Assert.Equal((ulong)length, probe["env_size"]);
        Assert.Equal(StackTop - (ulong)length, probe["env_base"]);
        Assert.Equal(env, probe.Environment);
        // the stack is aligned down to 16 below the block, then the call pushes the return address
        Assert.Equal(((StackTop - (ulong)length) & ~0xFUL) - 8, probe["rsp"]);
    }

    [Fact]
    public async Task Cpu_state_gdt_and_segments_match_the_original()
    {
        var probe = await Boot.ProbeAsync(TestKernels.Config("probe"));

        // the values the reference recorded at kstart (q35-2g-slot4m, first checkpoint)
        Assert.Equal(0x80010033UL, probe["cr0"]);
        Assert.Equal(0x70000UL, probe["cr3"]);
        Assert.Equal(0x6B0UL, probe["cr4"]);
        Assert.Equal(0xD00UL, probe["efer"]);
        Assert.Equal(0x8840UL, probe["gdtr_base"]);
        Assert.Equal(0x19UL, probe["gdtr_limit"]);
        const ulong accessed = 1UL << 40;
        Assert.Equal(0UL, probe["gdt0"]);
        Assert.Equal(0x0020980000000000UL, probe["gdt1"] & ~accessed);
        Assert.Equal(0x0000920000000000UL, probe["gdt2"] & ~accessed);
        Assert.Equal(0x08UL, probe["cs"]);
        foreach (var seg in new[] { "ds", "es", "ss", "fs", "gs" })
            Assert.Equal(0x10UL, probe[seg]);
    }

    [Fact]
    public async Task Page_tables_at_0x70000_map_4_GiB_twice_and_recurse()
    {
        var probe = await Boot.ProbeAsync(TestKernels.Config("probe"));
        const ulong accessedDirty = 0x60;

        Assert.Equal(0x71003UL, probe["pml4_0"] & ~accessedDirty);
        Assert.Equal(0x71003UL, probe["pml4_510"] & ~accessedDirty);
        Assert.Equal(0x70003UL, probe["pml4_511"] & ~accessedDirty);
        Assert.Equal(3UL, probe["pml4_nz"]);
        for (var i = 0; i < 4; i++)
            Assert.Equal(0x72003UL + (ulong)i * 0x1000, probe[$"pdp_{i}"] & ~accessedDirty);
        Assert.Equal(4UL, probe["pdp_nz"]);
        Assert.Equal(0x83UL, probe["pd_0"] & ~accessedDirty);
        Assert.Equal(0x200083UL, probe["pd_1"] & ~accessedDirty);
        Assert.Equal(0xFFE00083UL, probe["pd_2047"] & ~accessedDirty);
        Assert.Equal(0UL, probe["pd_bad"]);
    }

    [Fact]
    public async Task Bios_memory_map_starts_with_free_low_memory_and_is_zero_after_its_end()
    {
        var probe = await Boot.ProbeAsync(TestKernels.Config("probe"));

        Assert.True(probe.E820.Count >= 3, $"only {probe.E820.Count} entries");
        Assert.Equal(0UL, probe.E820[0].Base);
        Assert.Equal(1u, probe.E820[0].Type);
        Assert.Contains(probe.E820, e => e.Base == 0x100000 && e.Type == 1);
        Assert.Equal((ulong)probe.E820.Count, probe["e820_count"]);
        Assert.Equal(0UL, probe["e820_tail_nz"]);
    }

    [Fact]
    public async Task Explicit_memory_map_is_written_exactly()
    {
        // the zero-length-wrap scenario's map: a zero-length free area at base 0 first
        E820Entry[] map =
        [
            new(0, 0, 1), new(0, 654336, 1), new(654336, 1024, 2), new(983040, 65536, 2),
            new(1048576, 5242880, 1), new(6291456, 1048576, 2), new(7340032, 2140008448, 1),
            new(2147348480, 135168, 2), new(2952790016, 268435456, 2), new(4294705152, 262144, 2, 7),
        ];
        var probe = await Boot.ProbeAsync(TestKernels.Config("probe") with { MemoryMap = map });

        Assert.Equal(map, probe.E820);
        Assert.Equal(0UL, probe["e820_tail_nz"]);
    }

    [Fact]
    public async Task Explicit_memory_map_of_800_entries_fills_the_area()
    {
        var map = Enumerable.Range(0, 800)
            .Select(i => new E820Entry((ulong)i << 20, 0x1000UL * (ulong)(i + 1), (uint)(1 + i % 5), (uint)i))
            .ToArray();
        var probe = await Boot.ProbeAsync(TestKernels.Config("probe") with { MemoryMap = map });

        Assert.Equal(map, probe.E820);
    }

    [Theory]
    [InlineData(1024, 768)]
    [InlineData(800, 600)]
    public async Task Vbe_mode_info_at_0x5200_is_the_chosen_mode(int width, int height)
    {
        var probe = await Boot.ProbeAsync(TestKernels.Config("probe") with
        {
            Vbe = new VbeResolution((ushort)width, (ushort)height),
        });

        Assert.Equal((ulong)width, probe["vbe_x"]);
        Assert.Equal((ulong)height, probe["vbe_y"]);
        Assert.Equal(32UL, probe["vbe_bpp"]);
        Assert.NotEqual(0UL, probe["vbe_fb"]);
    }

    [Fact]
    public async Task Without_a_vga_device_the_mode_info_stays_zero_and_the_boot_goes_on()
    {
        var probe = await Boot.ProbeAsync(TestKernels.Config("probe"), o => o with { Vga = "none" });

        Assert.Equal(0UL, probe["vbe_nz"]);
    }

    [Fact]
    public async Task Without_vbe_in_the_config_no_mode_is_looked_for()
    {
        var probe = await Boot.ProbeAsync(TestKernels.Config("probe") with { Vbe = null });

        Assert.Equal(0UL, probe["vbe_nz"]);
    }

    [Fact]
    public async Task A_resolution_the_bios_does_not_have_is_a_loader_error()
    {
        var outcome = await Boot.RunAsync(TestKernels.Config("probe") with { Vbe = new VbeResolution(1234, 567) });

        var error = Assert.IsType<BootOutcome.LoaderError>(outcome);
        Assert.Equal("loader: no VBE mode 1234x567x32", error.Message);
        Assert.Equal((int)LoaderExitCode.NoVbeMode, error.Code);
        Assert.Empty(outcome.Transcript.Serial.ToArray());
    }

    [Fact]
    public async Task A_kernel_larger_than_memory_is_a_loader_error()
    {
        var outcome = await Boot.RunAsync(
            TestKernels.Config("probe") with { KernelSlot = 32 * 1024 * 1024 },
            o => o with { MemoryMiB = 32 });

        var error = Assert.IsType<BootOutcome.LoaderError>(outcome);
        Assert.StartsWith("loader: kernel too big: 32768 KiB to load at 1 MiB, BIOS reports ", error.Message);
        Assert.Equal((int)LoaderExitCode.KernelTooBig, error.Code);
        Assert.Empty(outcome.Transcript.Serial.ToArray());
    }

    [Fact]
    public async Task A_disk_read_failure_is_a_loader_error()
    {
        using var dir = new TempDir();
        var image = DiskImageBuilder.Build(TestKernels.Config("exit") with { KernelSlot = 0x800000 }, dir.File("disk.img"));
        using (var file = new FileStream(image.Path, FileMode.Open))
            file.SetLength(4 * 1024 * 1024); // the kernel's last sectors are past the end of the disk

        var outcome = await QemuRunner.RunAsync(new QemuOptions
        {
            DiskImage = image.Path,
            Timeout = Boot.DefaultTimeout,
            WorkDirectory = dir.File("run"),
        });

        var error = Assert.IsType<BootOutcome.LoaderError>(outcome);
        Assert.Matches(@"^loader: disk read error \(int 13h status \d+\) at LBA \d+$", error.Message);
        Assert.Equal((int)LoaderExitCode.DiskRead, error.Code);
    }

    [Fact]
    public async Task The_pc_machine_boots_the_same_way()
    {
        var probe = await Boot.ProbeAsync(TestKernels.Config("probe"), o => o with { Machine = "pc" });

        Assert.Equal(0x804EUL, probe["rdi"]);
        Assert.Equal(0x8840UL, probe["gdtr_base"]);
        Assert.Equal(1024UL, probe["vbe_x"]);
    }

    [Fact]
    public async Task An_application_processor_started_at_0x8000_reaches_the_trampoline_code()
    {
        var outcome = await Boot.RunAsync(TestKernels.Config("ap"), o => o with { Cpus = 2 });
        var ap = ProbeReport.From(outcome, exitCode: 0x12, doneLine: "ap kernel: done");

        Assert.Equal(1UL, ap["ready"]);
        Assert.Equal(0x7E08UL, ap["ap_rdi"]); // &trampoline.cpu_id
        Assert.Equal(1UL, ap["ap_cpu_id"]);
        Assert.Equal(0x60000UL - 256, ap["ap_rsp"]); // stack_end - 256
        Assert.Equal(0x70000UL, ap["ap_cr3"]);
        Assert.Equal(0x6B0UL, ap["ap_cr4"]);
        Assert.Equal(0xD00UL, ap["ap_efer"]);
        Assert.Equal(0x80010033UL, ap["ap_cr0"] & ~0x60000000UL); // CD/NW stay as the AP came out of reset
        Assert.Equal(0x08UL, ap["ap_cs"]);
        Assert.Equal(0x10UL, ap["ap_ss"]);
    }

    [Fact]
    public async Task The_loader_writes_nothing_to_com1()
    {
        var outcome = await Boot.RunAsync(TestKernels.Config("probe"));

        var text = outcome.Transcript.SerialText;
        Assert.StartsWith("probe: start\n", text);
        Assert.Equal("", outcome.Transcript.Debugcon);
    }
}
