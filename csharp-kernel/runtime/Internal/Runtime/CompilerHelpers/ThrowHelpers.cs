namespace Internal.Runtime.CompilerHelpers
{
    /// <summary>The compiler's exception paths. The kernel has no exceptions: each one is a panic.</summary>
    internal static class ThrowHelpers
    {
        internal static void ThrowOverflowException() => Fault.Fail("arithmetic operation overflowed");
        internal static void ThrowIndexOutOfRangeException() => Fault.Fail("index out of bounds");
        internal static void ThrowNullReferenceException() => Fault.Fail("null reference");
        internal static void ThrowDivideByZeroException() => Fault.Fail("attempt to divide by zero");
        internal static void ThrowArrayTypeMismatchException() => Fault.Fail("array type mismatch");
        internal static void ThrowPlatformNotSupportedException() => Fault.Fail("platform not supported");
        internal static void ThrowTypeLoadException() => Fault.Fail("type load");
        internal static void ThrowArgumentException() => Fault.Fail("argument");
        internal static void ThrowArgumentOutOfRangeException() => Fault.Fail("argument out of range");
        internal static void ThrowFeatureBodyRemoved() => Fault.Fail("feature removed by the compiler");
        internal static void ThrowNotImplementedException() => Fault.Fail("not implemented");
        internal static void ThrowInvalidProgramException() => Fault.Fail("invalid program");
        internal static void ThrowInvalidProgramExceptionWithArgument() => Fault.Fail("invalid program");
        internal static void ThrowMissingMethodException() => Fault.Fail("missing method");
        internal static void ThrowMissingFieldException() => Fault.Fail("missing field");
        internal static void ThrowBadImageFormatException() => Fault.Fail("bad image format");
        internal static void ThrowMarshalDirectiveException() => Fault.Fail("marshal directive");
        internal static void ThrowAmbiguousMatchException() => Fault.Fail("ambiguous match");
        internal static void ThrowInvalidOperationException() => Fault.Fail("called `Option::unwrap()` on a `None` value");
    }
}
