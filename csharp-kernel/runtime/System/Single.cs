namespace System
{
    public struct Single
    {
#pragma warning disable 169
        private float m_value;
#pragma warning restore 169
    }
}
