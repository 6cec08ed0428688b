using core.cmp;
using core.fmt;
using Kernel.arch.x86_64.debug;

namespace Kernel.common
{
    // common/int_like.rs: `int_like!` makes opaque types backed by a usize (Copy, Ord, Debug as
    // "Name(n)"), each with an atomic twin. The port writes out the ones the kernel declares.

    /// <summary>`context::ContextId` (a pid).</summary>
    public struct ContextId : IOrd<ContextId>
    {
        public ulong value;
        public static ContextId From(ulong x) { ContextId c; c.value = x; return c; }
        public readonly ulong Into() => value;
        public static unsafe int Cmp(ContextId* a, ContextId* b) => a->value < b->value ? -1 : (a->value > b->value ? 1 : 0);
        public readonly void Debug(Writer w) { w.Str("ContextId("); w.Dec(value); w.Str(")"); }
    }

    /// <summary>`scheme::SchemeNamespace`.</summary>
    public struct SchemeNamespace : IOrd<SchemeNamespace>
    {
        public ulong value;
        public static SchemeNamespace From(ulong x) { SchemeNamespace c; c.value = x; return c; }
        public readonly ulong Into() => value;
        public static unsafe int Cmp(SchemeNamespace* a, SchemeNamespace* b) => a->value < b->value ? -1 : (a->value > b->value ? 1 : 0);
        public readonly void Debug(Writer w) { w.Str("SchemeNamespace("); w.Dec(value); w.Str(")"); }
    }

    /// <summary>`scheme::SchemeId`.</summary>
    public struct SchemeId : IOrd<SchemeId>
    {
        public ulong value;
        public static SchemeId From(ulong x) { SchemeId c; c.value = x; return c; }
        public readonly ulong Into() => value;
        public static unsafe int Cmp(SchemeId* a, SchemeId* b) => a->value < b->value ? -1 : (a->value > b->value ? 1 : 0);
        public readonly void Debug(Writer w) { w.Str("SchemeId("); w.Dec(value); w.Str(")"); }
    }

    /// <summary>`scheme::FileHandle` (a file descriptor number).</summary>
    public struct FileHandle : IOrd<FileHandle>
    {
        public ulong value;
        public static FileHandle From(ulong x) { FileHandle c; c.value = x; return c; }
        public readonly ulong Into() => value;
        public static unsafe int Cmp(FileHandle* a, FileHandle* b) => a->value < b->value ? -1 : (a->value > b->value ? 1 : 0);
        public readonly void Debug(Writer w) { w.Str("FileHandle("); w.Dec(value); w.Str(")"); }
    }
}
