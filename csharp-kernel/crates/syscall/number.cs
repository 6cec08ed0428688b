// The redox_syscall crate (0.1.37, commit 7c805d2a) as the kernel uses it: system call numbers.
// Values are the ABI's, transcribed from the crate; see csharp-kernel/README.md.
namespace syscall.number
{
    /// <summary>`syscall::number`: system call numbers.</summary>
    public static class Number
    {
        public const ulong SYS_CLASS = 0xF0000000;
        public const ulong SYS_CLASS_PATH = 0x10000000;
        public const ulong SYS_CLASS_FILE = 0x20000000;
        public const ulong SYS_ARG = 0x0F000000;
        public const ulong SYS_ARG_SLICE = 0x01000000;
        public const ulong SYS_ARG_MSLICE = 0x02000000;
        public const ulong SYS_ARG_PATH = 0x03000000;
        public const ulong SYS_RET = 0x00F00000;
        public const ulong SYS_RET_FILE = 0x00100000;
        public const ulong SYS_LINK = SYS_CLASS_PATH | SYS_ARG_PATH | 9;
        public const ulong SYS_OPEN = SYS_CLASS_PATH | SYS_RET_FILE | 5;
        public const ulong SYS_CHMOD = SYS_CLASS_PATH | 15;
        public const ulong SYS_RMDIR = SYS_CLASS_PATH | 84;
        public const ulong SYS_UNLINK = SYS_CLASS_PATH | 10;
        public const ulong SYS_CLOSE = SYS_CLASS_FILE | 6;
        public const ulong SYS_DUP = SYS_CLASS_FILE | SYS_RET_FILE | 41;
        public const ulong SYS_DUP2 = SYS_CLASS_FILE | SYS_RET_FILE | 63;
        public const ulong SYS_READ = SYS_CLASS_FILE | SYS_ARG_MSLICE | 3;
        public const ulong SYS_WRITE = SYS_CLASS_FILE | SYS_ARG_SLICE | 4;
        public const ulong SYS_LSEEK = SYS_CLASS_FILE | 19;
        public const ulong SYS_FCHMOD = SYS_CLASS_FILE | 94;
        public const ulong SYS_FCHOWN = SYS_CLASS_FILE | 207;
        public const ulong SYS_FCNTL = SYS_CLASS_FILE | 55;
        public const ulong SYS_FEVENT = SYS_CLASS_FILE | 927;
        public const ulong SYS_FMAP = SYS_CLASS_FILE | 90;
        public const ulong SYS_FUNMAP = SYS_CLASS_FILE | 91;
        public const ulong SYS_FPATH = SYS_CLASS_FILE | SYS_ARG_MSLICE | 928;
        public const ulong SYS_FRENAME = SYS_CLASS_FILE | SYS_ARG_PATH | 38;
        public const ulong SYS_FSTAT = SYS_CLASS_FILE | SYS_ARG_MSLICE | 28;
        public const ulong SYS_FSTATVFS = SYS_CLASS_FILE | SYS_ARG_MSLICE | 100;
        public const ulong SYS_FSYNC = SYS_CLASS_FILE | 118;
        public const ulong SYS_FTRUNCATE = SYS_CLASS_FILE | 93;
        public const ulong SYS_FUTIMENS = SYS_CLASS_FILE | SYS_ARG_SLICE | 320;
        public const ulong SYS_BRK = 45;
        public const ulong SYS_CHDIR = 12;
        public const ulong SYS_CLOCK_GETTIME = 265;
        public const ulong SYS_CLONE = 120;
        public const ulong SYS_EXECVE = 11;
        public const ulong SYS_EXIT = 1;
        public const ulong SYS_FUTEX = 240;
        public const ulong SYS_GETCWD = 183;
        public const ulong SYS_GETEGID = 202;
        public const ulong SYS_GETENS = 951;
        public const ulong SYS_GETEUID = 201;
        public const ulong SYS_GETGID = 200;
        public const ulong SYS_GETNS = 950;
        public const ulong SYS_GETPID = 20;
        public const ulong SYS_GETPGID = 132;
        public const ulong SYS_GETPPID = 64;
        public const ulong SYS_GETUID = 199;
        public const ulong SYS_IOPL = 110;
        public const ulong SYS_KILL = 37;
        public const ulong SYS_MKNS = 984;
        public const ulong SYS_NANOSLEEP = 162;
        public const ulong SYS_PHYSALLOC = 945;
        public const ulong SYS_PHYSFREE = 946;
        public const ulong SYS_PHYSMAP = 947;
        public const ulong SYS_PHYSUNMAP = 948;
        public const ulong SYS_VIRTTOPHYS = 949;
        public const ulong SYS_PIPE2 = 331;
        public const ulong SYS_SETPGID = 57;
        public const ulong SYS_SETREGID = 204;
        public const ulong SYS_SETRENS = 952;
        public const ulong SYS_SETREUID = 203;
        public const ulong SYS_SIGACTION = 67;
        public const ulong SYS_SIGRETURN = 119;
        public const ulong SYS_WAITPID = 7;
        public const ulong SYS_YIELD = 158;
    }
}
