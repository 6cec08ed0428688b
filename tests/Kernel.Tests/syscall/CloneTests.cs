#nullable enable
using System;
using alloc.arc;
using alloc.boxed;
using alloc.vec;
using Kernel.common;
using Kernel.context.context;
using Kernel.context.file;
using Kernel.syscall;
using Kernel.Tests.context;
using Kernel.Tests.memory;
using spin;
using syscall.flag;
using Ctx = Kernel.context.context.Context;

namespace Kernel.Tests.syscall;

/// <summary>
/// syscall/process.rs clone's flag handling, on the host: which of the parent's shared parts the child
/// shares and which it gets a copy of, and the renumbering of a copied file table. (The page-table half
/// of clone needs the recursive mapping: the user-clone, user-futex and user-signal scenarios run it.)
/// </summary>
[Collection(KernelGlobals.Name)]
public unsafe class CloneTests : IDisposable
{
    private readonly HostHeap heap = HostHeap.Install();

    public CloneTests() => KernelState.Reset();

    public void Dispose()
    {
        KernelState.Reset();
        heap.Dispose();
    }

    private static BoxSlice Bytes(string s)
    {
        byte* p = stackalloc byte[Math.Max(s.Length, 1)];
        for (int i = 0; i < s.Length; i++) p[i] = (byte)s[i];
        return BoxSlice.From(p, (ulong)s.Length);
    }

    private static string Text(byte* p, ulong len)
    {
        var c = new char[len];
        for (ulong i = 0; i < len; i++) c[i] = (char)p[i];
        return new string(c);
    }

    /// <summary>A parent with a name, a cwd, one variable, two files (one close-on-exec, one with an event) and a handler.</summary>
    private static ref Ctx Parent(out Arc<RwLock<FileDescription>> d0, out Arc<RwLock<FileDescription>> d1)
    {
        ref Ctx c = ref Contexts.Make(0, running: true, current: true);
        c.name.Value.data = Bytes("initfs:/bin/clone");
        BoxSlice cwd = Bytes("initfs:/etc");
        for (ulong i = 0; i < cwd.len; i++) c.cwd.Value.data.Push(cwd.ptr[i]);
        EnvValue v;
        BoxSlice value = Bytes("clone");
        Vec<byte> bytes = Vec<byte>.New();
        for (ulong i = 0; i < value.len; i++) bytes.Push(value.ptr[i]);
        v.value = Arc<Mutex<Vec<byte>>>.New(new Mutex<Vec<byte>>(bytes));
        c.env.Value.data.Insert(Bytes("TEST"), v, out _, out _);
        FileDescription desc = default;
        desc.number = 7;
        d0 = Arc<RwLock<FileDescription>>.New(new RwLock<FileDescription>(desc));
        d1 = Arc<RwLock<FileDescription>>.New(new RwLock<FileDescription>(desc));
        FileDescriptor f0 = default;
        f0.description = d0;
        f0.cloexec = true;
        FileDescriptor f1 = default;
        f1.description = d1;
        f1.has_event = true;
        f1.event_id = 9;
        c.files.Value.data.Push(f0);
        c.files.Value.data.Push(default);
        c.files.Value.data.Push(f1);
        c.actions.Value.data[Flag.SIGUSR1].action.sa_handler = 0x401000;
        c.actions.Value.data[Flag.SIGUSR1].restorer = 0x402000;
        return ref c;
    }

    [Fact]
    public void Clone_vm_shares_grants_name_and_env_clone_fs_the_cwd_clone_files_the_table_clone_sighand_the_actions()
    {
        ref Ctx c = ref Parent(out _, out _);
        ulong before = c.name.StrongCount();
        var s = Process.CopyShared(ref c, Flag.CLONE_VM | Flag.CLONE_FS | Flag.CLONE_FILES | Flag.CLONE_SIGHAND);
        Assert.True(s.grants.PtrEq(c.grants));
        Assert.True(s.name.PtrEq(c.name));
        Assert.True(s.env.PtrEq(c.env));
        Assert.True(s.cwd.PtrEq(c.cwd));
        Assert.True(s.files.PtrEq(c.files));
        Assert.True(s.actions.PtrEq(c.actions));
        Assert.Equal(before + 1, c.name.StrongCount());
    }

    [Fact]
    public void Each_flag_alone_shares_only_its_part()
    {
        ref Ctx c = ref Parent(out _, out _);
        var fs = Process.CopyShared(ref c, Flag.CLONE_FS);
        Assert.True(fs.cwd.PtrEq(c.cwd));
        Assert.False(fs.files.PtrEq(c.files) || fs.actions.PtrEq(c.actions) || fs.name.PtrEq(c.name));
        var files = Process.CopyShared(ref c, Flag.CLONE_FILES);
        Assert.True(files.files.PtrEq(c.files));
        Assert.False(files.cwd.PtrEq(c.cwd) || files.actions.PtrEq(c.actions));
        var sighand = Process.CopyShared(ref c, Flag.CLONE_SIGHAND);
        Assert.True(sighand.actions.PtrEq(c.actions));
        Assert.False(sighand.files.PtrEq(c.files) || sighand.env.PtrEq(c.env) || sighand.grants.PtrEq(c.grants));
    }

    [Fact]
    public void A_fork_copies_name_cwd_env_files_and_actions_and_gets_no_grants()
    {
        ref Ctx c = ref Parent(out var d0, out var d1);
        var s = Process.CopyShared(ref c, 0);
        Assert.False(s.grants.PtrEq(c.grants));
        Assert.Equal(0UL, s.grants.Value.data.Len());
        Assert.Equal("initfs:/bin/clone", Text(s.name.Value.data.ptr, s.name.Value.data.len));
        Assert.NotEqual((ulong)c.name.Value.data.ptr, (ulong)s.name.Value.data.ptr);
        Assert.Equal("initfs:/etc", Text(s.cwd.Value.data.AsPtr(), s.cwd.Value.data.Len()));
        // the env: a new map whose values are new Arcs of the same bytes
        Assert.Equal(1UL, s.env.Value.data.Len());
        var e = s.env.Value.data.At(0);
        Assert.Equal("TEST", Text(e->key.ptr, e->key.len));
        Assert.Equal("clone", Text(e->value.value.Value.data.AsPtr(), e->value.value.Value.data.Len()));
        Assert.False(e->value.value.PtrEq(c.env.Value.data.At(0)->value.value));
        // the file table: the same descriptions, one more reference each; an empty slot stays empty
        Assert.Equal(3UL, s.files.Value.data.Len());
        Assert.True(s.files.Value.data[0].description.PtrEq(d0));
        Assert.True(s.files.Value.data[1].IsNone);
        Assert.Equal(2UL, d0.StrongCount());
        Assert.Equal(2UL, d1.StrongCount());
        // the actions: 128, copied with their restorers
        Assert.Equal(128UL, s.actions.Value.data.Len());
        Assert.Equal(0x401000UL, s.actions.Value.data[Flag.SIGUSR1].action.sa_handler);
        Assert.Equal(0x402000UL, s.actions.Value.data[Flag.SIGUSR1].restorer);
        Assert.False(s.actions.PtrEq(c.actions));
    }

    [Fact]
    public void Renumbering_a_copied_table_drops_events_keeps_close_on_exec_and_the_description_counts()
    {
        ref Ctx c = ref Parent(out var d0, out var d1);
        var s = Process.CopyShared(ref c, 0);
        Assert.True(s.files.Value.data[2].has_event);
        Process.RenumberFiles(s.files);
        Assert.False(s.files.Value.data[2].has_event);
        Assert.Equal(0UL, s.files.Value.data[2].event_id);
        Assert.True(s.files.Value.data[0].cloexec);
        Assert.False(s.files.Value.data[2].cloexec);
        Assert.True(s.files.Value.data[1].IsNone);
        Assert.Equal(2UL, d0.StrongCount());
        Assert.Equal(2UL, d1.StrongCount());
        // the parent's own table is untouched
        Assert.True(c.files.Value.data[2].has_event);
    }
}
