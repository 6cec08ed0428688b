namespace Kernel.acpi.aml.pkglength
{
    /// <summary>pkglength.rs.</summary>
    public static class PkgLength
    {
        /// <summary>
        /// `parse_pkg_length`: (length, bytes used). One byte: its low 6 bits. Otherwise bits 4-5 of
        /// the lead byte must be clear ("Invalid package length"); its low nibble plus each
        /// following byte × 16 × 256^k (in u32 arithmetic, as the original).
        /// </summary>
        public static Res<PkgLen> ParsePkgLength(Slice data)
        {
            byte lead_byte = data[0];
            ulong count_bytes = (ulong)(lead_byte >> 6);

            if (count_bytes == 0)
            {
                return Res<PkgLen>.Ok(new PkgLen { length = (ulong)(lead_byte & 0x3F), length_len = 1 });
            }

            int upper_two = (lead_byte >> 4) & 0x03;
            if (upper_two != 0)
            {
                return Res<PkgLen>.Err(AmlError.ParseError("Invalid package length"));
            }

            ulong current_byte = 0;
            ulong pkg_len = (ulong)(lead_byte & 0x0F);

            while (current_byte < count_bytes)
            {
                uint pow = 1;
                for (ulong k = 0; k < current_byte; k++) pow *= 256;
                pkg_len += (ulong)((uint)data[1 + current_byte] * 16 * pow);
                current_byte += 1;
            }

            return Res<PkgLen>.Ok(new PkgLen { length = pkg_len, length_len = count_bytes + 1 });
        }
    }

    /// <summary>The `(usize, usize)` pkg_length returns.</summary>
    public struct PkgLen
    {
        public ulong length;
        public ulong length_len;
    }
}
