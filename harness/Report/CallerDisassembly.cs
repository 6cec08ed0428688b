using System.Globalization;
using Harness.Elf;
using Harness.Elf.Disassembly;
using TraceModel = Harness.Trace.Trace;

namespace Harness.Report;

/// <summary>
/// The instructions around a caller of the first divergence, disassembled (Iced) from the kernel
/// ELF its trace names — when that file is at hand (the port's build/kernel.elf; an original only
/// when the user booted one). Callers in traces are "symbol + decimal offset" of the return address.
/// </summary>
public static class CallerDisassembly
{
    /// <summary>Instructions before and after the return address.</summary>
    public const int Before = 5, After = 1;

    /// <summary>The listing around <paramref name="caller"/> in <paramref name="trace"/>'s kernel, or null when it cannot be had.</summary>
    public static DisassemblyListing? Around(TraceModel trace, string? caller)
    {
        if (caller is null || trace.Header.Kernel.Path is not { } path || !File.Exists(path))
            return null;
        var plus = caller.LastIndexOf(" + ", StringComparison.Ordinal);
        if (plus < 0 || !ulong.TryParse(caller[(plus + 3)..], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            return null;
        try
        {
            var elf = ElfImage.Load(path);
            if (trace.Header.Kernel.Sha256 is { } sha && !string.Equals(sha, Sha256(path), StringComparison.OrdinalIgnoreCase))
                return null; // the file changed since the trace was recorded
            var symbol = elf.Lookup(caller[..plus]);
            return symbol is null ? null : elf.Disassemble(symbol.Value + offset, Before, After);
        }
        catch (Exception e) when (e is ElfException or IOException)
        {
            return null;
        }
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }
}
