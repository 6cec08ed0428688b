namespace System.Runtime.InteropServices
{
    /// <summary>Looked up by name by the compiler; never implemented in the kernel.</summary>
    public unsafe interface IDynamicInterfaceCastable
    {
        bool IsInterfaceImplemented(RuntimeTypeHandle interfaceType, bool throwIfNotImplemented);
        RuntimeTypeHandle GetInterfaceImplementation(RuntimeTypeHandle interfaceType);

        internal static IntPtr GetDynamicInterfaceImplementation(object instance, void* interfaceType, ushort slot)
        {
            Internal.Runtime.Fault.Fail("dynamic interface cast in the kernel");
            return (IntPtr)0;
        }
    }
}
