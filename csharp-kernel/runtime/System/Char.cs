namespace System
{
    public struct Char
    {
#pragma warning disable 169
        private char m_value;
#pragma warning restore 169
    }
}
