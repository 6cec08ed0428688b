namespace Internal.Runtime.CompilerHelpers
{
    /// <summary>Looked up by name by the compiler; the kernel takes no type or method tokens.</summary>
    internal static class LdTokenHelpers { }
}
