using Kernel.arch.x86_64.device.pic;
using spin;

namespace Kernel.arch.x86_64.device.rtc
{
    /// <summary>rtc.rs's init: the boot time read off the CMOS clock.</summary>
    public static class RtcModule
    {
        /// <summary>`time::START.lock().0 = Rtc::new().time()`: seconds since the Unix epoch at boot.</summary>
        public static void Init()
        {
            Rtc rtc = Rtc.New();
            ulong secs = rtc.Time();
            using (var start = Kernel.time.TimeMod.START.Lock())
            {
                start.Value.secs = secs;
            }
        }

        /// <summary>A BCD byte's value.</summary>
        public static ulong CvtBcd(ulong value)
        {
            return (value & 0xF) + ((value / 16) * 10);
        }
    }

    /// <summary>rtc.rs: the CMOS real-time clock, index port 0x70 and data port 0x71.</summary>
    public struct Rtc
    {
        private Pio8 addr;
        private Pio8 data;

        /// <summary>Create new empty RTC.</summary>
        public static Rtc New() => new Rtc
        {
            addr = Pio8.New(0x70),
            data = Pio8.New(0x71),
        };

        /// <summary>Read one CMOS register.</summary>
        private readonly byte Read(byte reg)
        {
            addr.Write(reg);
            return data.Read();
        }

        /// <summary>Wait for an update to begin (register A bit 7 set), then for it to end.</summary>
        private readonly void Wait()
        {
            while ((Read(0xA) & 0x80) != 0x80) { }
            while ((Read(0xA) & 0x80) == 0x80) { }
        }

        /// <summary>
        /// Get time: after an update, seconds, minutes, hours, day, month, year and register B, in
        /// that order; the century is taken as 20 (the FADT's century register is not used).
        /// </summary>
        public readonly ulong Time()
        {
            Wait();
            ulong second = Read(0);
            ulong minute = Read(2);
            ulong hour = Read(4);
            ulong day = Read(7);
            ulong month = Read(8);
            ulong year = Read(9);
            ulong century = 20;
            byte register_b = Read(0xB);

            return Seconds(second, minute, hour, day, month, year, century, register_b);
        }

        /// <summary>
        /// The arithmetic of `Rtc::time` on the registers read: BCD decoding unless register B says
        /// binary, 12-hour correction, then seconds since 1970 with the original's leap-day count
        /// (one per four years from 1972, less one in January and February of a leap year). u64
        /// arithmetic wraps as in the original's release build.
        /// </summary>
        public static ulong Seconds(ulong second, ulong minute, ulong hour, ulong day, ulong month, ulong year, ulong century, byte register_b)
        {
            if ((register_b & 4) != 4)
            {
                second = RtcModule.CvtBcd(second);
                minute = RtcModule.CvtBcd(minute);
                hour = RtcModule.CvtBcd(hour & 0x7F) | (hour & 0x80);
                day = RtcModule.CvtBcd(day);
                month = RtcModule.CvtBcd(month);
                year = RtcModule.CvtBcd(year);
            }

            if ((register_b & 2) != 2 || (hour & 0x80) == 0x80)
            {
                hour = ((hour & 0x7F) + 12) % 24;
            }

            year += century * 100;

            // Unix time from clock
            ulong secs = (year - 1970) * 31_536_000;

            ulong leap_days = (year - 1972) / 4 + 1;
            if (year % 4 == 0 && month <= 2)
            {
                leap_days -= 1;
            }
            secs += leap_days * 86_400;

            switch (month)
            {
                case 2: secs += 2_678_400; break;
                case 3: secs += 5_097_600; break;
                case 4: secs += 7_776_000; break;
                case 5: secs += 10_368_000; break;
                case 6: secs += 13_046_400; break;
                case 7: secs += 15_638_400; break;
                case 8: secs += 18_316_800; break;
                case 9: secs += 20_995_200; break;
                case 10: secs += 23_587_200; break;
                case 11: secs += 26_265_600; break;
                case 12: secs += 28_857_600; break;
                default: break;
            }

            secs += (day - 1) * 86_400;
            secs += hour * 3600;
            secs += minute * 60;
            secs += second;

            return secs;
        }
    }
}
