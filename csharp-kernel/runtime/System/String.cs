namespace System
{
    /// <summary>
    /// Only string literals exist in the kernel: the compiler freezes them into the image.
    /// The field names are the ones ILCompiler expects.
    /// </summary>
    public sealed class String
    {
#pragma warning disable 649
        private readonly int _stringLength;
        private char _firstChar;
#pragma warning restore 649

        public int Length => _stringLength;

        public unsafe char this[int index]
        {
            get
            {
                fixed (char* p = &_firstChar)
                {
                    return p[index];
                }
            }
        }
    }
}
