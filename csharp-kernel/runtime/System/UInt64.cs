namespace System
{
    public struct UInt64
    {
#pragma warning disable 169
        private ulong m_value;
#pragma warning restore 169
    }
}
