namespace Harness.Elf;

/// <summary>
/// The class of a kernel image address, by which page mappings of two different builds
/// are compared (FIDELITY.md section 3): text, rodata, data, bss, tdata, tbss, or other.
/// </summary>
public enum SectionClass
{
    /// <summary>Code.</summary>
    Text,

    /// <summary>Read-only data.</summary>
    Rodata,

    /// <summary>Initialised writable data.</summary>
    Data,

    /// <summary>Zero-initialised writable data.</summary>
    Bss,

    /// <summary>The thread-local data template.</summary>
    Tdata,

    /// <summary>The thread-local zero-initialised template.</summary>
    Tbss,

    /// <summary>Anything else (other sections, or outside the image).</summary>
    Other,
}
