using System.Runtime.InteropServices;

namespace Kernel.acpi.dmar.drhd
{
    /// <summary>drhd.rs: the register block of a DMA remapping hardware unit (all packed).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public unsafe struct DrhdFault
    {
        public uint sts;
        public uint ctrl;
        public uint data;
        public fixed uint addr[2];
        private fixed ulong _rsv[2];
        public ulong log;
    }

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct DrhdProtectedMemory
    {
        public uint en;
        public uint low_base;
        public uint low_limit;
        public ulong high_base;
        public ulong high_limit;
    }

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public unsafe struct DrhdInvalidation
    {
        public ulong queue_head;
        public ulong queue_tail;
        public ulong queue_addr;
        private uint _rsv;
        public uint cmpl_sts;
        public uint cmpl_ctrl;
        public uint cmpl_data;
        public fixed uint cmpl_addr[2];
    }

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public unsafe struct DrhdPageRequest
    {
        public ulong queue_head;
        public ulong queue_tail;
        public ulong queue_addr;
        private uint _rsv;
        public uint sts;
        public uint ctrl;
        public uint data;
        public fixed uint addr[2];
    }

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct DrhdMtrrVariable
    {
        public ulong @base;
        public ulong mask;
    }

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public unsafe struct DrhdMtrr
    {
        public ulong cap;
        public ulong def_type;
        public fixed ulong @fixed[11];
        /// <summary>[DrhdMtrrVariable; 10]: base, mask pairs.</summary>
        public fixed ulong variable[20];
    }

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct Drhd
    {
        public uint version;
        private uint _rsv;
        public ulong cap;
        public ulong ext_cap;
        public uint gl_cmd;
        public uint gl_sts;
        public ulong root_table;
        public ulong ctx_cmd;
        private uint _rsv1;
        public DrhdFault fault;
        private uint _rsv2;
        public DrhdProtectedMemory pm;
        public DrhdInvalidation invl;
        private ulong _rsv3;
        public ulong intr_table;
        public DrhdPageRequest page_req;
        public DrhdMtrr mtrr;
    }
}
