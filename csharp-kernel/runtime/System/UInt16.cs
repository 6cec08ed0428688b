namespace System
{
    public struct UInt16
    {
#pragma warning disable 169
        private ushort m_value;
#pragma warning restore 169
    }
}
