using Harness.Elf;

namespace Harness.Tests.Elf;

/// <summary>Reading sections and symbols, symbolization, section classes and virtual reads of a real linked ELF.</summary>
public class ElfImageTests(TestKernelImage images) : IClassFixture<TestKernelImage>
{
    private readonly ElfImage _kernel = ElfImage.Load(images.Kernel);

    [Fact]
    public void Header_sections_and_segments_are_read()
    {
        Assert.Equal(_kernel.Require("_start").Value, _kernel.Entry);
        Assert.Equal(TestKernelImage.KernelBase + 0x1000, _kernel.Entry);
        Assert.Equal(2, _kernel.FileType); // EXEC
        var text = _kernel.Section(".text")!;
        Assert.Equal(ElfSectionFlags.Alloc | ElfSectionFlags.Execute, text.Flags);
        Assert.Equal(TestKernelImage.KernelBase + 0x1000, text.Address);
        Assert.Equal(0x1000UL, text.Offset);
        Assert.True(_kernel.Section(".bss")!.IsNoBits);
        Assert.Contains(_kernel.Segments, s => s.Type == ElfSegment.TypeLoad && s.VirtualAddress == text.Address && s.PhysicalAddress == 0x1000);
        Assert.Equal(new FileInfo(images.Kernel).Length, _kernel.FileSize);
    }

    [Fact]
    public void Symbols_carry_size_type_binding_and_section()
    {
        var init = _kernel.Require(TestKernelImage.PagingInit);
        Assert.Equal((30UL, SymbolType.Func, SymbolBinding.Global, ".text"), (init.Size, init.Type, init.Binding, init.SectionName));
        Assert.Equal("kernel::arch::x86_64::paging::init", init.DisplayName);
        var stack = _kernel.Require("STACK");
        Assert.Equal((4096UL, SymbolType.Object, SymbolBinding.Local, ".bss"), (stack.Size, stack.Type, stack.Binding, stack.SectionName));
        Assert.Equal(SymbolType.NoType, _kernel.Require("__text_start").Type);
        Assert.Equal(SymbolType.Tls, _kernel.Require("TLS_VALUE").Type);
    }

    [Fact]
    public void Lookup_is_exact_by_stored_or_display_name_and_prefix_search_covers_both()
    {
        Assert.Same(_kernel.Lookup(TestKernelImage.PagingInit), _kernel.Lookup("kernel::arch::x86_64::paging::init"));
        Assert.Same(_kernel.Lookup(TestKernelImage.BeginUnwind), _kernel.Lookup("__rustc::rust_begin_unwind"));
        Assert.NotNull(_kernel.Lookup(TestKernelImage.AotAllocate));
        Assert.Null(_kernel.Lookup("kernel::arch"));
        Assert.Null(_kernel.Lookup("_ZN6kernel"));
        var missing = Assert.Throws<ElfException>(() => _kernel.Require("kmain"));
        Assert.Contains(images.Kernel, missing.Message);
        Assert.Contains("kmain", missing.Message);

        Assert.Equal([TestKernelImage.PagingInit], _kernel.FindByPrefix("_ZN6kernel").Select(s => s.Name));
        Assert.Equal([TestKernelImage.PagingInit], _kernel.FindByPrefix("kernel::arch::").Select(s => s.Name));
        Assert.Equal(["__text_start", "__text_end"], _kernel.FindByPrefix("__text_").Select(s => s.Name));
    }

    [Fact]
    public void Symbolize_names_the_containing_symbol_and_offset()
    {
        var init = _kernel.Require(TestKernelImage.PagingInit).Value;
        Assert.Equal("kernel::arch::x86_64::paging::init+0x0", _kernel.Symbolize(init));
        Assert.Equal("kernel::arch::x86_64::paging::init+0x13", _kernel.Symbolize(init + 0x13));
        Assert.Equal("__rustc::rust_begin_unwind+0x2", _kernel.Symbolize(_kernel.Require(TestKernelImage.BeginUnwind).Value + 2));
        Assert.Equal("Kernel_Kernel_Memory__AllocateFrames+0x1", _kernel.Symbolize(_kernel.Require(TestKernelImage.AotAllocate).Value + 1));
        Assert.Equal("STACK+0xff8", _kernel.Symbolize(_kernel.Require("STACK").Value + 0xff8));
        Assert.Equal("MESSAGE+0x5", _kernel.Symbolize(_kernel.Require("MESSAGE").Value + 5));

        // Padding after a sized function belongs to no symbol.
        var padding = _kernel.Require(TestKernelImage.AotAllocate).Value + 3;
        Assert.Null(_kernel.Resolve(padding));
        Assert.Equal($"0x{padding:x}", _kernel.Symbolize(padding));
        // An unsized function covers what follows it in its section.
        Assert.Equal("unsized_stub+0x2", _kernel.Symbolize(_kernel.Require("unsized_stub").Value + 2));
        // Below the image, nothing.
        Assert.Equal("0x1000", _kernel.Symbolize(0x1000));

        var resolved = _kernel.Resolve(init + 0x13)!;
        Assert.Equal((TestKernelImage.PagingInit, 0x13UL), (resolved.Symbol.Name, resolved.Offset));
    }

    [Fact]
    public void Section_classes_come_from_the_linker_script_symbols()
    {
        Assert.Equal(6, _kernel.ClassRanges.Count);
        Assert.Equal(SectionClass.Text, _kernel.ClassOf(_kernel.Entry));
        Assert.Equal(SectionClass.Text, _kernel.ClassOf(_kernel.Require("__text_end").Value - 1)); // alignment padding counts
        Assert.Equal(SectionClass.Rodata, _kernel.ClassOf(_kernel.Require("MESSAGE").Value));
        Assert.Equal(SectionClass.Data, _kernel.ClassOf(_kernel.Require("COUNTER").Value));
        Assert.Equal(SectionClass.Bss, _kernel.ClassOf(_kernel.Require("STACK").Value + 100));
        Assert.Equal(SectionClass.Tdata, _kernel.ClassOf(_kernel.Require("__tdata_start").Value));
        Assert.Equal(SectionClass.Tbss, _kernel.ClassOf(_kernel.Require("__tbss_start").Value + 8));
        Assert.Equal(SectionClass.Other, _kernel.ClassOf(_kernel.Require("__end").Value));
        Assert.Equal(SectionClass.Other, _kernel.ClassOf(0x1000));
    }

    [Fact]
    public void Without_boundary_symbols_classes_come_from_section_names()
    {
        var plain = ElfImage.Load(images.PlainKernel);
        Assert.Empty(plain.ClassRanges);
        Assert.Equal(SectionClass.Text, plain.ClassOf(plain.Entry));
        Assert.Equal(SectionClass.Rodata, plain.ClassOf(plain.Require("MESSAGE").Value));
        Assert.Equal(SectionClass.Data, plain.ClassOf(plain.Require("COUNTER").Value));
        Assert.Equal(SectionClass.Bss, plain.ClassOf(plain.Require("STACK").Value));
        Assert.Equal(SectionClass.Tdata, plain.ClassOf(plain.Section(".tdata")!.Address));
        Assert.Equal(SectionClass.Other, plain.ClassOf(0x10));
    }

    [Fact]
    public void Virtual_reads_come_from_section_contents_and_bss_reads_as_zeros()
    {
        Assert.Equal("hello\0"u8.ToArray(), _kernel.ReadVirtual(_kernel.Require("MESSAGE").Value, 6));
        Assert.Equal(BitConverter.GetBytes(42UL), _kernel.ReadVirtual(_kernel.Require("COUNTER").Value, 8));
        Assert.All(_kernel.ReadVirtual(_kernel.Require("STACK").Value, 64), b => Assert.Equal(0, b));
        Assert.Equal([0x0f, 0x30], _kernel.ReadVirtual(_kernel.Require(TestKernelImage.PagingInit).Value + 0x13, 2));
        // A read across the end of .text into .rodata.
        var across = _kernel.ReadVirtual(_kernel.Require("__text_end").Value - 2, 4);
        Assert.Equal("he"u8.ToArray(), across[2..]);
        var error = Assert.Throws<ElfException>(() => _kernel.ReadVirtual(0x1000, 4));
        Assert.Contains("0x1000", error.Message);
        Assert.Contains(images.Kernel, error.Message);
    }
}
