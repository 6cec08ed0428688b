using Harness.Observe;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Harness.Tests.Observe;

/// <summary>
/// StepOver performs an instruction at a breakpoint in the observer's place only when it writes nothing but general
/// registers and RIP; the values it leaves are the CPU's (32-bit destinations zero-extend, movsx sign-extends, lea
/// wraps), and everything else (memory, flags, partial registers, other state) is left to a real step.
/// </summary>
public class StepOverTests
{
    private const ulong At = 0xffffff0000133f92;

    private static readonly Dictionary<string, ulong> Registers = new()
    {
        ["rax"] = 0x1111_2222_3333_4480, ["rbx"] = 0xffff_ffff_8000_00f0, ["rcx"] = 0xaaaa_bbbb_cccc_dddd,
        ["rdx"] = 0x0000_0000_0012_3456, ["rsi"] = 6, ["rdi"] = 7, ["rbp"] = 0xffffff00001ff000, ["rsp"] = 0xffffff00001fefc0,
        ["r8"] = 8, ["r9"] = 9, ["r10"] = 10, ["r11"] = 11, ["r12"] = 12, ["r13"] = 0x13, ["r14"] = 0x1000, ["r15"] = 15,
        ["rip"] = At,
    };

    private static Instruction One(Action<Assembler> emit)
    {
        var a = new Assembler(64);
        emit(a);
        var writer = new CodeWriterImpl();
        a.Assemble(writer, At);
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(writer.Bytes.ToArray()), At);
        decoder.Decode(out var instruction);
        return instruction;
    }

    private static Dictionary<string, ulong>? Emulate(Action<Assembler> emit, out Instruction instruction)
    {
        instruction = One(emit);
        var writes = StepOver.Emulate(instruction, name => Registers[name]);
        return writes?.ToDictionary(w => w.Register, w => w.Value);
    }

    public static TheoryData<string, Action<Assembler>, string, ulong> Performed => new()
    {
        { "mov r13, rdx", a => a.mov(r13, rdx), "r13", 0x123456 },
        { "mov ebx, ecx zero-extends", a => a.mov(ebx, ecx), "rbx", 0xcccc_dddd },
        { "mov edi, 4", a => a.mov(edi, 4), "rdi", 4 },
        { "mov rax, imm64", a => a.mov(rax, 0x8877_6655_4433_2211UL), "rax", 0x8877_6655_4433_2211 },
        { "mov rax, -1 (imm32 sign-extended)", a => a.mov(rax, -1), "rax", ulong.MaxValue },
        { "movzx eax, bl", a => a.movzx(eax, bl), "rax", 0xf0 },
        { "movzx r13d, al", a => a.movzx(r13d, al), "r13", 0x80 },
        { "movsx rax, bl sign-extends", a => a.movsx(rax, bl), "rax", 0xffff_ffff_ffff_fff0 },
        { "movsx ecx, dx", a => a.movsx(ecx, dx), "rcx", 0x3456 },
        { "movsxd rdx, ebx", a => a.movsxd(rdx, ebx), "rdx", 0xffff_ffff_8000_00f0 },
        { "lea rdi, [rbp-0x38]", a => a.lea(rdi, __[rbp - 0x38]), "rdi", 0xffffff00001fefc8 },
        { "lea r8, [r14+r13*4+8]", a => a.lea(r8, __[r14 + r13 * 4 + 8]), "r8", 0x1000 + 0x13 * 4 + 8 },
        { "lea eax, [rbx+8] truncates", a => a.lea(eax, __[rbx + 8]), "rax", 0x8000_00f8 },
    };

    [Theory]
    [MemberData(nameof(Performed))]
    public void An_instruction_that_writes_only_registers_is_performed(string what, Action<Assembler> emit, string register, ulong value)
    {
        var writes = Emulate(emit, out var instruction);
        Assert.True(writes is not null, what);
        Assert.Equal(value, writes![register]);
        Assert.Equal(instruction.NextIP, writes["rip"]);
        Assert.Equal(2, writes.Count);
    }

    [Fact]
    public void Rip_relative_lea_jmp_and_nops_move_rip_as_the_cpu_does()
    {
        // lea rdi, [rip+0x77713] (48 8d 3d 13 77 07 00), as kstart's checkpoint return site holds it
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(new byte[] { 0x48, 0x8d, 0x3d, 0x13, 0x77, 0x07, 0x00 }), At);
        decoder.Decode(out var i);
        var lea = StepOver.Emulate(i, name => Registers[name])!.ToDictionary(w => w.Register, w => w.Value);
        Assert.Equal(At + 7 + 0x77713, lea["rdi"]);
        Assert.Equal(At + 7, lea["rip"]);

        var jmp = Emulate(a => a.jmp(At + 0x200), out _);
        Assert.Equal(new Dictionary<string, ulong> { ["rip"] = At + 0x200 }, jmp);

        var nop = Emulate(a => a.nop(), out var n1);
        Assert.Equal(new Dictionary<string, ulong> { ["rip"] = n1.NextIP }, nop);
        var longNop = Emulate(a => a.nop(__dword_ptr[rax + rax]), out var n2);
        Assert.Equal(new Dictionary<string, ulong> { ["rip"] = n2.NextIP }, longNop);
    }

    public static TheoryData<string, Action<Assembler>> LeftToAStep => new()
    {
        { "push rbp (writes the stack)", a => a.push(rbp) },
        { "call (writes the stack)", a => a.call(At + 0x100) },
        { "mov [rbp-0x48], rdx (writes memory)", a => a.mov(__qword_ptr[rbp - 0x48], rdx) },
        { "mov rax, [rbx] (reads memory)", a => a.mov(rax, __qword_ptr[rbx]) },
        { "test al, al (flags)", a => a.test(al, al) },
        { "xor ebx, ebx (flags)", a => a.xor(ebx, ebx) },
        { "sub rsp, 0x10 (flags)", a => a.sub(rsp, 0x10) },
        { "mov al, bl (merges into rax)", a => a.mov(al, bl) },
        { "mov ax, bx (merges into rax)", a => a.mov(ax, bx) },
        { "movzx eax, ah (high byte)", a => a.movzx(eax, ah) },
        { "mov rax, cr3 (control register)", a => a.mov(rax, cr3) },
        { "mov eax, ds (segment)", a => a.mov(eax, ds) },
        { "lea eax, [ebx] (32-bit address)", a => a.lea(eax, __[ebx]) },
        { "jmp rax (indirect)", a => a.jmp(rax) },
        { "je (flags decide)", a => a.je(At + 0x40) },
        { "wrmsr", a => a.wrmsr() },
        { "ret", a => a.ret() },
    };

    [Theory]
    [MemberData(nameof(LeftToAStep))]
    public void Anything_else_is_left_to_a_real_step(string what, Action<Assembler> emit)
    {
        Assert.True(Emulate(emit, out _) is null, what);
    }

    private sealed class CodeWriterImpl : CodeWriter
    {
        public List<byte> Bytes { get; } = [];

        public override void WriteByte(byte value) => Bytes.Add(value);
    }
}
