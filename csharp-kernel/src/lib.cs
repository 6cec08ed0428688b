using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using alloc.arc;
using alloc.boxed;
using alloc.vec;
using core.fmt;
using Kernel.acpi.madt;
using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.interrupt;
using Kernel.common;
using Kernel.context;
using Kernel.context.context;
using Kernel.context.list;
using Kernel.Hal;
using Kernel.scheme.initfs;
using Kernel.syscall;
using spin;
using syscall.error;
using syscall.flag;
using Switch = Kernel.context.@switch.Switch;

namespace Kernel
{
    /// <summary>
    /// lib.rs: the kernel's root — kmain (the BSP's entry after kstart), userspace_init (the first
    /// spawned context), kmain_ap, and the CPU id/count.
    /// </summary>
    public static unsafe class Lib
    {
        /// <summary>The count of all CPUs that can have work scheduled (CPU_COUNT).</summary>
        private static ulong CPU_COUNT;

        /// <summary>`cpu_id()`: this CPU's scheduling id (the thread-local CPU_ID).</summary>
        public static ulong CpuId() => Atomic.Load((ulong*)Registers.ThreadLocal(Registers.TLS_CPU_ID));

        /// <summary>`cpu_count()`.</summary>
        public static ulong CpuCount()
        {
            fixed (ulong* p = &CPU_COUNT)
            {
                return Atomic.Load(p);
            }
        }

        /// <summary>
        /// `userspace_init`: the cwd becomes initfs:, debug: is opened as fds 0, 1 and 2 (each an
        /// assert_eq!), then /bin/init is executed; with no init that `expect` panics ("failed to
        /// execute init: ..." at src/lib.rs:142, what the reference recordings end with).
        /// </summary>
        [UnmanagedCallersOnly]
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void UserspaceInit()
        {
            byte* initfs = stackalloc byte[7];
            Copy(initfs, "initfs:");
            AssertOk(Fs.Chdir(initfs, 7), 0, "syscall::chdir(b\"initfs:\")", 136);

            byte* debug = stackalloc byte[6];
            Copy(debug, "debug:");
            AssertOk(Fs.Open(debug, 6, Flag.O_RDONLY).Into(), 0, "syscall::open(b\"debug:\", syscall::flag::O_RDONLY).map(FileHandle::into)", 138);
            AssertOk(Fs.Open(debug, 6, Flag.O_WRONLY).Into(), 1, "syscall::open(b\"debug:\", syscall::flag::O_WRONLY).map(FileHandle::into)", 139);
            AssertOk(Fs.Open(debug, 6, Flag.O_WRONLY).Into(), 2, "syscall::open(b\"debug:\", syscall::flag::O_WRONLY).map(FileHandle::into)", 140);

            byte* init = stackalloc byte[9];
            Copy(init, "/bin/init");
            Result r = Process.Exec(init, 9, null, 0);
            if (!r.is_ok)
            {
                var w = Panic.Begin();
                w.Str("failed to execute init: ");
                w.Str(r.err.Text());
                Panic.End(w, "src/lib.rs", 142);
            }

            Panic.Fail("init returned", "src/lib.rs", 144);
        }

        private static void Copy(byte* dst, string s)
        {
            for (int i = 0; i < s.Length; i++)
            {
                dst[i] = (byte)s[i];
            }
        }

        /// <summary>`assert_eq!(expr, Ok(expected))`: the assertion's panic message as core formats it.</summary>
        private static void AssertOk(Result r, ulong expected, string expr, uint line)
        {
            if (r.is_ok && r.ok == expected)
            {
                return;
            }
            var w = Panic.Begin();
            w.Str("assertion failed: `(left == right)`\n  left: `");
            if (r.is_ok)
            {
                w.Str("Ok(");
                w.Dec(r.ok);
                w.Str(")");
            }
            else
            {
                w.Str("Err(");
                w.Str(r.err.Text());
                w.Str(")");
            }
            w.Str("`,\n right: `Ok(");
            w.Dec(expected);
            w.Str(")`");
            Panic.End(w, "src/lib.rs", line);
        }

        /// <summary>
        /// `kmain(cpus, env)`: the kernel entry point for the primary CPU, called by kstart. CPU 0;
        /// the first context (context::init); "BSP: Ok(ContextId(1)) cpus" and "Env: Ok(\"…\")";
        /// userspace_init spawned in root namespaces (1), runnable, with the environment block's
        /// NAME=VALUE lines as its env; then switch to another context, or halt until an interrupt.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Kmain(ulong cpus, byte* env, ulong env_size)
        {
            Atomic.Store((ulong*)Registers.ThreadLocal(Registers.TLS_CPU_ID), 0);
            fixed (ulong* p = &CPU_COUNT)
            {
                Atomic.Store(p, cpus);
            }

            ContextMod.Init();

            ContextIdResult pid = Process.Getpid();
            using (var w = Writer.New())
            {
                w.Str("BSP: ");
                pid.Debug(w);
                w.Str(" ");
                w.Dec(cpus);
                w.Str("\n");
            }
            using (var w = Writer.New())
            {
                w.Str("Env: ");
                DebugUtf8(w, env, env_size);
                w.Str("\n");
            }

            ContextResult spawned;
            using (var contexts = ContextMod.ContextsMut())
            {
                spawned = contexts.Value.Spawn((ulong)(delegate* unmanaged<void>)&UserspaceInit);
                if (spawned.is_ok)
                {
                    using (var context = spawned.ok.Value.Write())
                    {
                        context.Value.rns = SchemeNamespace.From(1);
                        context.Value.ens = SchemeNamespace.From(1);
                        context.Value.status = Status.Runnable;
                        using (var context_env = context.Value.env.Value.Lock())
                        {
                            ParseEnv(ref context_env.Value, env, env_size);
                        }
                    }
                }
            }
            if (!spawned.is_ok)
            {
                var w = Panic.Begin();
                w.Str("failed to spawn userspace_init: ");
                w.Str(Error.Text(spawned.errno));
                Panic.End(w, "src/lib.rs", 179);
            }

            while (true)
            {
                Interrupt.Disable();
                if (Switch.Run())
                {
                    ContextSwitch.EnableAndNop();
                }
                else
                {
                    ContextSwitch.EnableAndHalt();
                }
            }
        }

        /// <summary>
        /// The environment block's lines (split at '\n'); a line with '=' is NAME=VALUE (at the first
        /// '='), inserted as a boxed name and an Arc&lt;Mutex&lt;Vec&gt;&gt; value; other lines are ignored.
        /// </summary>
        internal static void ParseEnv(ref alloc.btree_map.OrdMap<BoxSlice, EnvValue> context_env, byte* env, ulong env_size)
        {
            ulong start = 0;
            while (true)
            {
                ulong end = start;
                while (end < env_size && env[end] != (byte)'\n')
                {
                    end++;
                }
                long eq = Kernel.context.context.Context.IndexOf(env + start, end - start, (byte)'=');
                if (eq >= 0)
                {
                    BoxSlice name = BoxSlice.From(env + start, (ulong)eq);
                    byte* data = env + start + (ulong)eq + 1;
                    ulong data_len = end - start - (ulong)eq - 1;
                    EnvValue value;
                    value.value = Arc<Mutex<Vec<byte>>>.New(new Mutex<Vec<byte>>(Kernel.context.context.Context.ToVec(data, data_len)));
                    if (context_env.Insert(name, value, out EnvValue old, out BoxSlice unused))
                    {
                        unused.Dispose();
                        if (old.value.Release())
                        {
                            old.value.Value.data.Dispose();
                            old.value.Free();
                        }
                    }
                }
                if (end >= env_size)
                {
                    break;
                }
                start = end + 1;
            }
        }

        /// <summary>`{:?}` of `str::from_utf8(bytes)`: Ok("…") with the str's Debug escapes, or the Utf8Error.</summary>
        internal static void DebugUtf8(Writer w, byte* p, ulong len)
        {
            ulong valid = Utf8.ValidUpTo(p, len);
            if (valid != len)
            {
                w.Str("Err(Utf8Error { valid_up_to: ");
                w.Dec(valid);
                w.Str(", error_len: Some(1) })");
                return;
            }
            w.Str("Ok(\"");
            for (ulong i = 0; i < len; i++)
            {
                byte b = p[i];
                switch (b)
                {
                    case (byte)'\t': w.Str("\\t"); break;
                    case (byte)'\r': w.Str("\\r"); break;
                    case (byte)'\n': w.Str("\\n"); break;
                    case (byte)'"': w.Str("\\\""); break;
                    case (byte)'\\': w.Str("\\\\"); break;
                    default:
                        if (b < 0x20 || b == 0x7F)
                        {
                            w.Str("\\u{");
                            w.LowerHex(b);
                            w.Str("}");
                        }
                        else
                        {
                            w.Char(b);
                        }
                        break;
                }
            }
            w.Str("\")");
        }

        /// <summary>
        /// `kmain_ap(id)`: the entry point for an AP once the BSP is ready. With `multi_core`: its own
        /// first context, "AP id: Ok(ContextId(n))", and the same switch/halt loop as the BSP.
        /// Without (never reached: no AP is started) it says so and halts.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void KmainAp(ulong id)
        {
            Atomic.Store((ulong*)Registers.ThreadLocal(Registers.TLS_CPU_ID), id);

#pragma warning disable CS0162 // MULTI_CORE is a constant
            if (Madt.MULTI_CORE)
            {
                ContextMod.Init();

                ContextIdResult pid = Process.Getpid();
                using (var w = Writer.New())
                {
                    w.Str("AP ");
                    w.Dec(id);
                    w.Str(": ");
                    pid.Debug(w);
                    w.Str("\n");
                }

                while (true)
                {
                    Interrupt.Disable();
                    if (Switch.Run())
                    {
                        ContextSwitch.EnableAndNop();
                    }
                    else
                    {
                        ContextSwitch.EnableAndHalt();
                    }
                }
            }
            else
            {
                using (var w = Writer.New()) { w.Str("AP "); w.Dec(id); w.Str(": Disabled\n"); }

                while (true)
                {
                    Interrupt.Disable();
                    Interrupt.Halt();
                }
            }
#pragma warning restore CS0162
        }

        /// <summary>
        /// `ksignal(signal)`, which the exception handlers call: "SIGNAL {signal}, CPU {cpu_id}, PID
        /// {context_id:?}", the current context's name ("NAME …", when there is one), then the context
        /// exits with status signal &amp; 0x7F. With no current context (before kmain) exit's `expect`
        /// panics ("exit failed to find context: No such process").
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void KSignal(ulong signal)
        {
            using (var w = Writer.New())
            {
                w.Str("SIGNAL ");
                w.Dec(signal);
                w.Str(", CPU ");
                w.Dec(CpuId());
                w.Str(", PID ");
                ContextMod.ContextId().Debug(w);
                w.Str("\n");
            }
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock != null)
                {
                    using (var context = context_lock->Value.Read())
                    {
                        using (var name = context.Value.name.Value.Lock())
                        {
                            using (var w = Writer.New())
                            {
                                w.Str("NAME ");
                                for (ulong i = 0; i < name.Value.len; i++)
                                {
                                    w.Char(name.Value.ptr[i]);
                                }
                                w.Str("\n");
                            }
                        }
                    }
                }
            }
            Process.Exit(signal & 0x7F);
        }
    }
}
