namespace System
{
    public struct RuntimeFieldHandle
    {
#pragma warning disable 169
        private IntPtr _value;
#pragma warning restore 169
    }
}
