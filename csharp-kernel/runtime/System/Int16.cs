namespace System
{
    public struct Int16
    {
#pragma warning disable 169
        private short m_value;
#pragma warning restore 169
    }
}
