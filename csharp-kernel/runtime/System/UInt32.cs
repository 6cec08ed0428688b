namespace System
{
    public struct UInt32
    {
#pragma warning disable 169
        private uint m_value;
#pragma warning restore 169
    }
}
