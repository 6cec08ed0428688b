namespace Harness.Trace;

/// <summary>
/// One system call as the observer saw it from outside (new in <c>redox-trace/2</c>): caught at the kernel's
/// syscall dispatcher (number, five arguments, the context that made it) and completed at the dispatcher's
/// return address (the result). Written when it returns, so the records of one context are in its order.
/// </summary>
public sealed record SyscallRecord
{
    /// <summary>The record's sequence number.</summary>
    public required long Seq { get; init; }

    /// <summary>The id of the context that made the call, or null when the map gives no way to read it.</summary>
    public ulong? Context { get; init; }

    /// <summary>The syscall number (Redox's <c>SYS_*</c>, syscall crate 0.1).</summary>
    public required ulong Number { get; init; }

    /// <summary>The number's name (<see cref="SyscallNames.Name"/>), for readers.</summary>
    public required string Name { get; init; }

    /// <summary>The five arguments, as passed (b, c, d, e, f of <c>syscall::syscall</c>).</summary>
    public required IReadOnlyList<ulong> Args { get; init; }

    /// <summary>The value returned to user space (an error is <c>-errno</c> as a 64-bit value), or null when the call never returned (exit, or the run ended first).</summary>
    public ulong? Result { get; init; }

    /// <summary>Symbol + offset of the dispatcher's return address in this binary (the kernel-side caller), or null.</summary>
    public string? Caller { get; init; }

    /// <summary>
    /// The kernel-side call stack at the dispatcher's entry (<c>redox-trace/3</c>): the return addresses found on the
    /// kernel stack, innermost first, each symbolised <c>symbol + offset</c> in this binary; null when not read.
    /// </summary>
    public IReadOnlyList<string>? Stack { get; init; }

    /// <summary>The error number when <see cref="Result"/> is an error (<c>-4095 … -1</c>), else null.</summary>
    public int? Errno => Result is { } r && r >= unchecked((ulong)-4095L) ? (int)-(long)r : null;
}

/// <summary>The names of Redox's syscall numbers (syscall crate 0.1, as the original 0.3.5 uses them).</summary>
public static class SyscallNames
{
    private const ulong ClassPath = 0x1000_0000, ClassFile = 0x2000_0000, ArgSlice = 0x0100_0000, ArgMslice = 0x0200_0000,
        ArgPath = 0x0300_0000, RetFile = 0x0010_0000;

    private static readonly Dictionary<ulong, string> Names = new()
    {
        [ClassPath | ArgPath | 9] = "link", [ClassPath | RetFile | 5] = "open", [ClassPath | 15] = "chmod",
        [ClassPath | 84] = "rmdir", [ClassPath | 10] = "unlink",
        [ClassFile | 6] = "close", [ClassFile | RetFile | 41] = "dup", [ClassFile | RetFile | 63] = "dup2",
        [ClassFile | ArgMslice | 3] = "read", [ClassFile | ArgSlice | 4] = "write", [ClassFile | 19] = "lseek",
        [ClassFile | 94] = "fchmod", [ClassFile | 207] = "fchown", [ClassFile | 55] = "fcntl", [ClassFile | 927] = "fevent",
        [ClassFile | 90] = "fmap", [ClassFile | 91] = "funmap", [ClassFile | ArgMslice | 928] = "fpath",
        [ClassFile | ArgPath | 38] = "frename", [ClassFile | ArgMslice | 28] = "fstat", [ClassFile | ArgMslice | 100] = "fstatvfs",
        [ClassFile | 118] = "fsync", [ClassFile | 93] = "ftruncate", [ClassFile | ArgSlice | 320] = "futimens",
        [45] = "brk", [12] = "chdir", [265] = "clock_gettime", [120] = "clone", [11] = "execve", [1] = "exit",
        [240] = "futex", [183] = "getcwd", [202] = "getegid", [951] = "getens", [201] = "geteuid", [200] = "getgid",
        [950] = "getns", [20] = "getpid", [132] = "getpgid", [64] = "getppid", [199] = "getuid", [110] = "iopl",
        [37] = "kill", [984] = "mkns", [162] = "nanosleep", [945] = "physalloc", [946] = "physfree", [947] = "physmap",
        [948] = "physunmap", [949] = "virttophys", [331] = "pipe2", [57] = "setpgid", [204] = "setregid", [952] = "setrens",
        [203] = "setreuid", [67] = "sigaction", [119] = "sigreturn", [7] = "waitpid", [158] = "yield",
    };

    /// <summary>The name of <paramref name="number"/> (<c>write</c>, <c>exit</c>, …), or <c>unknown_0x…</c>.</summary>
    public static string Name(ulong number) => Names.TryGetValue(number, out var n) ? n : $"unknown_0x{number:x}";
}
