namespace Internal.Runtime.CompilerHelpers
{
    /// <summary>Looked up by name by the compiler; the kernel's start-up needs none of the runtime's.</summary>
    internal static class StartupCodeHelpers { }
}
