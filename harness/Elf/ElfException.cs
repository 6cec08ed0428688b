namespace Harness.Elf;

/// <summary>A file that cannot be read as an ELF64 x86-64 image; the message names the file.</summary>
public class ElfException : Exception
{
    /// <summary>Creates the exception for a file.</summary>
    public ElfException(string file, string problem)
        : base($"{file}: {problem}")
    {
        File = file;
    }

    /// <summary>The file (path or name) that was being read.</summary>
    public string File { get; }
}
