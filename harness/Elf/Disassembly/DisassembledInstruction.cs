using System.Text;
using Iced.Intel;

namespace Harness.Elf.Disassembly;

/// <summary>One decoded instruction.</summary>
/// <param name="Address">Its virtual address.</param>
/// <param name="Bytes">Its encoding.</param>
/// <param name="Text">Intel-syntax text (branch targets named by symbol where known).</param>
/// <param name="IsTarget">True for the instruction at (or covering) the address a listing was asked for.</param>
/// <param name="Instruction">Iced's decoded instruction, for predicates (<c>Mnemonic</c>, operands...).</param>
public sealed record DisassembledInstruction(ulong Address, byte[] Bytes, string Text, bool IsTarget, Instruction Instruction)
{
    /// <summary>One listing line: marker, address, bytes, text.</summary>
    public override string ToString() =>
        $"{(IsTarget ? "=>" : "  ")} {Address:x16}  {Convert.ToHexStringLower(Bytes),-24} {Text}";
}

/// <summary>Instructions around an address, decoded from the start of the function containing it.</summary>
/// <param name="Target">The address asked for.</param>
/// <param name="Function">Where decoding started: the containing function, or null when none is known.</param>
/// <param name="Instructions">The instructions, in address order; one has <see cref="DisassembledInstruction.IsTarget"/> set when the address was reached.</param>
public sealed record DisassemblyListing(ulong Target, SymbolOffset? Function, IReadOnlyList<DisassembledInstruction> Instructions)
{
    /// <summary>The marked instruction, or null when decoding did not reach the address.</summary>
    public DisassembledInstruction? TargetInstruction => Instructions.FirstOrDefault(i => i.IsTarget);

    /// <summary>A header naming the function and offset, then one line per instruction.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Function is null ? $"0x{Target:x} (no containing function)" : $"0x{Target:x} = {Function}").Append('\n');
        foreach (var instruction in Instructions)
        {
            text.Append(instruction).Append('\n');
        }
        return text.ToString();
    }
}
