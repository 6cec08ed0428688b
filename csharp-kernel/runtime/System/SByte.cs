namespace System
{
    public struct SByte
    {
#pragma warning disable 169
        private sbyte m_value;
#pragma warning restore 169
    }
}
