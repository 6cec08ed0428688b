namespace Internal.Runtime.CompilerHelpers
{
    /// <summary>Looked up by name by the compiler.</summary>
    internal static class InteropHelpers { }
}
