using Internal.Runtime;

namespace System.Runtime
{
    /// <summary>
    /// Looked up by name by the compiler. The kernel never casts between reference types nor stores
    /// into arrays of references: reaching any of these is a fault.
    /// </summary>
    internal static unsafe class TypeCast
    {
        private const string Reason = "reference type cast in the kernel";

        internal static object IsInstanceOfAny(void* pTargetType, object obj) { Fault.Fail(Reason); return null; }
        internal static object IsInstanceOfInterface(void* pTargetType, object obj) { Fault.Fail(Reason); return null; }
        internal static object IsInstanceOfClass(void* pTargetType, object obj) { Fault.Fail(Reason); return null; }
        internal static object IsInstanceOfException(void* pTargetType, object obj) { Fault.Fail(Reason); return null; }
        internal static object CheckCastAny(void* pTargetType, object obj) { Fault.Fail(Reason); return null; }
        internal static object CheckCastInterface(void* pTargetType, object obj) { Fault.Fail(Reason); return null; }
        internal static object CheckCastClass(void* pTargetType, object obj) { Fault.Fail(Reason); return null; }
        internal static object CheckCastClassSpecial(void* pTargetType, object obj) { Fault.Fail(Reason); return null; }
        internal static void StelemRef(object array, nint index, object obj) { Fault.Fail(Reason); }
        internal static void* LdelemaRef(object array, nint index, void* elementType) { Fault.Fail(Reason); return null; }
    }
}
