namespace Internal.Runtime
{
    /// <summary>Looked up by name by the compiler; the kernel's per-CPU data is TLS reached through FS.</summary>
    internal static class ThreadStatics { }
}
