using System.Runtime.InteropServices;

// The redox_syscall crate (0.1.37, commit 7c805d2a): the #[repr(C)] structures passed across the
// system call boundary (data.rs). Field order and types are the ABI's.
namespace syscall.data
{
    /// <summary>`Event`: id, flags, data (24 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Event
    {
        public ulong id;
        public ulong flags;
        public ulong data;
    }

    /// <summary>`Packet`: what the kernel hands a scheme (48 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Packet
    {
        public ulong id;
        public ulong pid;
        public uint uid;
        public uint gid;
        public ulong a;
        public ulong b;
        public ulong c;
        public ulong d;
    }

    /// <summary>`SigAction`: handler, mask, flags (32 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct SigAction
    {
        public ulong sa_handler;
        public fixed ulong sa_mask[2];
        public ulong sa_flags;
    }

    /// <summary>`Stat` (#[repr(C)], 104 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Stat
    {
        public ulong st_dev;
        public ulong st_ino;
        public ushort st_mode;
        public uint st_nlink;
        public uint st_uid;
        public uint st_gid;
        public ulong st_size;
        public uint st_blksize;
        public ulong st_blocks;
        public ulong st_mtime;
        public uint st_mtime_nsec;
        public ulong st_atime;
        public uint st_atime_nsec;
        public ulong st_ctime;
        public uint st_ctime_nsec;
    }

    /// <summary>`TimeSpec`: seconds and nanoseconds (16 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public long tv_sec;
        public int tv_nsec;
    }

    /// <summary>`StatVfs`: a file system's block size and counts (32 bytes: f_bsize is padded).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct StatVfs
    {
        public uint f_bsize;
        public ulong f_blocks;
        public ulong f_bfree;
        public ulong f_bavail;
    }
}
