using Iced.Intel;

namespace Harness.Observe;

/// <summary>
/// Stepping off a breakpoint without a step. QEMU's gdb stub throws away every translated block at each debug stop
/// (its vm state handler calls <c>tb_flush</c> on a breakpoint or step stop; <c>info jit</c> counts one flush per
/// stop), so a single step off a breakpoint is a second stop, with its own flush and its own wake-ups. An instruction
/// that writes nothing but general registers and RIP — no memory, no flags, no other state — is performed by the
/// observer instead: the registers it writes are set (<c>P</c> packets, one round trip) and the run continues from
/// its next instruction. Every other instruction is stepped by QEMU as before.
/// </summary>
internal static class StepOver
{
    /// <summary>
    /// The registers (gdb names) and values <paramref name="instruction"/> leaves, RIP last, when it is one that writes
    /// only general registers and RIP: <c>mov</c> between 64- or 32-bit registers or from an immediate, <c>movzx</c>,
    /// <c>movsx</c>, <c>movsxd</c> from a register, <c>lea</c> with a 64-bit address, a near <c>jmp</c> to an immediate
    /// target, <c>nop</c>, <c>endbr64</c>. A 32-bit destination is zero-extended to 64 bits, as the CPU does. Null for
    /// anything else (8- and 16-bit destinations, which merge, included).
    /// </summary>
    public static IReadOnlyList<(string Register, ulong Value)>? Emulate(in Instruction instruction, Func<string, ulong> read)
    {
        var next = instruction.NextIP;
        switch (instruction.Mnemonic)
        {
            case Mnemonic.Nop or Mnemonic.Endbr64:
                return [("rip", next)];
            case Mnemonic.Jmp when instruction.Op0Kind is OpKind.NearBranch64:
                return [("rip", instruction.NearBranchTarget)];
            case Mnemonic.Mov when instruction.OpCount == 2 && Destination(instruction) is { } to:
                {
                    ulong? value = instruction.Op1Kind switch
                    {
                        OpKind.Register when IsGpr3264(instruction.Op1Register) && instruction.Op1Register.GetSize() == instruction.Op0Register.GetSize()
                            => Read(instruction.Op1Register, read),
                        OpKind.Immediate32 or OpKind.Immediate64 or OpKind.Immediate32to64 => instruction.GetImmediate(1),
                        _ => null,
                    };
                    return value is { } v ? [(to.Name, to.Width32 ? v & 0xFFFF_FFFF : v), ("rip", next)] : null;
                }
            case Mnemonic.Movzx or Mnemonic.Movsx or Mnemonic.Movsxd when instruction.OpCount == 2 && Destination(instruction) is { } to
                                                                        && instruction.Op1Kind == OpKind.Register:
                {
                    var source = instruction.Op1Register;
                    if (!(source.IsGPR8() || source.IsGPR16() || source.IsGPR32()) || IsHighByte(source))
                        return null;
                    var bits = source.GetSize() * 8;
                    var raw = Read(source, read) & (bits == 64 ? ulong.MaxValue : (1UL << bits) - 1);
                    var value = instruction.Mnemonic == Mnemonic.Movzx ? raw : (ulong)((long)(raw << (64 - bits)) >> (64 - bits));
                    return [(to.Name, to.Width32 ? value & 0xFFFF_FFFF : value), ("rip", next)];
                }
            case Mnemonic.Lea when instruction.OpCount == 2 && Destination(instruction) is { } to && instruction.Op1Kind == OpKind.Memory:
                {
                    if (EffectiveAddress(instruction, read) is not { } address)
                        return null;
                    return [(to.Name, to.Width32 ? address & 0xFFFF_FFFF : address), ("rip", next)];
                }
            default:
                return null;
        }
    }

    /// <summary>The 64-bit register a 64- or 32-bit register destination names, and whether it is written as 32 bits.</summary>
    private static (string Name, bool Width32)? Destination(in Instruction instruction) =>
        instruction.Op0Kind == OpKind.Register && IsGpr3264(instruction.Op0Register)
            ? (Name(instruction.Op0Register.GetFullRegister()), instruction.Op0Register.IsGPR32())
            : null;

    private static bool IsGpr3264(Register r) => r.IsGPR64() || r.IsGPR32();

    private static bool IsHighByte(Register r) => r is Register.AH or Register.BH or Register.CH or Register.DH;

    private static ulong Read(Register r, Func<string, ulong> read) => read(Name(r.GetFullRegister()));

    private static string Name(Register full) => full.ToString().ToLowerInvariant();

    /// <summary>base + index × scale + displacement with 64-bit registers (or RIP-relative); null for other address sizes or segments.</summary>
    private static ulong? EffectiveAddress(in Instruction instruction, Func<string, ulong> read)
    {
        if (instruction.IsIPRelativeMemoryOperand)
            return instruction.IPRelativeMemoryAddress;
        var b = instruction.MemoryBase;
        var x = instruction.MemoryIndex;
        if ((b != Register.None && !b.IsGPR64()) || (x != Register.None && !x.IsGPR64()))
            return null;
        var address = instruction.MemoryDisplacement64;
        if (b != Register.None) address += read(Name(b));
        if (x != Register.None) address += read(Name(x)) * (ulong)instruction.MemoryIndexScale;
        return address;
    }
}
