namespace System
{
    /// <summary>The root of every type. Its first field is the MethodTable pointer NativeAOT lays out.</summary>
    public unsafe class Object
    {
#pragma warning disable 169, 649
        // The compiler lays out the MethodTable pointer here; never read by the port.
        internal void* m_pMethodTable;
#pragma warning restore 169, 649

        public Object() { }
        ~Object() { }
        public virtual bool Equals(object o) => (object)this == o;
        public virtual int GetHashCode() => 0;
        public virtual string ToString() => null;
    }
}
