namespace System
{
    public struct Byte
    {
#pragma warning disable 169
        private byte m_value;
#pragma warning restore 169
    }
}
