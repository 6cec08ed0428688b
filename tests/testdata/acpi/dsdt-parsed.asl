/*
 * A DSDT-like table for the port's AML parser (tests/Kernel.Tests/acpi): scopes, devices,
 * methods, names of every data kind, packages, buffers, an operation region with fields, an
 * index field, a mutex, an event, a power resource, a thermal zone and the \_S5 package that
 * set_global_s_state reads. Everything here is what Redox 0.3.5's parser accepts at load time
 * (methods are stored, not run). Written for this project; compile: iasl dsdt-parsed.asl
 */
DefinitionBlock ("", "DSDT", 1, "REDOXP", "PORTTEST", 0x00000001)
{
    Name (\_S5, Package (0x04) { 0x05, 0x05, Zero, Zero })
    Name (INT0, 0x12345678)
    Name (STR0, "Hello ACPI")
    Name (BUF0, Buffer (0x08) { 0x01, 0x02, 0x03 })
    Name (PKG0, Package (0x05) { One, "two", Buffer () { 0x03, 0x04 }, Package () { 0x05 } })
    Name (QW00, 0x0123456789ABCDEF)
    Mutex (MTX0, 0x03)
    Event (EVT0)

    Method (M001, 2, Serialized)
    {
        If (Arg0)
        {
            Return (Arg1)
        }
        Return (Zero)
    }

    OperationRegion (DBG0, SystemIO, 0x0402, One)
    Field (DBG0, ByteAcc, NoLock, Preserve)
    {
        DBGB,   8
    }

    OperationRegion (IDXR, SystemIO, 0x0510, 0x02)
    Field (IDXR, ByteAcc, NoLock, Preserve)
    {
        IDX0,   8,
        DAT0,   8
    }
    IndexField (IDX0, DAT0, ByteAcc, NoLock, Preserve)
    {
        Offset (0x10),
        REG0,   8,
        REG1,   16
    }

    Scope (\_SB)
    {
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A08"))
            Name (_CID, EisaId ("PNP0A03"))
            Name (_UID, Zero)
            Method (_STA, 0, NotSerialized)
            {
                Return (0x0F)
            }

            OperationRegion (PIRQ, PCI_Config, 0x60, 0x04)
            Field (PIRQ, ByteAcc, NoLock, Preserve)
            {
                PRQA,   8,
                PRQB,   8,
                    ,   8,
                PRQD,   8
            }

            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08, )
            })

            Device (ISA)
            {
                Name (_ADR, 0x001F0000)
            }
        }

        PowerResource (PWR0, 0x00, 0x0000)
        {
            Method (_STA, 0, NotSerialized)
            {
                Return (One)
            }
        }
    }

    ThermalZone (TZ00)
    {
        Method (_TMP, 0, NotSerialized)
        {
            Return (0x0BB8)
        }
    }
}
