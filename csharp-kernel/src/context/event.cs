using System.Runtime.CompilerServices;
using alloc.arc;
using alloc.btree_map;
using core.cmp;
using Kernel.common;
using Kernel.sync.wait_queue;
using spin;
using syscall.data;

namespace Kernel.context.@event
{
    /// <summary>`RegKey`: what an event is about — a scheme and the scheme's event id (ordered scheme first).</summary>
    public struct RegKey : IOrd<RegKey>
    {
        public SchemeId scheme_id;
        public ulong event_id;

        public static RegKey New(SchemeId scheme_id, ulong event_id)
        {
            RegKey k;
            k.scheme_id = scheme_id;
            k.event_id = event_id;
            return k;
        }

        public static unsafe int Cmp(RegKey* a, RegKey* b)
        {
            int c = SchemeId.Cmp(&a->scheme_id, &b->scheme_id);
            if (c != 0) return c;
            return a->event_id < b->event_id ? -1 : (a->event_id > b->event_id ? 1 : 0);
        }
    }

    /// <summary>`ProcessKey`: who listens — a context and its file descriptor (ordered context first).</summary>
    public struct ProcessKey : IOrd<ProcessKey>
    {
        public ContextId context_id;
        public FileHandle fd;

        public static ProcessKey New(ContextId context_id, FileHandle fd)
        {
            ProcessKey k;
            k.context_id = context_id;
            k.fd = fd;
            return k;
        }

        public static unsafe int Cmp(ProcessKey* a, ProcessKey* b)
        {
            int c = ContextId.Cmp(&a->context_id, &b->context_id);
            if (c != 0) return c;
            return FileHandle.Cmp(&a->fd, &b->fd);
        }
    }

    /// <summary>
    /// context/event.rs: the global registry of event listeners, `BTreeMap&lt;RegKey,
    /// BTreeMap&lt;ProcessKey, Weak&lt;WaitQueue&lt;Event&gt;&gt;&gt;&gt;` (a listener holds its context's event
    /// queue weakly), and register / unregister / trigger.
    /// </summary>
    public static unsafe class EventMod
    {
        private static RwLock<OrdMap<RegKey, OrdMap<ProcessKey, Weak<WaitQueue<Event>>>>> REGISTRY;
        private static Once REGISTRY_INIT;

        private static RwLock<OrdMap<RegKey, OrdMap<ProcessKey, Weak<WaitQueue<Event>>>>>* CallOnce()
        {
            if (REGISTRY_INIT.Begin())
            {
                REGISTRY = new RwLock<OrdMap<RegKey, OrdMap<ProcessKey, Weak<WaitQueue<Event>>>>>(OrdMap<RegKey, OrdMap<ProcessKey, Weak<WaitQueue<Event>>>>.New());
                REGISTRY_INIT.Complete();
            }
            fixed (RwLock<OrdMap<RegKey, OrdMap<ProcessKey, Weak<WaitQueue<Event>>>>>* p = &REGISTRY)
            {
                return p;
            }
        }

        /// <summary>`registry()`: shared.</summary>
        private static RwLockGuard<OrdMap<RegKey, OrdMap<ProcessKey, Weak<WaitQueue<Event>>>>> Registry() => RwLockExt.Read(ref *CallOnce());

        /// <summary>`registry_mut()`: exclusive.</summary>
        public static RwLockGuard<OrdMap<RegKey, OrdMap<ProcessKey, Weak<WaitQueue<Event>>>>> RegistryMut() => RwLockExt.Write(ref *CallOnce());

        /// <summary>
        /// `register(fd, scheme_id, event_id)`: the current context's event queue listens to (scheme,
        /// event) through fd; false (and nothing changes) when that fd already listens. The entry of a
        /// new (scheme, event) is an empty map, made before the check (it stays if the check fails).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static bool Register(FileHandle fd, SchemeId scheme_id, ulong event_id)
        {
            ContextId context_id;
            Weak<WaitQueue<Event>> events;
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    Panic.Fail("event::register: No context", "src/context/event.rs", 47);
                }
                using (var context = context_lock->Value.Read())
                {
                    context_id = context.Value.id;
                    events = context.Value.events.Downgrade();
                }
            }

            using (var registry = RegistryMut())
            {
                RegKey key = RegKey.New(scheme_id, event_id);
                var entry = registry.Value.Get(key);
                if (entry == null)
                {
                    registry.Value.InsertNew(key, OrdMap<ProcessKey, Weak<WaitQueue<Event>>>.New());
                    entry = registry.Value.Get(key);
                }
                ProcessKey process_key = ProcessKey.New(context_id, fd);
                if (entry->ContainsKey(process_key))
                {
                    events.Release();
                    return false;
                }
                entry->InsertNew(process_key, events);
                return true;
            }
        }

        /// <summary>
        /// `unregister(fd, scheme_id, event_id)`: the current context's listener on fd removed; the
        /// (scheme, event) entry goes with its last listener.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Unregister(FileHandle fd, SchemeId scheme_id, ulong event_id)
        {
            using (var registry = RegistryMut())
            {
                bool remove = false;
                RegKey key = RegKey.New(scheme_id, event_id);
                var entry = registry.Value.Get(key);
                if (entry != null)
                {
                    ProcessKey process_key = ProcessKey.New(ContextMod.ContextId(), fd);
                    if (entry->Remove(process_key, out OrdMap<ProcessKey, Weak<WaitQueue<Event>>>.Entry removed))
                    {
                        removed.value.Release();
                    }
                    if (entry->IsEmpty())
                    {
                        remove = true;
                    }
                }
                if (remove)
                {
                    if (registry.Value.Remove(key, out OrdMap<RegKey, OrdMap<ProcessKey, Weak<WaitQueue<Event>>>>.Entry gone))
                    {
                        gone.value.Dispose();
                    }
                }
            }
        }

        /// <summary>
        /// `trigger(scheme_id, event_id, flags, data)`: every listener of (scheme, event) whose queue
        /// still lives gets Event { id: its fd, flags, data }, in (context, fd) order.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Trigger(SchemeId scheme_id, ulong event_id, ulong flags, ulong data)
        {
            using (var registry = Registry())
            {
                RegKey key = RegKey.New(scheme_id, event_id);
                var event_lists = registry.Value.Get(key);
                if (event_lists != null)
                {
                    for (ulong i = 0; i < event_lists->Len(); i++)
                    {
                        var entry = event_lists->At(i);
                        if (entry->value.Upgrade(out Arc<WaitQueue<Event>> event_list))
                        {
                            Event e;
                            e.id = entry->key.fd.Into();
                            e.flags = flags;
                            e.data = data;
                            event_list.Value.Send(e);
                            if (event_list.Release())
                            {
                                // The context went away meanwhile: the queue is dropped with this last owner.
                                event_list.Value.inner.data.Dispose();
                                event_list.Value.condition.Dispose();
                                event_list.Free();
                            }
                        }
                    }
                }
            }
        }
    }
}
