using Harness.Elf;

namespace Boot.Tests.Faults;

/// <summary>Kernels made from the port's image for fault tests.</summary>
internal static class TestKernels
{
    /// <summary>
    /// The port with <c>cli; hlt; jmp $-1</c> at kstart: an observed boot stops at the entry (the header is written),
    /// then the CPU idles until the scenario's timeout — a run that stays alive, quietly, until it is ended.
    /// </summary>
    public static string Halting(string dir)
    {
        var elf = ElfImage.Load(Repo.Kernel);
        var entry = elf.Lookup("kstart")!.Value;
        var section = elf.SectionAt(entry)!;
        var bytes = File.ReadAllBytes(Repo.Kernel);
        var offset = (long)(section.Offset + (entry - section.Address));
        byte[] halt = [0xFA, 0xF4, 0xEB, 0xFD];
        halt.CopyTo(bytes, offset);
        var path = Path.Combine(dir, "halting.elf");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
