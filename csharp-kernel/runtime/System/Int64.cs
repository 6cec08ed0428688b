namespace System
{
    public struct Int64
    {
#pragma warning disable 169
        private long m_value;
#pragma warning restore 169
    }
}
