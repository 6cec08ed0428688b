using Iced.Intel;

namespace Harness.Elf.Disassembly;

/// <summary>
/// Decodes x86-64 code from an <see cref="ElfImage"/> with Iced and formats it in Intel
/// syntax, decoding from a function's first byte so that instruction boundaries are right.
/// </summary>
internal static class Disassembler
{
    /// <summary>The most bytes decoded for a function of unknown size.</summary>
    private const ulong MaxUnsizedFunction = 64 * 1024;

    public static DisassemblyListing Around(ElfImage image, ulong address, int before, int after)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(before);
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        var section = image.SectionAt(address)
            ?? throw new ElfException(image.File, $"address 0x{address:x} is in no allocated section");
        var function = image.Resolve(address) is { Symbol.Type: SymbolType.Func } resolved ? resolved : null;
        // Without a containing function, decoding can only start at the address itself.
        var start = function?.Symbol.Value ?? address;
        // No x86 instruction is longer than 15 bytes.
        var end = Math.Min(section.Address + section.Size, address + 15 * ((ulong)after + 1));

        var window = new Queue<DisassembledInstruction>();
        var result = new List<DisassembledInstruction>();
        var found = false;
        foreach (var instruction in Decode(image, start, end, address))
        {
            if (!found)
            {
                if (instruction.IsTarget)
                {
                    found = true;
                    result.AddRange(window);
                    result.Add(instruction);
                    continue;
                }
                window.Enqueue(instruction);
                if (window.Count > before)
                {
                    window.Dequeue();
                }
                continue;
            }
            if (result.Count - result.FindIndex(i => i.IsTarget) - 1 >= after)
            {
                break;
            }
            result.Add(instruction);
        }
        return new DisassemblyListing(address, function, found ? result : window.ToList());
    }

    public static IReadOnlyList<DisassembledInstruction> Symbol(ElfImage image, ElfSymbol symbol)
    {
        var section = image.SectionAt(symbol.Value)
            ?? throw new ElfException(image.File, $"symbol '{symbol.DisplayName}' (0x{symbol.Value:x}) is in no allocated section");
        var sectionEnd = section.Address + section.Size;
        var end = symbol.Size > 0
            ? Math.Min(symbol.Value + symbol.Size, sectionEnd)
            : Math.Min(Math.Min(image.NextSymbolAfter(symbol.Value)?.Value ?? sectionEnd, sectionEnd), symbol.Value + MaxUnsizedFunction);
        return Decode(image, symbol.Value, end, target: null).ToList();
    }

    /// <summary>Decodes <c>[start, end)</c>; the instruction covering <paramref name="target"/> is marked.</summary>
    private static IEnumerable<DisassembledInstruction> Decode(ElfImage image, ulong start, ulong end, ulong? target)
    {
        if (end <= start)
        {
            yield break;
        }
        var bytes = image.ReadVirtual(start, (int)Math.Min(end - start, int.MaxValue));
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes), start);
        var formatter = CreateFormatter(image);
        var output = new StringOutput();
        while (decoder.IP < end)
        {
            decoder.Decode(out var instruction);
            formatter.Format(instruction, output);
            var offset = (int)(instruction.IP - start);
            var isTarget = target is { } t && t >= instruction.IP && t < instruction.NextIP;
            yield return new DisassembledInstruction(
                instruction.IP, bytes.AsSpan(offset, instruction.Length).ToArray(), output.ToStringAndReset(), isTarget, instruction);
        }
    }

    private static IntelFormatter CreateFormatter(ElfImage image)
    {
        var formatter = new IntelFormatter(new SymbolResolver(image));
        formatter.Options.HexPrefix = "0x";
        formatter.Options.HexSuffix = null;
        formatter.Options.UppercaseHex = false;
        formatter.Options.SpaceAfterOperandSeparator = true;
        formatter.Options.SmallHexNumbersInDecimal = false;
        formatter.Options.ShowBranchSize = false;
        return formatter;
    }

    /// <summary>Names branch targets and RIP-relative addresses by the image's symbols (never plain immediates).</summary>
    private sealed class SymbolResolver(ElfImage image) : ISymbolResolver
    {
        public bool TryGetSymbol(in Instruction instruction, int operand, int instructionOperand, ulong address, int addressSize, out SymbolResult symbol)
        {
            var named = instructionOperand >= 0 && instruction.GetOpKind(instructionOperand) switch
            {
                OpKind.NearBranch16 or OpKind.NearBranch32 or OpKind.NearBranch64 => true,
                OpKind.Memory => instruction.IsIPRelativeMemoryOperand,
                _ => false,
            };
            if (named && image.Resolve(address) is { } resolved)
            {
                symbol = new SymbolResult(resolved.Symbol.Value, resolved.Symbol.DisplayName);
                return true;
            }
            symbol = default;
            return false;
        }
    }
}
