namespace System
{
    public struct Int32
    {
#pragma warning disable 169
        private int m_value;
#pragma warning restore 169
    }
}
