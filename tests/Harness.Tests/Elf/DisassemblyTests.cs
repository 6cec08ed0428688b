using Harness.Elf;
using Iced.Intel;

namespace Harness.Tests.Elf;

/// <summary>Instructions around an address and searches inside a function, decoded with Iced.</summary>
public class DisassemblyTests(TestKernelImage images) : IClassFixture<TestKernelImage>
{
    private readonly ElfImage _kernel = ElfImage.Load(images.Kernel);

    private ulong PagingInit => _kernel.Require(TestKernelImage.PagingInit).Value;

    [Fact]
    public void Instructions_around_an_address_are_decoded_from_the_function_start()
    {
        var wrmsr = PagingInit + 0x13;
        var listing = _kernel.Disassemble(wrmsr, before: 2, after: 2);
        Assert.Equal(TestKernelImage.PagingInit, listing.Function!.Symbol.Name);
        Assert.Equal(0x13UL, listing.Function.Offset);
        Assert.Equal(["mov eax, 0x70406", "mov edx, 0x70401", "wrmsr", "lea rax, [MESSAGE]", "pop rbp"],
            listing.Instructions.Select(i => i.Text));
        var target = listing.TargetInstruction!;
        Assert.Equal(wrmsr, target.Address);
        Assert.Equal([0x0f, 0x30], target.Bytes);
        Assert.Single(listing.Instructions, i => i.IsTarget);
        Assert.Contains("=> ffffff0000101023  0f30", listing.ToString());
        Assert.StartsWith($"0x{wrmsr:x} = kernel::arch::x86_64::paging::init+0x13", listing.ToString());
    }

    [Fact]
    public void An_address_inside_an_instruction_marks_that_instruction()
    {
        // PagingInit + 0x10 is the middle of "mov edx, 0x70401" (at +0xe, 5 bytes).
        var listing = _kernel.Disassemble(PagingInit + 0x10, before: 1, after: 0);
        Assert.Equal(["mov eax, 0x70406", "mov edx, 0x70401"], listing.Instructions.Select(i => i.Text));
        Assert.Equal(PagingInit + 0xe, listing.TargetInstruction!.Address);
    }

    [Fact]
    public void Fewer_instructions_are_given_at_the_edges_of_a_function()
    {
        var listing = _kernel.Disassemble(PagingInit, before: 5, after: 1);
        Assert.Equal(["push rbp", "mov rbp, rsp"], listing.Instructions.Select(i => i.Text));
        Assert.True(listing.Instructions[0].IsTarget);
    }

    [Fact]
    public void Branch_targets_are_named_by_symbol()
    {
        var start = _kernel.DisassembleSymbol("_start");
        Assert.Equal(["call kernel::arch::x86_64::paging::init", "call Kernel_Kernel_Memory__AllocateFrames", "hlt"],
            start.Select(i => i.Text));
        var unwind = _kernel.DisassembleSymbol("__rustc::rust_begin_unwind");
        Assert.Equal(["cli", "hlt", "jmp __rustc::rust_begin_unwind+0x1"], unwind.Select(i => i.Text));
    }

    [Fact]
    public void Find_instructions_locates_the_wrmsr_and_its_operands()
    {
        var found = _kernel.FindInstructions("kernel::arch::x86_64::paging::init", i => i.Mnemonic == Mnemonic.Wrmsr);
        var wrmsr = Assert.Single(found);
        Assert.Equal(PagingInit + 0x13, wrmsr.Address);

        var moves = _kernel.FindInstructions(TestKernelImage.PagingInit,
            i => i.Mnemonic == Mnemonic.Mov && i.Op1Kind == OpKind.Immediate32);
        var values = moves.ToDictionary(m => m.Instruction.Op0Register, m => m.Instruction.Immediate32);
        Assert.Equal(0x277u, values[Register.ECX]);
        Assert.Equal(0x70401u, values[Register.EDX]);
        Assert.Equal(0x70406u, values[Register.EAX]);
        Assert.Equal(0x0007040100070406UL, (ulong)values[Register.EDX] << 32 | values[Register.EAX]);
    }

    [Fact]
    public void An_unsized_function_is_decoded_up_to_the_next_symbol_or_section_end()
    {
        var stub = _kernel.DisassembleSymbol("unsized_stub");
        Assert.Equal(["nop", "nop", "ret"], stub.Take(3).Select(i => i.Text));
        Assert.Throws<ElfException>(() => _kernel.DisassembleSymbol("no_such_function"));
    }
}
