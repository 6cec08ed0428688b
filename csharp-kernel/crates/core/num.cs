namespace core.num
{
    /// <summary>libcore's `usize::from_str` (`str::parse::&lt;usize&gt;`, radix 10) of early 2018.</summary>
    public static unsafe class FromStr
    {
        /// <summary>
        /// Empty: an error; one leading '+' is allowed (not '-': the type is unsigned), then at least
        /// one digit; any other character or an overflow of 64 bits is an error.
        /// </summary>
        public static bool ParseUsize(byte* src, ulong len, out ulong value)
        {
            value = 0;
            if (len == 0)
            {
                return false;
            }
            ulong i = 0;
            if (src[0] == (byte)'+')
            {
                i = 1;
            }
            if (i == len)
            {
                return false;
            }
            ulong result = 0;
            for (; i < len; i++)
            {
                byte c = src[i];
                if (c < (byte)'0' || c > (byte)'9')
                {
                    return false;
                }
                ulong d = (ulong)(c - (byte)'0');
                if (result > (~0UL - d) / 10)
                {
                    return false;
                }
                result = result * 10 + d;
            }
            value = result;
            return true;
        }
    }
}
