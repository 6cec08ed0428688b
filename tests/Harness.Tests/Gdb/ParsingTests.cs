using Harness.Gdb;
using Harness.Gdb.Monitor;

namespace Harness.Tests.Gdb;

/// <summary>Target descriptions and QEMU's <c>info registers</c> text.</summary>
public class ParsingTests
{
    // As QEMU 7.2 prints it for a CPU in 64-bit mode (x86_cpu_dump_state with HF_CS64 and HF_LMA),
    // with the values of the reference's "entry" checkpoint.
    private const string LongModeDump = """
        CPU#0
        RAX=0000000000000000 RBX=0000000000000000 RCX=0000000000000000 RDX=0000000000000000
        RSI=0000000000000000 RDI=000000000000804e RBP=0000000000000000 RSP=ffffff000009eff8
        R8 =0000000000000000 R9 =0000000000000000 R10=0000000000000000 R11=0000000000000000
        R12=0000000000000000 R13=0000000000000000 R14=0000000000000000 R15=0000000000000000
        RIP=ffffff0000100000 RFL=00000046 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=0
        ES =0010 0000000000000000 ffffffff 00cf9300 DPL=0 DS   [-WA]
        CS =0008 0000000000000000 ffffffff 00af9b00 DPL=0 CS64 [-RA]
        SS =0010 0000000000000000 ffffffff 00cf9300 DPL=0 DS   [-WA]
        DS =0010 0000000000000000 ffffffff 00cf9300 DPL=0 DS   [-WA]
        FS =0010 0000000000000000 ffffffff 00cf9300 DPL=0 DS   [-WA]
        GS =0010 0000000000000000 ffffffff 00cf9300 DPL=0 DS   [-WA]
        LDT=0000 0000000000000000 0000ffff 00008200 DPL=0 LDT
        TR =0000 0000000000000000 0000ffff 00008b00 DPL=0 TSS64-busy
        GDT=     0000000000008840 00000019
        IDT=     0000000000000000 000003ff
        CR0=80010033 CR2=0000000000000000 CR3=0000000000070000 CR4=000006b0
        DR0=0000000000000000 DR1=0000000000000000 DR2=0000000000000000 DR3=0000000000000000 
        DR6=00000000ffff0ff0 DR7=0000000000000400
        EFER=0000000000000d00
        FCW=037f FSW=0000 [ST=0] FTW=00 MXCSR=00001f80
        FPR0=0000000000000000 0000 FPR1=0000000000000000 0000
        XMM00=0000000000000000 0000000000000000 XMM01=0000000000000000 0000000000000000

        """;

    [Fact]
    public void Long_mode_dump_gives_the_fields_the_reference_records_with_their_printed_widths()
    {
        var dump = QemuRegisterDump.Parse(LongModeDump.Replace("\n", "\r\n"));
        Assert.True(dump.Is64BitFormat);
        Assert.Equal("0x0000000000008840", dump.Gdt.Base.ToString());
        Assert.Equal("0x00000019", dump.Gdt.Limit.ToString());
        Assert.Equal("0x000003ff", dump.Idt.Limit.ToString());
        Assert.Equal(("0x0000", "0x0000000000000000", "0x0000ffff", "0x00008b00"),
            (dump.Tr.Selector.ToString(), dump.Tr.Base.ToString(), dump.Tr.Limit.ToString(), dump.Tr.Attributes.ToString()));
        Assert.Equal("TSS64-busy", dump.Tr.Details.Split(' ')[^1]);
        Assert.Equal(0x8UL, dump.Cs.Selector.Value);
        Assert.Equal(0x10UL, dump.Segment("gs").Selector.Value);
        Assert.Equal("0x80010033", dump.Cr0.ToString());
        Assert.Equal("0x0000000000070000", dump.Cr3.ToString());
        Assert.Equal("0x000006b0", dump.Cr4.ToString());
        Assert.Equal("0x0000000000000d00", dump.Efer.ToString());
        Assert.Equal(0xffffff0000100000UL, dump.InstructionPointer.Value);
        Assert.Equal(0x46UL, dump.Flags.Value);
        Assert.Equal(0x804eUL, dump.Values["RDI"].Value);
        Assert.Equal(0UL, dump.Values["R8"].Value);
        Assert.Equal(0x1f80UL, dump.Values["MXCSR"].Value);
        Assert.False(dump.Values.ContainsKey("ST"));
    }

    [Fact]
    public void Real_mode_dump_and_a_missing_line_named_in_the_error()
    {
        const string text = """
            EAX=00000000 EBX=00000000 ECX=00000000 EDX=00060fb1
            EIP=0000fff0 EFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0
            ES =0000 00000000 0000ffff 00009300
            CS =f000 ffff0000 0000ffff 00009b00
            SS =0000 00000000 0000ffff 00009300
            DS =0000 00000000 0000ffff 00009300
            FS =0000 00000000 0000ffff 00009300
            GS =0000 00000000 0000ffff 00009300
            LDT=0000 00000000 0000ffff 00008200
            TR =0000 00000000 0000ffff 00008b00
            GDT=     00000000 0000ffff
            IDT=     00000000 0000ffff
            CR0=60000010 CR2=00000000 CR3=00000000 CR4=00000000
            EFER=0000000000000000
            """;
        var dump = QemuRegisterDump.Parse(text);
        Assert.False(dump.Is64BitFormat);
        Assert.Equal((0xf000UL, 0xffff0000UL), (dump.Cs.Selector.Value, dump.Cs.Base.Value));
        Assert.Equal(0xfff0UL, dump.InstructionPointer.Value);
        Assert.Equal("", dump.Cs.Details);

        var broken = Assert.Throws<FormatException>(() => QemuRegisterDump.Parse(text.Replace("IDT=", "XDT=")));
        Assert.Contains("IDT", broken.Message);
    }

    [Fact]
    public void All_cpus_of_a_multi_cpu_dump_are_parsed()
    {
        var two = LongModeDump + LongModeDump.Replace("CPU#0", "CPU#1").Replace("CR3=0000000000070000", "CR3=0000000000071000");
        var dumps = QemuRegisterDump.ParseAll(two);
        Assert.Equal([0, 1], dumps.Select(d => d.Cpu));
        Assert.Equal(0x71000UL, dumps[1].Cr3.Value);
    }

    [Fact]
    public async Task Target_description_follows_includes_in_order_skips_comments_and_numbers_implicitly()
    {
        var documents = new Dictionary<string, string>
        {
            ["target.xml"] = """
                <?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd">
                <target><architecture>i386:x86-64</architecture>
                <xi:include href="a.xml"/><xi:include href="b.xml"/></target>
                """,
            ["a.xml"] = """
                <feature name="a"><reg name="rax" bitsize="64" regnum="0"/><reg name="rip" bitsize="64"/>
                <!--reg name="cs_base" bitsize="64"/--><reg name="eflags" bitsize="32"/></feature>
                """,
            ["b.xml"] = """<feature name="b"><reg name="st0" bitsize="80" regnum="10"/><reg name="cr3" bitsize="64"/></feature>""",
        };
        var description = await TargetDescription.FromDocumentsAsync(documents);
        Assert.Equal(["rax", "rip", "eflags", "st0", "cr3"], description.Registers.Select(r => r.Name));
        Assert.Equal([0, 1, 2, 10, 11], description.Registers.Select(r => r.RegNum));
        Assert.Equal([0, 8, 16, 20, 30], description.Registers.Select(r => r.Offset));
        Assert.Equal(38, description.GPacketSize);
        Assert.Equal("b.xml", description["CR3"].Feature);
        var missing = Assert.Throws<KeyNotFoundException>(() => description["cs_base"]);
        Assert.Contains("rip", missing.Message);
    }

    [Fact]
    public async Task Broken_target_description_is_a_protocol_error()
    {
        var documents = new Dictionary<string, string> { ["target.xml"] = "<target><reg name=\"x\"/></target>" };
        var error = await Assert.ThrowsAsync<GdbProtocolException>(() => TargetDescription.FromDocumentsAsync(documents));
        Assert.Contains("bitsize", error.Message);
    }
}
