namespace System.Runtime
{
    /// <summary>Gives a method a fixed native symbol name (the entry point, runtime helpers).</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class RuntimeExportAttribute : Attribute
    {
        public string EntryPoint { get; }
        public RuntimeExportAttribute(string entry) { EntryPoint = entry; }
    }
}
