#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Kernel.acpi;
using Kernel.acpi.aml.namespace_;
using Kernel.acpi.sdt;
using Kernel.Hal;
using Kernel.Tests.memory;

namespace Kernel.Tests.acpi;

/// <summary>
/// The AML parser (acpi/aml) through `init_namespace`: tables compiled with iasl from the ASL in
/// tests/testdata/acpi, and hand-assembled byte strings for the error paths iasl will not emit.
/// </summary>
[Collection(KernelGlobals.Name)]
public unsafe class AmlParserTests
{
    private static string TestData(string name, [System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        return Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "testdata", "acpi", name);
    }

    /// <summary>A table: 36-byte header with `sig` and the AML body.</summary>
    private static byte[] Table(string sig, params byte[] body)
    {
        var t = new byte[36 + body.Length];
        for (int i = 0; i < 4; i++) t[i] = (byte)sig[i];
        BitConverter.GetBytes((uint)t.Length).CopyTo(t, 4);
        t[8] = 2;
        System.Text.Encoding.ASCII.GetBytes("REDOXPPORTAML ").CopyTo(t, 10);
        body.CopyTo(t, 36);
        return t;
    }

    private static byte[] Name4(string s) => System.Text.Encoding.ASCII.GetBytes(s);

    private static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>
    /// Files the given tables as the mapped SDTs and runs init_namespace; returns the serial
    /// output. <paramref name="check"/> runs with the namespace still in place.
    /// </summary>
    private static string Parse(byte[][] tables, Action? check = null)
    {
        string serial = "";
        MemoryMaps.OnBigStack(() =>
        {
            using var host = new AcpiHost();
            var buffers = new List<IntPtr>();
            try
            {
                Acpi.SDT_POINTERS = alloc.btree_map.BTreeMap<SdtSignature, SdtRef>.New(&SdtSignature.Compare);
                Acpi.sdt_pointers_is_some = true;
                Acpi.SDT_ORDER = alloc.vec.Vec<SdtSignature>.New();
                Acpi.sdt_order_is_some = true;
                foreach (var t in tables)
                {
                    IntPtr p = Marshal.AllocHGlobal(t.Length);
                    buffers.Add(p);
                    Marshal.Copy(t, 0, p, t.Length);
                    Acpi.InsertSdtPointer(Acpi.GetSdtSignature((Sdt*)p), (Sdt*)p);
                }
                Acpi.InitNamespace();
                serial = Machine.Serial;
                check?.Invoke();
            }
            catch (KernelHalted h)
            {
                serial = h.Serial;
            }
            finally
            {
                foreach (var p in buffers) Marshal.FreeHGlobal(p);
            }
        });
        return serial;
    }

    [Fact]
    public void A_compiled_DSDT_with_methods_devices_packages_buffers_and_fields_is_Parsed()
    {
        var dsdt = File.ReadAllBytes(TestData("dsdt-parsed.aml"));
        var serial = Parse(new[] { dsdt }, () =>
        {
            var ns = AcpiHost.Namespace().ToDictionary(e => e.Name, e => e.Kind);
            Assert.Equal(AmlValueKind.Package, ns["\\_S5"]);
            Assert.Equal(AmlValueKind.Integer, ns["\\INT0"]);
            Assert.Equal(AmlValueKind.String, ns["\\STR0"]);
            Assert.Equal(AmlValueKind.Buffer, ns["\\BUF0"]);
            Assert.Equal(AmlValueKind.Package, ns["\\PKG0"]);
            Assert.Equal(AmlValueKind.Mutex, ns["\\MTX0"]);
            Assert.Equal(AmlValueKind.Event, ns["\\EVT0"]);
            Assert.Equal(AmlValueKind.Method, ns["\\M001"]);
            Assert.Equal(AmlValueKind.OperationRegion, ns["\\DBG0"]);
            Assert.Equal(AmlValueKind.FieldUnit, ns["\\DBGB"]);
            Assert.Equal(AmlValueKind.FieldUnit, ns["\\REG1"]);
            Assert.Equal(AmlValueKind.Device, ns["\\_SB.PCI0"]);
            Assert.Equal(AmlValueKind.Integer, ns["\\_SB.PCI0._HID"]);
            Assert.Equal(AmlValueKind.Buffer, ns["\\_SB.PCI0._CRS"]);
            Assert.Equal(AmlValueKind.FieldUnit, ns["\\_SB.PCI0.PRQD"]);
            Assert.Equal(AmlValueKind.Device, ns["\\_SB.PCI0.ISA"]); // "ISA_": trailing '_' trimmed
            Assert.Equal(AmlValueKind.PowerResource, ns["\\_SB.PWR0"]);
            Assert.Equal(AmlValueKind.ThermalZone, ns["\\TZ00"]);
            Assert.Equal(AmlValueKind.Method, ns["\\TZ00._TMP"]);

            AmlValue* i = AcpiHost.Lookup("\\INT0");
            Assert.Equal(0x12345678UL, i->integer);
            AmlValue* s = AcpiHost.Lookup("\\STR0");
            Assert.Equal("Hello ACPI", AcpiHost.Str(s->str));
            AmlValue* b = AcpiHost.Lookup("\\BUF0");
            Assert.Equal(3UL, b->buffer.Len()); // Buffer(8){1,2,3}: the original truncates, never pads
            AmlValue* p = AcpiHost.Lookup("\\PKG0");
            Assert.Equal(5UL, p->package.Len()); // 4 elements padded to 5 with Uninitialized
            Assert.Equal(AmlValueKind.IntegerConstant, p->package[0].kind);
            Assert.Equal(AmlValueKind.String, p->package[1].kind);
            Assert.Equal(AmlValueKind.Buffer, p->package[2].kind);
            Assert.Equal(AmlValueKind.Package, p->package[3].kind);
            Assert.Equal(AmlValueKind.Uninitialized, p->package[4].kind);
            AmlValue* m = AcpiHost.Lookup("\\M001");
            Assert.Equal(2, m->method.arg_count);
            Assert.True(m->method.serialized);
            AmlValue* f = AcpiHost.Lookup("\\_SB.PCI0.PRQD");
            Assert.Equal(24UL, f->field_unit.offset); // after PRQA, PRQB and 8 reserved bits
            Assert.Equal(8UL, f->field_unit.length);
            AmlValue* r1 = AcpiHost.Lookup("\\REG1");
            Assert.Equal(0x88UL, r1->field_unit.offset); // Offset(0x10) = 128 bits, then REG0's 8
            Assert.Equal(FieldSelectorKind.Index, r1->field_unit.selector.kind);
            AmlValue* dev = AcpiHost.Lookup("\\_SB.PCI0");
            var objs = new List<string>();
            for (ulong k = 0; k < dev->device.obj_list.Len(); k++) objs.Add(AcpiHost.Str(dev->device.obj_list[k]));
            Assert.Equal(new[] { "\\_SB.PCI0._HID", "\\_SB.PCI0._CID", "\\_SB.PCI0._UID", "\\_SB.PCI0._STA", "\\_SB.PCI0.PIRQ",
                "\\_SB.PCI0.PRQA", "\\_SB.PCI0.PRQB", "\\_SB.PCI0.PRQD", "\\_SB.PCI0._CRS", "\\_SB.PCI0.ISA" }, objs);
        });
        Assert.Equal("  DSDT: Parsed\n", serial);
    }

    [Fact]
    public void A_device_with_module_level_If_is_rejected_with_Invalid_opcode_and_keeps_what_came_before()
    {
        var dsdt = File.ReadAllBytes(TestData("dsdt-rejected.aml"));
        var serial = Parse(new[] { dsdt }, () =>
        {
            var ns = AcpiHost.Namespace().Select(e => e.Name).ToList();
            Assert.Contains("\\BFOR", ns);
            Assert.Contains("\\DEV0._ADR", ns); // added by the device's own context before the If
            Assert.DoesNotContain("\\DEV0", ns);
            Assert.DoesNotContain("\\AFTR", ns);
        });
        Assert.Equal("  DSDT: Invalid opcode\n", serial);
    }

    [Fact]
    public void SSDTs_follow_the_DSDT_in_key_order()
    {
        var dsdt = Table("DSDT", Cat(new byte[] { 0x08 }, Name4("AAAA"), new byte[] { 0x01 }));
        var ssdt1 = Table("SSDT", Cat(new byte[] { 0x08 }, Name4("BBBB"), new byte[] { 0x01 }));
        var ssdt2 = Table("SSDT", Cat(new byte[] { 0x08 }, Name4("AAAA"), new byte[] { 0x01 }));
        ssdt2[16] = (byte)'Z'; // a different OEM table id, sorting after ssdt1's
        var serial = Parse(new[] { dsdt, ssdt1, ssdt2 });
        Assert.Equal("  DSDT: Parsed\n  SSDT: Parsed\n  SSDT: Type constraints or value bounds not met\n", serial);
    }

    [Fact]
    public void No_DSDT_prints_Unable_to_find_DSDT()
    {
        Assert.Equal("Unable to find DSDT\n", Parse(Array.Empty<byte[]>()));
    }

    [Fact]
    public void A_bad_package_length_is_a_parse_error_printed_by_its_message()
    {
        // Scope with a PkgLength lead byte 0x50: one more byte, but bits 4-5 set
        Assert.Equal("  DSDT: Invalid package length\n", Parse(new[] { Table("DSDT", 0x10, 0x50, 0x00) }));
    }

    [Fact]
    public void A_multi_name_path_with_no_segments_is_a_parse_error()
    {
        Assert.Equal("  DSDT: MultiName Path - can't have zero name segments\n", Parse(new[] { Table("DSDT", 0x08, 0x2F, 0x00, 0x01) }));
    }

    [Fact]
    public void An_unknown_name_at_top_level_is_a_deferred_load()
    {
        // (padded: see Quirk_fewer_than_8_bytes_left_is_data_truncated)
        Assert.Equal("  DSDT: Deferred load reached top level\n", Parse(new[] { Table("DSDT", Cat(Name4("ABCD"), new byte[4])) }));
    }

    [Fact]
    public void Quirk_fewer_than_8_bytes_left_is_data_truncated()
    {
        // The named-object parsers check their minimum length before their opcode, in order:
        // a term that reaches them with 4 bytes left meets DefPowerRes's check (5), with 7 bytes
        // DefProcessor's (8), and the table fails on a "data truncated" message.
        Assert.Equal("  DSDT: DefPowerRes - data truncated\n", Parse(new[] { Table("DSDT", Name4("ABCD")) }));
        Assert.Equal("  DSDT: DefProcessor - data truncated\n", Parse(new[] { Table("DSDT", 0x5B, 0x32, 0x01, 0x02, 0x00, 0x0A, 0x03) }));
    }

    [Fact]
    public void A_top_level_Fatal_prints_Fatal_error_occurred_and_stops()
    {
        var serial = Parse(new[] { Table("DSDT", 0x5B, 0x32, 0x01, 0x02, 0x00, 0x0A, 0x03, 0x00) });
        // then kstop: no FADT here, so no ACPI shutdown; the old QEMU port; cli; hlt
        Assert.Equal("  DSDT: Fatal error occurred\nkstop\n"
            + string.Concat("Shutdown".Select(c => $"Shutdown with outb(0x8900, '{c}')\n"))
            + "Shutdown with cli hlt\n", serial);
    }

    [Fact]
    public void Quirk_ShiftLeft_shifts_right_and_Store_does_not_resolve_its_target()
    {
        // Name(SHL0, 1); Store(ShiftLeft(0x10, 2), SHL0): the target name is used as written,
        // so the store creates "SHL0" beside "\SHL0"
        var body = Cat(new byte[] { 0x08 }, Name4("SHL0"), new byte[] { 0x0A, 0x01 },
            new byte[] { 0x70, 0x79, 0x0A, 0x10, 0x0A, 0x02, 0x00 }, Name4("SHL0"));
        var serial = Parse(new[] { Table("DSDT", body) }, () =>
        {
            Assert.Equal(4UL, AcpiHost.Lookup("SHL0")->integer); // 0x10 >> 2, not 0x10 << 2
            Assert.Equal(1UL, AcpiHost.Lookup("\\SHL0")->integer);
        });
        Assert.Equal("  DSDT: Parsed\n", serial);
    }

    [Fact]
    public void Quirk_Arg_in_a_term_argument_is_read_as_Local8_and_panics()
    {
        // Method(MDRF, 1) { Return(DerefOf(Arg0)) Noop... } called as \MDRF(1). The body is
        // padded to 8 bytes (see Quirk_fewer_than_8_bytes_left_is_data_truncated) and the call
        // uses the absolute name (see Quirk_invocations_look_up_the_name_as_written).
        var method = Cat(new byte[] { 0x14, 0x0E }, Name4("MDRF"), new byte[] { 0x01, 0xA4, 0x83, 0x68, 0xA3, 0xA3, 0xA3, 0xA3, 0xA3 });
        var serial = Parse(new[] { Table("DSDT", Cat(method, new byte[] { 0x5C }, Name4("MDRF"), new byte[] { 0x01, 0, 0, 0 })) });
        Assert.StartsWith("  DSDTPANIC: index out of bounds: the len is 8 but the index is 8\nFILE: src/acpi/aml/parser.rs\n", serial);
    }

    [Fact]
    public void Quirk_invocations_look_up_the_name_as_written()
    {
        // the same method called as MDRF(1): "MDRF" is not a key ("\MDRF" is), so: deferred load
        var method = Cat(new byte[] { 0x14, 0x0E }, Name4("MDRF"), new byte[] { 0x01, 0xA4, 0x83, 0x68, 0xA3, 0xA3, 0xA3, 0xA3, 0xA3 });
        var serial = Parse(new[] { Table("DSDT", Cat(method, Name4("MDRF"), new byte[] { 0x01, 0, 0, 0 })) });
        Assert.Equal("  DSDT: Deferred load reached top level\n", serial);
    }

    [Fact]
    public void A_method_runs_at_top_level_and_its_errors_are_swallowed()
    {
        // Method(MRET, 1) { Return(Add(0x20, 0x02, )) Noop Noop }; Name(RES0, 0x01); Store(\MRET(5), RES0)
        var method = Cat(new byte[] { 0x14, 0x0F }, Name4("MRET"), new byte[] { 0x01, 0xA4, 0x72, 0x0A, 0x20, 0x0A, 0x02, 0x00, 0xA3, 0xA3 });
        var body = Cat(method, new byte[] { 0x08 }, Name4("RES0"), new byte[] { 0x0A, 0x01, 0x70, 0x5C }, Name4("MRET"), new byte[] { 0x0A, 0x05, 0x5C }, Name4("RES0"));
        var serial = Parse(new[] { Table("DSDT", body) }, () =>
        {
            Assert.Equal(0x22UL, AcpiHost.Lookup("\\RES0")->integer);
        });
        Assert.Equal("  DSDT: Parsed\n", serial);
    }

    [Fact]
    public void Quirk_method_sync_level_is_the_low_nibble()
    {
        // Method(MSYN, 0, NotSerialized, 5): flags 0x50; the original keeps flags & 0x0F
        var body = Cat(new byte[] { 0x14, 0x06 }, Name4("MSYN"), new byte[] { 0x53 });
        Parse(new[] { Table("DSDT", body) }, () =>
        {
            AmlValue* m = AcpiHost.Lookup("\\MSYN");
            Assert.Equal(3, m->method.sync_level);
            Assert.Equal(3, m->method.arg_count);
        });
    }

    [Fact]
    public void A_second_definition_of_a_name_is_a_value_error()
    {
        var body = Cat(new byte[] { 0x08 }, Name4("DUPL"), new byte[] { 0x01, 0x08 }, Name4("DUPL"), new byte[] { 0x00 });
        Assert.Equal("  DSDT: Type constraints or value bounds not met\n", Parse(new[] { Table("DSDT", body) }));
    }
}
