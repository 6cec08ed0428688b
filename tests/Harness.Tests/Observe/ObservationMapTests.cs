using Harness.Elf;
using Harness.Observe.Map;
using Harness.Tests.Elf;
using Iced.Intel;

namespace Harness.Tests.Observe;

public class ObservationMapTests(TestKernelImage images) : IClassFixture<TestKernelImage>
{
    private const string Minimal = """
        kernel = "port"
        entry = "kstart"
        """;

    private static ObservationMapException Refused(string text, string file = "bad.toml") =>
        Assert.Throws<ObservationMapException>(() => ObservationMapLoader.Parse(text, file));

    [Fact]
    public void Both_committed_maps_name_the_same_interrupt_handlers()
    {
        var port = ObservationMapLoader.Load(ObserveFixtures.PortMap).Handlers;
        var original = ObservationMapLoader.Load(ObserveFixtures.OriginalMap).Handlers;
        // idt::init's set_func calls: 20 exceptions, 16 IRQs, 2 IPIs, the syscall gate.
        Assert.Equal(39, port.Count);
        Assert.Equal(port.Select(h => h.Name).Order(), original.Select(h => h.Name).Order());
        Assert.Equal("irq_com1", port.Single(h => h.Name == "irq::com1").Symbol);
        Assert.Equal("kernel::arch::x86_64::interrupt::irq::com1", original.Single(h => h.Name == "irq::com1").Symbol);
    }

    [Fact]
    public void A_handler_must_name_a_symbol()
    {
        var e = Refused(Minimal + "\n[handlers]\n\"irq::com1\" = 3\n");
        Assert.Contains("bad.toml:4", e.Message);
        Assert.Contains("must be a string", e.Message);
    }

    [Fact]
    public void The_committed_maps_parse()
    {
        var port = ObservationMapLoader.Load(ObserveFixtures.PortMap);
        Assert.Equal("port", port.Kernel);
        Assert.Equal(SymbolMatching.Exact, port.Matching);
        Assert.Equal("kstart", port.Entry);
        Assert.Equal("memory_done", port.Checkpoints[0].Name);
        Assert.Single(port.FrameAlloc);
        Assert.Equal(("rax", "rdx"), (port.FrameAlloc[0].ResultTagRegister, port.FrameAlloc[0].ResultFrameRegister));
        Assert.NotNull(port.FrameAllocator);
        Assert.NotNull(port.Heap);
        Assert.Equal(64, port.Sha256.Length);
        Assert.Equal([0x0], port.CleanExitCodes); // a userspace program's isa-debug-exit 0, as the original's map
        Assert.Equal(["power-off", "reset"], port.CleanStops); // stop.rs's kstop and kreset, as the original's map
        Assert.Equal("hal_wrmsr", Assert.Single(port.PatWrites).In);
        // Mapper::unmap_inner's frees and Memory::unmap's (user memory's drop) are inlined in the original:
        // neither side records them as calls.
        Assert.Equal(["Kernel_Kernel_arch_x86_64_paging_mapper_Mapper__UnmapInner", "Kernel_Kernel_context_memory_Memory__Unmap",
                      "Kernel_Kernel_syscall_Driver__Physfree"],
            Assert.Single(port.FrameFree).UnseenCallers);

        var original = ObservationMapLoader.Load(ObserveFixtures.OriginalMap);
        Assert.Equal("original", original.Kernel);
        Assert.Equal(SymbolMatching.Rust, original.Matching);
        Assert.Equal(3, original.FrameAlloc.Count);
        // Its state records (offsets from the rebuild's DWARF, redox-0.3.5/PROVENANCE.md), the PAT and the per-CPU statics.
        Assert.Equal((0x8UL, 0x28UL, 0x30UL, 0x8UL, 0x10UL), (original.FrameAllocator!.Offset, original.FrameAllocator.NextFreeFrame,
            original.FrameAllocator.CurrentArea, original.FrameAllocator.RecycledPtr, original.FrameAllocator.RecycledLen));
        Assert.Null(original.FrameAllocator.SomeFlag);
        Assert.Equal((0x8UL, 0x18UL, 0x20UL, 0x8UL), (original.Heap!.Offset, original.Heap.Bottom, original.Heap.Size, original.Heap.FirstHole));
        Assert.Equal("kernel::arch::x86_64::paging::init", Assert.Single(original.PatWrites).In);
        Assert.Equal(["context_id", "gdt", "tss"], original.Statics.Select(s => s.Name).Order());
        // gdt::init is inlined into kstart in the original: gdt_done is the call of idt::init.
        var gdt = original.Checkpoints.Single(c => c.Name == "gdt_done");
        Assert.False(gdt.Location.AfterCall);
        Assert.Equal("kernel::arch::x86_64::idt::init", gdt.Location.Callee);
    }

    [Fact]
    public void Processes_are_read_from_the_map_and_refused_when_malformed()
    {
        var original = ObservationMapLoader.Load(ObserveFixtures.OriginalMap);
        var p = original.Processes!;
        Assert.True(p.Lifecycle);
        Assert.Equal(["exec", "exit", "panic"], p.AddressSpace);
        Assert.Equal(["iopl"], p.AddressSpaceCalls);
        Assert.Equal(("kernel::context::signal::signal_handler", "rdi"), (p.SignalAt, p.SignalRegister));

        const string syscall = "\n[syscall]\nat = \"d\"\nnumber = \"rdi\"\nargs = [\"rsi\", \"rdx\", \"rcx\", \"r8\", \"r9\"]\nresult = \"rax\"\n";
        var moment = Refused(Minimal + syscall + "[processes]\naddress_space = [\"fork\"]\n", "p.toml");
        Assert.Contains("address_space moment `fork` is not one of exec, exit, panic", moment.Message);
        Assert.Contains("needs a [syscall] table", Refused(Minimal + "\n[processes]\nlifecycle = true\n").Message);
        Assert.Contains("signal_at and signal go together", Refused(Minimal + syscall + "[processes]\nsignal_at = \"h\"\n").Message);
        Assert.Contains("unknown key `signals`", Refused(Minimal + syscall + "[processes]\nsignals = 1\n").Message);
    }

    [Fact]
    public void A_syntax_error_names_file_and_line()
    {
        var e = Refused(Minimal + "\n[checkpoints\n", "syntax.toml");
        Assert.StartsWith("syntax.toml:3:", e.Errors[0].ToString());
    }

    [Fact]
    public void An_unknown_key_names_file_line_and_the_known_keys()
    {
        var e = Refused(Minimal + "\n\n[[frame_alloc]]\nat = \"f\"\ncount = \"rdi\"\nresult = [\"rax\", \"rdx\"]\ncuont = 1\n", "typo.toml");
        var error = Assert.Single(e.Errors);
        Assert.Equal(("typo.toml", 8), (error.File, error.Line));
        Assert.Contains("unknown key `cuont` in [frame_alloc]", error.Text);
        Assert.Contains("count", error.Text);
    }

    [Fact]
    public void An_unknown_top_level_key_is_refused()
    {
        var e = Refused(Minimal + "\nentyr = \"x\"\n");
        Assert.Contains("bad.toml:3:", e.Message);
        Assert.Contains("unknown key `entyr` at the top level", e.Message);
    }

    [Fact]
    public void Missing_required_keys_are_named()
    {
        var e = Refused("kernel = \"port\"\n[[frame_alloc]]\nat = \"f\"\n");
        Assert.Contains(e.Errors, x => x.Text.Contains("missing required key `entry`"));
        Assert.Contains(e.Errors, x => x.Text.Contains("missing required key `frame_alloc.count`"));
        Assert.Contains(e.Errors, x => x.Text.Contains("missing required key `frame_alloc.result`"));
    }

    [Theory]
    [InlineData("memory_done = { at = \"a\", after_call = \"b\", in = \"c\" }", "exactly one of")]
    [InlineData("memory_done = { after_call = \"b\" }", "needs `in`")]
    [InlineData("memory_done = { after_call = \"b\", in = \"c\", nth = 0 }", "counts from 1")]
    [InlineData("launch_done = { at = \"a\" }", "unknown checkpoint `launch_done`")]
    [InlineData("paging_done = { at = \"a\" }\nmemory_done = { at = \"b\" }", "out of kstart's order")]
    [InlineData("memory_done = { at = \"a\", optinal = true }", "unknown key `optinal`")]
    public void Bad_checkpoints_are_refused_with_their_line(string checkpoints, string expected)
    {
        var e = Refused(Minimal + "\n[checkpoints]\n" + checkpoints + "\n");
        var error = e.Errors.First(x => x.Text.Contains(expected));
        Assert.True(error.Line >= 4, error.ToString());
    }

    [Fact]
    public void Clean_stops_are_power_off_and_reset_only_and_none_by_default()
    {
        Assert.Empty(ObservationMapLoader.Parse(Minimal, "min.toml").CleanStops);
        Assert.Equal(["power-off"], ObservationMapLoader.Parse(Minimal + "\nclean_stop = \"power-off\"\n", "one.toml").CleanStops);
        var e = Refused(Minimal + "\nclean_stop = [\"reset\", \"triple-fault\"]\n");
        Assert.Contains("bad.toml:3:", e.Message);
        Assert.Contains("not \"triple-fault\"", e.Message);
    }

    [Fact]
    public void Power_off_is_a_code_location_and_both_committed_maps_name_kstops_call_of_set_global_s_state()
    {
        Assert.Null(ObservationMapLoader.Parse(Minimal, "min.toml").PowerOff);
        var po = ObservationMapLoader.Parse(Minimal + "\n[power_off]\nafter_call = \"f\"\nin = \"g\"\n", "po.toml").PowerOff;
        Assert.Equal(("f", "g", true), (po!.Callee, po.Caller, po.AfterCall));
        Assert.Contains("needs `in`", Refused(Minimal + "\n[power_off]\nafter_call = \"f\"\n").Message);
        Assert.Equal("kernel::acpi::set_global_s_state", ObservationMapLoader.Load(ObserveFixtures.OriginalMap).PowerOff!.Callee);
        Assert.Equal("Kernel_Kernel_arch_x86_64_stop_Stop__KStop", ObservationMapLoader.Load(ObserveFixtures.PortMap).PowerOff!.Caller);
    }

    [Fact]
    public void Registers_must_be_general_purpose_registers()
    {
        var e = Refused(Minimal + "\n[[frame_free]]\nat = \"f\"\nframe = \"rdi\"\ncount = \"xmm0\"\n");
        Assert.Contains("bad.toml:6:", e.Message);
        Assert.Contains("\"xmm0\" is not a general-purpose register", e.Message);
    }

    [Fact]
    public void A_missing_required_symbol_names_the_symbol_the_elf_and_the_map_line()
    {
        var map = ObservationMapLoader.Parse("""
            kernel = "original"
            symbols = "rust"
            entry = "_start"

            [checkpoints]
            paging_done = { after_call = "kernel::arch::x86_64::paging::init", in = "_start" }
            kmain = { at = "kernel::kmain" }
            """, "original.toml");
        var elf = ElfImage.Load(images.Kernel);
        var e = Assert.Throws<ObservationMapException>(() => ResolvedObservationMap.Resolve(map, elf));
        var error = Assert.Single(e.Errors);
        Assert.Equal(("original.toml", 7), (error.File, error.Line));
        Assert.Contains("'kernel::kmain'", error.Text);
        Assert.Contains(images.Kernel, error.Text);
        Assert.Contains("required", error.Text);
    }

    [Fact]
    public void An_optional_missing_symbol_is_reported_as_not_present()
    {
        var map = ObservationMapLoader.Parse("""
            kernel = "original"
            symbols = "rust"
            entry = "_start"

            [checkpoints]
            kmain = { at = "kernel::kmain", optional = true }

            [[heap_extend]]
            at = "linked_list_allocator::Heap::extend"
            by = "rsi"
            optional = true
            """, "optional.toml");
        var resolved = ResolvedObservationMap.Resolve(map, ElfImage.Load(images.Kernel));
        Assert.Empty(resolved.Checkpoints);
        Assert.Empty(resolved.HeapExtend);
        Assert.Equal(2, resolved.NotPresent.Count);
        Assert.All(resolved.NotPresent, n => Assert.Contains("not present in this kernel", n));
        Assert.Contains(resolved.NotPresent, n => n.Contains("kernel::kmain"));
    }

    [Fact]
    public void Rust_names_match_without_their_hash_and_call_sites_are_found_by_disassembly()
    {
        var map = ObservationMapLoader.Parse($$"""
            kernel = "original"
            symbols = "rust"
            entry = "_start"

            [checkpoints]
            paging_done = { after_call = "kernel::arch::x86_64::paging::init", in = "_start" }
            gdt_done = { before_call = "{{TestKernelImage.AotAllocate}}", in = "_start" }

            [[frame_alloc]]
            at = "kernel::arch::x86_64::*::init"
            count = "rdi"
            result = ["rax", "rdx"]
            """, "rust.toml");
        var elf = ElfImage.Load(images.Kernel);
        var resolved = ResolvedObservationMap.Resolve(map, elf);
        var start = elf.DisassembleSymbol("_start");
        var calls = start.Where(i => i.Instruction.Mnemonic == Mnemonic.Call).ToList();
        Assert.Equal(calls[0].Instruction.NextIP, resolved.Checkpoints[0].Address);
        Assert.Equal(calls[1].Instruction.IP, resolved.Checkpoints[1].Address);
        Assert.Equal(elf.Require(TestKernelImage.PagingInit).Value, resolved.FrameAlloc[0].Address);
        Assert.Empty(resolved.PatWrites);
        Assert.Equal("kernel::arch::x86_64::paging::init::hb719c73a8f8ac8ff", resolved.FrameAlloc[0].Symbol);
    }

    [Fact]
    public void The_pat_wrmsr_is_found_by_disassembly()
    {
        var map = ObservationMapLoader.Parse("""
            kernel = "original"
            symbols = "rust"
            entry = "_start"

            [pat]
            wrmsr_in = "kernel::arch::x86_64::paging::init"
            """, "pat.toml");
        var elf = ElfImage.Load(images.Kernel);
        var resolved = ResolvedObservationMap.Resolve(map, elf);
        var wrmsr = Assert.Single(elf.FindInstructions(TestKernelImage.PagingInit, i => i.Mnemonic == Mnemonic.Wrmsr));
        Assert.Equal(wrmsr.Address, Assert.Single(resolved.PatWrites));
    }

    [Fact]
    public void A_call_site_that_is_not_there_names_the_count_found()
    {
        var map = ObservationMapLoader.Parse("""
            kernel = "original"
            symbols = "rust"
            entry = "_start"

            [checkpoints]
            paging_done = { after_call = "kernel::arch::x86_64::paging::init", in = "_start", nth = 2 }
            """, "nth.toml");
        var e = Assert.Throws<ObservationMapException>(() => ResolvedObservationMap.Resolve(map, ElfImage.Load(images.Kernel)));
        Assert.Contains("nth.toml:6:", e.Message);
        Assert.Contains("has 1 call(s)", e.Message);
    }

    [Fact]
    public void The_port_map_resolves_against_the_port_and_memory_done_follows_the_call_of_InitFrom()
    {
        var elf = ElfImage.Load(ObserveFixtures.PortKernel);
        var resolved = ResolvedObservationMap.Resolve(ObservationMapLoader.Load(ObserveFixtures.PortMap), elf);
        Assert.Equal(elf.Require("kstart").Value, resolved.Entry);
        var memoryDone = resolved.Checkpoints.Single(c => c.Name == "memory_done");
        var listing = elf.Disassemble(memoryDone.Address, 1, 0);
        var call = listing.Instructions[0];
        Assert.Equal(Mnemonic.Call, call.Instruction.Mnemonic);
        Assert.Equal(elf.Require("Kernel_Kernel_memory_Memory__InitFrom").Value, call.Instruction.NearBranchTarget);
        Assert.Equal(memoryDone.Address, call.Instruction.NextIP);
        Assert.NotNull(resolved.FrameAllocatorBase);
        Assert.NotEmpty(resolved.FrameAlloc);
    }
}
