namespace System.Runtime.InteropServices
{
    public enum UnmanagedType { }
}
