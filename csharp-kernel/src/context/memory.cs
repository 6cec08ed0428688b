using System.Runtime.InteropServices;
using alloc.arc;
using spin;

namespace Kernel.context.memory
{
    // context/memory.rs: the shapes a context holds (sizes as the original's). Mapping and
    // unmapping user memory come with exec and brk (not ported yet).

    /// <summary>`Grant`: a range of another address space mapped here (32 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Grant
    {
        public ulong start;
        public ulong size;
        public ulong flags;
        public bool mapped;
    }

    /// <summary>`Memory`: a range of user pages with their flags (24 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Memory
    {
        public ulong start;
        public ulong size;
        public ulong flags;
    }

    /// <summary>`SharedMemory`: Owned(Arc&lt;Mutex&lt;Memory&gt;&gt;) or Borrowed(Weak&lt;…&gt;) (16 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SharedMemory
    {
        /// <summary>0 = Owned, 1 = Borrowed.</summary>
        public ulong kind;
        public Arc<Mutex<Memory>> inner;
    }

    /// <summary>`Option&lt;Memory&gt;`.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct OptionMemory
    {
        public bool is_some;
        public Memory value;
    }

    /// <summary>`Option&lt;SharedMemory&gt;` (None is the null Arc: the niche).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct OptionSharedMemory
    {
        public SharedMemory value;
    }

    /// <summary>`Tls`: master image address, file size, the memory and its offset (48 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Tls
    {
        public ulong master;
        public ulong file_size;
        public Memory mem;
        public ulong offset;
    }

    /// <summary>`Option&lt;Tls&gt;`.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct OptionTls
    {
        public bool is_some;
        public Tls value;
    }
}
