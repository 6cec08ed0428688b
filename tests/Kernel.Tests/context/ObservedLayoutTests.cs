#nullable enable
using alloc.arc;
using alloc.btree_map;
using alloc.boxed;
using alloc.vec;
using Kernel.common;
using Kernel.context.file;
using Kernel.context.list;
using Kernel.context.memory;
using Kernel.scheme;
using spin;
using Ctx = Kernel.context.context.Context;

namespace Kernel.Tests.context;

/// <summary>
/// The layout facts csharp-kernel/observe.toml's [processes.tables] gives the observer (which reads every context's
/// state from outside, harness/Observe/ObserverSession.Contexts.cs): measured here on the port's own types, laid out
/// sequentially as NativeAOT lays them out in the kernel. A field moved in the port fails here, naming the map's key.
/// </summary>
public unsafe class ObservedLayoutTests
{
    private static long Off<T>(T* baseP, void* field) where T : unmanaged => (byte*)field - (byte*)baseP;

    [Fact]
    public void Map_offsets_match_the_ports_types()
    {
        Ctx c = default;
        FileDescriptor f = default;
        FileDescription d = default;
        Grant g = default;
        ContextList l = default;
        SchemeList s = default;
        var facts = string.Join(", ", new[]
        {
            $"context.size={sizeof(Ctx)}",
            $"context.cr3=0x{Off(&c, &c.arch.cr3):x}",
            $"context.status=0x{Off(&c, &c.status.tag):x}",
            $"context.status_value=0x{Off(&c, &c.status.value):x}",
            $"context.grants=0x{Off(&c, &c.grants):x}",
            $"context.files=0x{Off(&c, &c.files):x}",
            $"context.from_arc=0x{sizeof(ArcInner<RwLock<Ctx>>) - sizeof(Ctx):x}",
            $"contexts_offset(list in RwLock)=0x{sizeof(RwLock<ContextList>) - sizeof(ContextList):x}",
            $"list.map=0x{Off(&l, &l.map):x}",
            $"contexts_map.stride={sizeof(OrdMap<ContextId, Arc<RwLock<Ctx>>>.Entry)}",
            $"grants.from_arc=0x{sizeof(ArcInner<Mutex<Vec<Grant>>>) - sizeof(Vec<Grant>):x}",
            $"grants.stride={sizeof(Grant)}",
            $"grants.start=0x{Off(&g, &g.start):x}",
            $"grants.size=0x{Off(&g, &g.size):x}",
            $"grants.flags=0x{Off(&g, &g.flags):x}",
            $"files.stride={sizeof(FileDescriptor)}",
            $"files.description=0x{Off(&f, &f.description):x}",
            $"files.cloexec=0x{Off(&f, &f.cloexec):x}",
            $"files.description_from_arc=0x{sizeof(ArcInner<RwLock<FileDescription>>) - sizeof(FileDescription):x}",
            $"files.scheme=0x{Off(&d, &d.scheme):x}",
            $"files.number=0x{Off(&d, &d.number):x}",
            $"files.flags=0x{Off(&d, &d.flags):x}",
            $"schemes_offset=0x{sizeof(RwLock<SchemeList>) - sizeof(SchemeList) + Off(&s, &s.names):x}",
            $"namespaces_map.stride={sizeof(OrdMap<SchemeNamespace, OrdMap<BoxSlice, SchemeId>>.Entry)}",
            $"names_map.stride={sizeof(OrdMap<BoxSlice, SchemeId>.Entry)}",
            $"vec={sizeof(Vec<Grant>)}",
        });
        // The numbers of csharp-kernel/observe.toml's [processes.tables] (a change here is a change there).
        Assert.Equal(
            "context.size=672, context.cr3=0xe0, context.status=0x38, context.status_value=0x40, context.grants=0x268, context.files=0x290, context.from_arc=0x18, contexts_offset(list in RwLock)=0x8, list.map=0x0, contexts_map.stride=16, grants.from_arc=0x18, grants.stride=32, grants.start=0x0, grants.size=0x8, grants.flags=0x10, files.stride=32, files.description=0x0, files.cloexec=0x18, files.description_from_arc=0x18, files.scheme=0x0, files.number=0x8, files.flags=0x10, schemes_offset=0x20, namespaces_map.stride=32, names_map.stride=24, vec=24",
            facts);
    }
}
