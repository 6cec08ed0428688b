using System.Runtime.InteropServices;

namespace Harness.Unicorn.Native;

/// <summary>
/// The part of Unicorn 2's C API (<c>unicorn/unicorn.h</c>, <c>unicorn/x86.h</c>) the runner uses, bound by
/// hand to Debian's <c>libunicorn2</c> (2.0.1): <c>libunicorn.so.2</c>. The numbers are that version's.
/// </summary>
internal static unsafe partial class Uc
{
    public const string Library = "libunicorn.so.2";

    public const int ArchX86 = 4;
    public const int Mode64 = 1 << 3;

    public const uint ProtAll = 7;

    // uc_hook_type
    public const int HookIntr = 1 << 0;
    public const int HookInsn = 1 << 1;
    public const int HookCode = 1 << 2;
    public const int HookMemUnmapped = (1 << 4) | (1 << 5) | (1 << 6);

    // uc_x86_insn for UC_HOOK_INSN
    public const int InsnIn = 218;
    public const int InsnOut = 500;

    // uc_ctl
    public const int CtlUseExitsWrite = 1140850692;   // UC_CTL_WRITE(UC_CTL_UC_USE_EXITS, 1)
    public const int CtlExitsWrite = 1207959558;      // UC_CTL_WRITE(UC_CTL_UC_EXITS, 2)
    public const int CtlTbFlush = 1073741834;         // UC_CTL_WRITE(UC_CTL_TB_FLUSH, 0)

    // uc_err
    public const int ErrOk = 0;
    public const int ErrReadUnmapped = 6;
    public const int ErrWriteUnmapped = 7;
    public const int ErrFetchUnmapped = 8;
    public const int ErrInsnInvalid = 10;
    public const int ErrException = 21;

    [LibraryImport(Library, EntryPoint = "uc_version")]
    public static partial uint Version(uint* major, uint* minor);

    [LibraryImport(Library, EntryPoint = "uc_open")]
    public static partial int Open(int arch, int mode, out nint uc);

    [LibraryImport(Library, EntryPoint = "uc_close")]
    public static partial int Close(nint uc);

    [LibraryImport(Library, EntryPoint = "uc_strerror")]
    public static partial nint StrError(int code);

    [LibraryImport(Library, EntryPoint = "uc_mem_map_ptr")]
    public static partial int MemMapPtr(nint uc, ulong address, nuint size, uint perms, void* ptr);

    [LibraryImport(Library, EntryPoint = "uc_mem_unmap")]
    public static partial int MemUnmap(nint uc, ulong address, nuint size);

    [LibraryImport(Library, EntryPoint = "uc_reg_read")]
    public static partial int RegRead(nint uc, int regid, void* value);

    [LibraryImport(Library, EntryPoint = "uc_reg_write")]
    public static partial int RegWrite(nint uc, int regid, void* value);

    [LibraryImport(Library, EntryPoint = "uc_emu_start")]
    public static partial int EmuStart(nint uc, ulong begin, ulong until, ulong timeout, nuint count);

    [LibraryImport(Library, EntryPoint = "uc_emu_stop")]
    public static partial int EmuStop(nint uc);

    // uc_hook_add is variadic; on x86-64 System V the extra int of UC_HOOK_INSN travels like a fixed argument.
    [LibraryImport(Library, EntryPoint = "uc_hook_add")]
    public static partial int HookAdd(nint uc, out nuint hook, int type, void* callback, nint userData, ulong begin, ulong end);

    [LibraryImport(Library, EntryPoint = "uc_hook_add")]
    public static partial int HookAddInsn(nint uc, out nuint hook, int type, void* callback, nint userData, ulong begin, ulong end, int instruction);

    [LibraryImport(Library, EntryPoint = "uc_context_alloc")]
    public static partial int ContextAlloc(nint uc, out nint context);

    [LibraryImport(Library, EntryPoint = "uc_context_save")]
    public static partial int ContextSave(nint uc, nint context);

    [LibraryImport(Library, EntryPoint = "uc_context_restore")]
    public static partial int ContextRestore(nint uc, nint context);

    [LibraryImport(Library, EntryPoint = "uc_context_size")]
    public static partial nuint ContextSize(nint uc);

    [LibraryImport(Library, EntryPoint = "uc_context_free")]
    public static partial int ContextFree(nint context);

    // uc_ctl is variadic too.
    [LibraryImport(Library, EntryPoint = "uc_ctl")]
    public static partial int Ctl(nint uc, int control, nint arg1);

    [LibraryImport(Library, EntryPoint = "uc_ctl")]
    public static partial int Ctl(nint uc, int control, ulong* arg1, nuint arg2);

    public static string Describe(int code) => Marshal.PtrToStringUTF8(StrError(code)) ?? $"error {code}";
}

/// <summary>uc_x86_reg numbers (unicorn 2.0.1).</summary>
internal static class X86Reg
{
    public const int Rax = 35, Rbp = 36, Rbx = 37, Rcx = 38, Rdi = 39, Rdx = 40, Rip = 41, Rsi = 43, Rsp = 44;
    public const int R8 = 106, R9 = 107, R10 = 108, R11 = 109, R12 = 110, R13 = 111, R14 = 112, R15 = 113;
    public const int Rflags = 253;
    public const int Cs = 11, Ds = 17, Es = 28, Fs = 32, Gs = 33, Ss = 49;
    public const int Cr0 = 50, Cr2 = 52, Cr3 = 53, Cr4 = 54;
    public const int Idtr = 242, Gdtr = 243, Ldtr = 244, Tr = 245;
    public const int Msr = 248, FsBase = 250, GsBase = 251;

    public static int ByName(string name) => name.ToLowerInvariant() switch
    {
        "rax" => Rax, "rbx" => Rbx, "rcx" => Rcx, "rdx" => Rdx, "rsi" => Rsi, "rdi" => Rdi, "rbp" => Rbp, "rsp" => Rsp,
        "r8" => R8, "r9" => R9, "r10" => R10, "r11" => R11, "r12" => R12, "r13" => R13, "r14" => R14, "r15" => R15,
        "rip" => Rip,
        _ => throw new ArgumentException($"'{name}' is not a general-purpose register", nameof(name)),
    };
}

/// <summary>uc_x86_mmr: GDTR, IDTR, LDTR, TR.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct X86Mmr
{
    public ushort Selector;
    public ulong Base;
    public uint Limit;
    public uint Flags;
}

/// <summary>uc_x86_msr.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct X86Msr
{
    public uint Id;
    public ulong Value;
}

