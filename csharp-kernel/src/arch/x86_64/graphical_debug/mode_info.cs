using System.Runtime.InteropServices;

namespace Kernel.arch.x86_64.graphical_debug.mode_info
{
    /// <summary>
    /// mode_info.rs: the VBE mode information block (packed, 50 bytes) that the loader leaves at
    /// physical 0x5200. Only the resolution and the linear framebuffer's address are read.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct VBEModeInfo
    {
#pragma warning disable CS0169, CS0649 // the block's layout: most fields are never read, as in the original
        private ushort attributes;
        private byte win_a;
        private byte win_b;
        private ushort granularity;
        private ushort winsize;
        private ushort segment_a;
        private ushort segment_b;
        private uint winfuncptr;
        private ushort bytesperscanline;
        public ushort xresolution;
        public ushort yresolution;
        private byte xcharsize;
        private byte ycharsize;
        private byte numberofplanes;
        private byte bitsperpixel;
        private byte numberofbanks;
        private byte memorymodel;
        private byte banksize;
        private byte numberofimagepages;
        private byte unused;
        private byte redmasksize;
        private byte redfieldposition;
        private byte greenmasksize;
        private byte greenfieldposition;
        private byte bluemasksize;
        private byte bluefieldposition;
        private byte rsvdmasksize;
        private byte rsvdfieldposition;
        private byte directcolormodeinfo;
        public uint physbaseptr;
        private uint offscreenmemoryoffset;
        private ushort offscreenmemsize;
#pragma warning restore CS0169, CS0649
    }
}
