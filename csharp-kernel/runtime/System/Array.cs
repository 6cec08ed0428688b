namespace System
{
    /// <summary>Arrays are never created by the kernel (no managed heap); the type must exist for the compiler.</summary>
    public abstract class Array
    {
#pragma warning disable 649, 169
        private int _numComponents;
#pragma warning restore 649, 169
        public int Length => _numComponents;
    }

    public class Array<T> : Array { }
}
