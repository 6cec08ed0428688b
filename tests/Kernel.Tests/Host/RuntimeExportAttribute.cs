namespace System.Runtime
{
    /// <summary>The kernel's core library gives exported methods a native symbol name; on the host it means nothing.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    internal sealed class RuntimeExportAttribute : Attribute
    {
        public RuntimeExportAttribute(string entry) { EntryPoint = entry; }
        public string EntryPoint { get; }
    }
}
