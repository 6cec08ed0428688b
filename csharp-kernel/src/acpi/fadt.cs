using System.Runtime.InteropServices;
using alloc.vec;
using core.fmt;
using Kernel.acpi.sdt;
using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.paging;

namespace Kernel.acpi.fadt
{
    /// <summary>fadt.rs: the Fixed ACPI Description Table, ACPI 1.0 part only (packed, 116 bytes).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public unsafe struct Fadt
    {
        public Sdt header;
        public uint firmware_ctrl;
        public uint dsdt;

        /// <summary>ACPI 1.0 only; kept for the layout.</summary>
        private byte reserved;

        public byte preferred_power_managament;
        public ushort sci_interrupt;
        public uint smi_command_port;
        public byte acpi_enable;
        public byte acpi_disable;
        public byte s4_bios_req;
        public byte pstate_control;
        public uint pm1a_event_block;
        public uint pm1b_event_block;
        public uint pm1a_control_block;
        public uint pm1b_control_block;
        public uint pm2_control_block;
        public uint pm_timer_block;
        public uint gpe0_block;
        public uint gpe1_block;
        public byte pm1_event_length;
        public byte pm1_control_length;
        public byte pm2_control_length;
        public byte pm_timer_length;
        public byte gpe0_ength;
        public byte gpe1_length;
        public byte gpe1_base;
        public byte c_state_control;
        public ushort worst_c2_latency;
        public ushort worst_c3_latency;
        public ushort flush_size;
        public ushort flush_stride;
        public byte duty_offset;
        public byte duty_width;
        public byte day_alarm;
        public byte month_alarm;
        public byte century;

        /// <summary>Reserved in ACPI 1.0, used from 2.0 on.</summary>
        public ushort boot_architecture_flags;

        private byte reserved2;
        public uint flags;

        /// <summary>A copy of the table when the signature is "FACP" and it is at least this long.</summary>
        public static Fadt? New(Sdt* sdt)
        {
            if (Sdt.SignatureIs(sdt, "FACP") && sdt->length >= (uint)sizeof(Fadt))
            {
                return *(Fadt*)sdt;
            }
            return null;
        }

        /// <summary>
        /// `Fadt::init`: exactly one FACP (else "Unable to find FADT"), recorded in the load order;
        /// prints the DSDT's address, maps the DSDT and files it under its own signature.
        /// </summary>
        public static void Init(ref ActivePageTable active_table)
        {
            Vec<SdtRef> fadt_sdt = Acpi.FindSdt("FACP");
            Fadt? fadt;
            if (fadt_sdt.Len() == 1)
            {
                Acpi.LoadTable(Acpi.GetSdtSignature(fadt_sdt[0].sdt));
                fadt = New(fadt_sdt[0].sdt);
            }
            else
            {
                using (var w = Writer.New()) { w.Str("Unable to find FADT\n"); }
                fadt_sdt.Dispose();
                return;
            }

            if (fadt.HasValue)
            {
                Fadt f = fadt.GetValueOrDefault();
                using (var w = Writer.New()) { w.Str("  FACP: "); w.UpperHex(f.dsdt); w.Str("\n"); }

                Sdt* dsdt_sdt = Acpi.GetSdt(f.dsdt, ref active_table);

                SdtSignature signature = Acpi.GetSdtSignature(dsdt_sdt);
                if (Acpi.sdt_pointers_is_some)
                {
                    Acpi.InsertSdtPointer(signature, dsdt_sdt);
                }
                else
                {
                    signature.Dispose();
                }

                Acpi.ACPI_TABLE.fadt = f;
                Acpi.ACPI_TABLE.fadt_is_some = true;
            }
            fadt_sdt.Dispose();
        }
    }
}
