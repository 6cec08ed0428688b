namespace Harness.Tests.Elf;

/// <summary>
/// A tiny "kernel" built once for the ELF tests: Rust-mangled (legacy and v0) and NativeAOT
/// symbol names, a function with the original's PAT <c>wrmsr</c>, data in every section class,
/// and a linker script in the style of Redox's that defines <c>__*_start</c>/<c>__*_end</c>.
/// Also a plain-linked copy (no boundary symbols), a stripped copy, and a 32-bit object.
/// </summary>
public sealed class TestKernelImage : IDisposable
{
    public const string PagingInit = "_ZN6kernel4arch6x86_646paging4init17hb719c73a8f8ac8ffE";
    public const string BeginUnwind = "_RNvCseulmdZsCeCG_7___rustc17rust_begin_unwind";
    public const string AotAllocate = "Kernel_Kernel_Memory__AllocateFrames";
    public const ulong KernelBase = 0xffffff0000100000;

    private const string Source = $$"""
            .section .text.entry, "ax"
            .globl _start
            .type _start, @function
        _start:
            call "{{PagingInit}}"
            call {{AotAllocate}}
            hlt
            .size _start, .-_start

            .text
            .globl "{{PagingInit}}"
            .type "{{PagingInit}}", @function
        "{{PagingInit}}":
            push %rbp
            mov %rsp, %rbp
            mov $0x277, %ecx
            mov $0x70406, %eax
            mov $0x70401, %edx
            wrmsr
            lea MESSAGE(%rip), %rax
            pop %rbp
            ret
            .size "{{PagingInit}}", .-"{{PagingInit}}"

            .balign 16
            .type {{BeginUnwind}}, @function
        {{BeginUnwind}}:
            cli
        1:  hlt
            jmp 1b
            .size {{BeginUnwind}}, .-{{BeginUnwind}}

            .balign 16
            .globl {{AotAllocate}}
            .type {{AotAllocate}}, @function
        {{AotAllocate}}:
            xor %eax, %eax
            ret
            .size {{AotAllocate}}, .-{{AotAllocate}}

            .balign 16
            .globl unsized_stub
            .type unsized_stub, @function
        unsized_stub:
            nop
            nop
            ret

            .section .rodata
            .type MESSAGE, @object
        MESSAGE:
            .asciz "hello"
            .size MESSAGE, 6

            .data
            .type COUNTER, @object
        COUNTER:
            .quad 42
            .size COUNTER, 8

            .section .tdata, "awT", @progbits
            .type TLS_VALUE, @object
        TLS_VALUE:
            .quad 7
            .size TLS_VALUE, 8

            .section .tbss, "awT", @nobits
            .type TLS_ZERO, @object
        TLS_ZERO:
            .zero 8
            .size TLS_ZERO, 8

            .bss
            .type STACK, @object
        STACK:
            .zero 4096
            .size STACK, 4096
        """;

    // In the style of Redox's linkers/x86_64.ld: every class bounded by __X_start/__X_end, page aligned.
    private const string LinkerScript = """
        ENTRY(_start)
        OUTPUT_FORMAT(elf64-x86-64)
        KERNEL_OFFSET = 0xffffff0000100000;
        SECTIONS {
            . = KERNEL_OFFSET;
            . += SIZEOF_HEADERS;
            . = ALIGN(4096);
            .text : AT(ADDR(.text) - KERNEL_OFFSET) {
                __text_start = .;
                *(.text.entry)
                *(.text*)
                . = ALIGN(4096);
                __text_end = .;
            }
            .rodata : AT(ADDR(.rodata) - KERNEL_OFFSET) {
                __rodata_start = .;
                *(.rodata*)
                . = ALIGN(4096);
                __rodata_end = .;
            }
            .data : AT(ADDR(.data) - KERNEL_OFFSET) {
                __data_start = .;
                *(.data*)
                . = ALIGN(4096);
                __data_end = .;
            }
            .tdata : AT(ADDR(.tdata) - KERNEL_OFFSET) {
                __tdata_start = .;
                *(.tdata*)
                . = ALIGN(4096);
                __tdata_end = .;
                __tbss_start = .;
                *(.tbss*)
                . += 8;
                . = ALIGN(4096);
                __tbss_end = .;
            }
            .bss : AT(ADDR(.bss) - KERNEL_OFFSET) {
                __bss_start = .;
                *(.bss*)
                . = ALIGN(4096);
                __bss_end = .;
            }
            __end = .;
            /DISCARD/ : { *(.comment*) *(.eh_frame*) *(.note*) }
        }
        """;

    private const string Source32 = """
            .text
            .globl _start
        _start:
            ret
        """;

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("elftest-");

    public TestKernelImage()
    {
        Kernel = Binutils.Build(_directory.FullName, "kernel", Source, LinkerScript);
        PlainKernel = Binutils.Build(_directory.FullName, "plain", Source);
        Stripped = Binutils.Strip(Kernel, Path.Combine(_directory.FullName, "kernel.stripped"));
        ThirtyTwoBit = Binutils.Build(_directory.FullName, "i386", Source32, thirtyTwoBit: true);
        TextFile = Path.Combine(_directory.FullName, "notes.txt");
        File.WriteAllText(TextFile, "this is not an ELF file\n");
        var bytes = File.ReadAllBytes(Kernel);
        TruncatedTable = Path.Combine(_directory.FullName, "kernel.truncated");
        File.WriteAllBytes(TruncatedTable, bytes[..(bytes.Length - 100)]);
        TruncatedHeader = Path.Combine(_directory.FullName, "kernel.header-only");
        File.WriteAllBytes(TruncatedHeader, bytes[..40]);
    }

    /// <summary>Linked with the Redox-style script (boundary symbols, kernel addresses).</summary>
    public string Kernel { get; }

    /// <summary>Linked with ld's default script: no boundary symbols.</summary>
    public string PlainKernel { get; }

    public string Stripped { get; }

    public string ThirtyTwoBit { get; }

    public string TextFile { get; }

    /// <summary>The kernel without its last 100 bytes (the end of the section header table).</summary>
    public string TruncatedTable { get; }

    /// <summary>The first 40 bytes of the kernel.</summary>
    public string TruncatedHeader { get; }

    public void Dispose() => _directory.Delete(recursive: true);
}
