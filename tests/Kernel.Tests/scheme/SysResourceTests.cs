#nullable enable
using alloc.boxed;
using Kernel.common;
using Kernel.context.context;
using Kernel.Tests.memory;
using syscall.number;

namespace Kernel.Tests.scheme;

/// <summary>scheme/sys/: context, cpu, iostat and syscall (the tables made at open).</summary>
[Collection(KernelGlobals.Name)]
public unsafe class SysResourceTests : SchemeHost
{
    private const string Header = "PID   PGID  PPID  RUID  RGID  RNS   EUID  EGID  ENS   STAT  CPU   MEM     NAME\n";

    [Fact]
    public void Context_lists_every_context_in_the_originals_columns()
    {
        ulong other = NewContext();
        WithContext(other, p =>
        {
            var c = (Context*)p;
            c->status = Status.Blocked;
            c->running = false;
            c->wake.is_some = true;
            c->ppid = ContextId.From(1);
            c->euid = 1000;
            c->cpu_id.is_some = true;
            c->cpu_id.value = 0;
        });
        Assert.Equal(Header
            + "1     1     0     0     0     1     0     0     1     KR+   ?     0 B     \n"
            + "2     2     1     0     0     1     1000  0     1     KS    0     0 B     \n", Cat("sys:context"));
    }

    /// <summary>QUIRK SYS1: MEM counts the kernel stack twice and the FX area not at all.</summary>
    [Fact]
    public void Quirk_SYS1_mem_counts_the_kernel_stack_twice_and_never_the_fx_area()
    {
        BoxSlice kstack = BoxSlice.Alloc(0x1000, 16);
        BoxSlice kfx = BoxSlice.Alloc(512, 16);
        WithContext(Current, p => { ((Context*)p)->kstack = kstack; ((Context*)p)->kfx = kfx; });
        Assert.Contains("KR+   ?     8 KB    \n", Cat("sys:context"));
        WithContext(Current, p => { ((Context*)p)->status = Status.Exited(0); ((Context*)p)->stack.is_some = true; ((Context*)p)->stack.value.size = 3 << 20; });
        Assert.Contains("UZ+   ?     3 MB    \n", Cat("sys:context"));
    }

    [Fact]
    public void Syscall_shows_each_context_and_the_call_it_is_in()
    {
        ulong other = NewContext();
        WithContext(other, p =>
        {
            var c = (Context*)p;
            c->syscall.is_some = true;
            c->syscall.a = Number.SYS_WAITPID;
            c->syscall.b = 0;
            c->syscall.c = 0x7FF0;
        });
        Assert.Equal("1: \n2: \n  waitpid(0, 0x7FF0, 0)\n", Cat("sys:syscall"));
    }

    /// <summary>QUIRK DEBUG1: another context's path is read where the reader of sys:syscall maps that address.</summary>
    [Fact]
    public void Quirk_DEBUG1_another_contexts_call_is_formatted_with_the_readers_memory()
    {
        byte* path = UserString("reader's bytes");
        ulong other = NewContext();
        WithContext(other, p =>
        {
            var c = (Context*)p;
            c->syscall.is_some = true;
            c->syscall.a = Number.SYS_OPEN;
            c->syscall.b = (ulong)path;
            c->syscall.c = 14;
            c->syscall.e = 0;
        });
        Assert.Equal("1: \n2: \n  open(Ok(\"reader's bytes\"), 0x0)\n".Replace("'", "\\'"), Cat("sys:syscall"));
    }

    [Fact]
    public void Iostat_shows_each_descriptor_with_its_scheme_number_flags_and_path()
    {
        long fd = Open("sys:uname", 0x10000);
        long t = Open("time:4", 0x20000);
        Assert.Equal("1: \n"
            + "     0:        5        0 00010000: sys:uname\n"
            + "     1:        6        0 00020000: time:4\n", Cat("sys:iostat")); // made at open, before its own descriptor exists
        Close(fd);
        Close(t);
    }

    [Fact]
    public void Cpu_counts_the_cpus_then_describes_the_cpu()
    {
        string text = Cat("sys:cpu");
        Assert.StartsWith("CPUs: ", text);
        Assert.Contains("\nVendor: ", text);
        Assert.Contains("Features:", text);
    }
}
