using alloc.vec;
using Kernel.acpi.aml.namespace_;
using Kernel.Hal;
using String = alloc.@string.String;

namespace Kernel.acpi.aml.parser
{
    /// <summary>`AmlParseType`: a value and the number of bytes it took.</summary>
    public struct AmlParseType
    {
        public AmlValue val;
        public ulong len;
    }

    /// <summary>`ParseResult` = Result&lt;AmlParseType, AmlError&gt;.</summary>
    public struct ParseResult
    {
        public bool ok;
        public AmlParseType val;
        public AmlError err;

        public static ParseResult Ok(AmlValue val, ulong len) => new ParseResult { ok = true, val = new AmlParseType { val = val, len = len } };
        public static ParseResult Err(AmlError err) => new ParseResult { ok = false, err = err };
        public static ParseResult InvalidOpCode() => Err(AmlError.InvalidOpCode());

        /// <summary>What `parser_selector!` skips to the next parser on.</summary>
        public readonly bool IsInvalidOpCode => !ok && err.kind == AmlErrorKind.AmlInvalidOpCode;

        /// <summary>Drops whichever side is held.</summary>
        public void Drop()
        {
            if (ok) val.val.Drop(); else err.Drop();
        }
    }

    public enum ExecutionStateKind : byte
    {
        EXECUTING,
        CONTINUE,
        BREAK,
        RETURN,
    }

    /// <summary>`ExecutionState`: EXECUTING | CONTINUE | BREAK | RETURN(AmlValue).</summary>
    public struct ExecutionState
    {
        public ExecutionStateKind kind;
        public AmlValue value;

        /// <summary>Sets a new state, dropping a held return value.</summary>
        public void Set(ExecutionStateKind k)
        {
            if (kind == ExecutionStateKind.RETURN) value.Drop();
            kind = k;
        }

        public void SetReturn(AmlValue v)
        {
            if (kind == ExecutionStateKind.RETURN) value.Drop();
            kind = ExecutionStateKind.RETURN;
            value = v;
        }
    }

    /// <summary>`[AmlValue; 8]`.</summary>
    public unsafe struct AmlValue8
    {
        public AmlValue v0, v1, v2, v3, v4, v5, v6, v7;

        /// <summary>`a[i]`, with the slice bounds check (the LocalObj quirk reaches index 8 to 14).</summary>
        public static ref AmlValue At(ref AmlValue8 a, ulong i)
        {
            if (i >= 8)
            {
                var w = Panic.Begin();
                core.fmt.Fmt.Str(w, "index out of bounds: the len is 8 but the index is ");
                core.fmt.Fmt.Dec(w, i);
                Panic.End(w, "src/acpi/aml/parser.rs", 0);
            }
            fixed (AmlValue* p = &a.v0)
            {
                return ref p[i];
            }
        }
    }

    /// <summary>
    /// The original's `ACPI_TABLE.namespace` RwLock (spin 0.4): a write while any guard is held,
    /// or a read while a write guard is held, spins for ever. Several AML paths do that (Increment
    /// and Decrement read under their own prelock; a BufferField store re-enters the write lock):
    /// they hang as the original does.
    /// </summary>
    public static class NamespaceLock
    {
        internal static bool writer;
        internal static ulong readers;

        public static WriteGuard Write()
        {
            if (writer || readers > 0) Deadlock();
            writer = true;
            return new WriteGuard();
        }

        public static ReadGuard Read()
        {
            if (writer) Deadlock();
            readers += 1;
            return new ReadGuard();
        }

        private static void Deadlock()
        {
            while (true)
            {
                Cpu.Pause();
            }
        }

        public ref struct WriteGuard
        {
            public void Dispose() => writer = false;
        }

        public ref struct ReadGuard
        {
            public void Dispose() => readers -= 1;
        }
    }

    /// <summary>
    /// `AmlExecutionContext`: the scope, 8 locals and 8 arguments, the control state, the names
    /// this context added, its id (from `ACPI_TABLE.next_ctx`) and its sync level.
    /// </summary>
    public unsafe struct AmlExecutionContext
    {
        public String scope;
        public AmlValue8 local_vars;
        public AmlValue8 arg_vars;
        public ExecutionState state;
        public Vec<String> namespace_delta;
        public ulong ctx_id;
        public byte sync_level;

        public static AmlExecutionContext New(String scope)
        {
            ulong id = Acpi.ACPI_TABLE.next_ctx;
            Acpi.ACPI_TABLE.next_ctx += 1;

            AmlExecutionContext c = default;
            c.scope = scope;
            for (ulong i = 0; i < 8; i++)
            {
                AmlValue8.At(ref c.local_vars, i) = AmlValue.Uninitialized();
                AmlValue8.At(ref c.arg_vars, i) = AmlValue.Uninitialized();
            }
            c.state.kind = ExecutionStateKind.EXECUTING;
            c.namespace_delta = Vec<String>.New();
            c.ctx_id = id;
            c.sync_level = 0;
            return c;
        }

        /// <summary>Drop of the context.</summary>
        public void Drop()
        {
            scope.Dispose();
            for (ulong i = 0; i < 8; i++)
            {
                AmlValue8.At(ref local_vars, i).Drop();
                AmlValue8.At(ref arg_vars, i).Drop();
            }
            state.Set(ExecutionStateKind.EXECUTING);
            Namespace.DropStrings(ref namespace_delta);
        }

        public readonly bool Executing => state.kind == ExecutionStateKind.EXECUTING;

        /// <summary>The key a synchronisation object is named by: a String, or an Object reference.</summary>
        private static bool SyncKey(in AmlValue ptr, out String key)
        {
            if (ptr.kind == AmlValueKind.String)
            {
                key = ptr.str.Clone();
                return true;
            }
            if (ptr.kind == AmlValueKind.ObjectReference && ptr.object_reference.kind == ObjectReferenceKind.Object)
            {
                key = ptr.object_reference.obj.Clone();
                return true;
            }
            key = default;
            return false;
        }

        /// <summary>`wait_for_event`: an Event with a count takes one (true); a zero count gives false.</summary>
        public Res<bool> WaitForEvent(AmlValue event_ptr)
        {
            using var guard = NamespaceLock.Write();
            ref var ns = ref Acpi.ACPI_TABLE.namespace_;
            if (!Acpi.ACPI_TABLE.namespace_is_some) { event_ptr.Drop(); return Res<bool>.Err(AmlError.HardFatal()); }
            if (!SyncKey(event_ptr, out String idx)) { event_ptr.Drop(); return Res<bool>.Err(AmlError.ValueError()); }
            event_ptr.Drop();
            AmlValue* found = ns.Get(&idx);
            if (found == null) { idx.Dispose(); return Res<bool>.Err(AmlError.ValueError()); }
            AmlValue m = found->Clone();
            if (m.kind == AmlValueKind.Event)
            {
                if (m.integer > 0)
                {
                    Namespace.MapInsert(ref ns, idx, AmlValue.Event(m.integer - 1));
                    return Res<bool>.Ok(true);
                }
                idx.Dispose();
                return Res<bool>.Ok(false);
            }
            m.Drop();
            idx.Dispose();
            return Res<bool>.Err(AmlError.ValueError());
        }

        /// <summary>`signal_event`: an Event's count goes up by one.</summary>
        public Res<bool> SignalEvent(AmlValue event_ptr)
        {
            using var guard = NamespaceLock.Write();
            ref var ns = ref Acpi.ACPI_TABLE.namespace_;
            if (!Acpi.ACPI_TABLE.namespace_is_some) { event_ptr.Drop(); return Res<bool>.Err(AmlError.HardFatal()); }
            if (!SyncKey(event_ptr, out String idx)) { event_ptr.Drop(); return Res<bool>.Err(AmlError.ValueError()); }
            event_ptr.Drop();
            AmlValue* found = ns.Get(&idx);
            if (found == null) { idx.Dispose(); return Res<bool>.Err(AmlError.ValueError()); }
            AmlValue m = found->Clone();
            if (m.kind == AmlValueKind.Event)
            {
                Namespace.MapInsert(ref ns, idx, AmlValue.Event(m.integer + 1));
                return Res<bool>.Ok(true);
            }
            m.Drop();
            idx.Dispose();
            return Res<bool>.Err(AmlError.ValueError());
        }

        /// <summary>
        /// `release_mutex`: a Mutex owned by this context at its sync level is freed; owned at
        /// another level: ValueError; owned by another context: HardFatal; unowned: nothing. An
        /// OperationRegion accessed by this context is released likewise.
        /// </summary>
        public Res<bool> ReleaseMutex(AmlValue mutex_ptr)
        {
            ulong id = ctx_id;
            using var guard = NamespaceLock.Write();
            ref var ns = ref Acpi.ACPI_TABLE.namespace_;
            if (!Acpi.ACPI_TABLE.namespace_is_some) { mutex_ptr.Drop(); return Res<bool>.Err(AmlError.HardFatal()); }
            if (!SyncKey(mutex_ptr, out String idx)) { mutex_ptr.Drop(); return Res<bool>.Err(AmlError.ValueError()); }
            mutex_ptr.Drop();
            AmlValue* found = ns.Get(&idx);
            if (found == null) { idx.Dispose(); return Res<bool>.Err(AmlError.ValueError()); }
            AmlValue m = found->Clone();
            Res<bool> result = Res<bool>.Ok(true);
            bool consumed = false;
            if (m.kind == AmlValueKind.Mutex)
            {
                if (m.mutex.owner.HasValue)
                {
                    if (m.mutex.owner.GetValueOrDefault() == id)
                    {
                        if (m.mutex.sync_level == sync_level)
                        {
                            Namespace.MapInsert(ref ns, idx, AmlValue.Mutex(m.mutex.sync_level, null));
                            consumed = true;
                        }
                        else
                        {
                            result = Res<bool>.Err(AmlError.ValueError());
                        }
                    }
                    else
                    {
                        result = Res<bool>.Err(AmlError.HardFatal());
                    }
                }
            }
            else if (m.kind == AmlValueKind.OperationRegion)
            {
                if (m.operation_region.accessed_by.HasValue)
                {
                    if (m.operation_region.accessed_by.GetValueOrDefault() == id)
                    {
                        OperationRegion new_region = m.operation_region.Clone();
                        new_region.accessed_by = null;
                        Namespace.MapInsert(ref ns, idx, AmlValue.FromOperationRegion(new_region));
                        consumed = true;
                    }
                    else
                    {
                        result = Res<bool>.Err(AmlError.HardFatal());
                    }
                }
            }
            else
            {
                result = Res<bool>.Err(AmlError.ValueError());
            }
            m.Drop();
            if (!consumed) idx.Dispose();
            return result;
        }

        /// <summary>
        /// `acquire_mutex`: an unowned Mutex at or above the current sync level is taken (true)
        /// and becomes the sync level; below it: ValueError; owned: false. An OperationRegion not
        /// being accessed is marked as accessed by this context.
        /// </summary>
        public Res<bool> AcquireMutex(AmlValue mutex_ptr)
        {
            ulong id = ctx_id;
            using var guard = NamespaceLock.Write();
            ref var ns = ref Acpi.ACPI_TABLE.namespace_;
            if (!Acpi.ACPI_TABLE.namespace_is_some) { mutex_ptr.Drop(); return Res<bool>.Err(AmlError.HardFatal()); }
            if (!SyncKey(mutex_ptr, out String idx)) { mutex_ptr.Drop(); return Res<bool>.Err(AmlError.ValueError()); }
            mutex_ptr.Drop();
            AmlValue* found = ns.Get(&idx);
            if (found == null) { idx.Dispose(); return Res<bool>.Err(AmlError.ValueError()); }
            AmlValue m = found->Clone();
            Res<bool> result = Res<bool>.Ok(false);
            bool consumed = false;
            if (m.kind == AmlValueKind.Mutex)
            {
                if (!m.mutex.owner.HasValue)
                {
                    if (m.mutex.sync_level < sync_level)
                    {
                        result = Res<bool>.Err(AmlError.ValueError());
                    }
                    else
                    {
                        Namespace.MapInsert(ref ns, idx, AmlValue.Mutex(m.mutex.sync_level, id));
                        consumed = true;
                        sync_level = m.mutex.sync_level;
                        result = Res<bool>.Ok(true);
                    }
                }
            }
            else if (m.kind == AmlValueKind.OperationRegion)
            {
                if (!m.operation_region.accessed_by.HasValue)
                {
                    OperationRegion new_region = m.operation_region.Clone();
                    new_region.accessed_by = id;
                    Namespace.MapInsert(ref ns, idx, AmlValue.FromOperationRegion(new_region));
                    consumed = true;
                    result = Res<bool>.Ok(true);
                }
            }
            else
            {
                result = Res<bool>.Err(AmlError.ValueError());
            }
            m.Drop();
            if (!consumed) idx.Dispose();
            return result;
        }

        /// <summary>
        /// `add_to_namespace`: a name may be (re)defined only over nothing, an Uninitialized
        /// object or a Method with an empty body (an External); otherwise ValueError. The name is
        /// recorded in this context's delta. Consumes name and value.
        /// </summary>
        public Res<bool> AddToNamespace(String name, AmlValue value)
        {
            using var guard = NamespaceLock.Write();
            if (!Acpi.ACPI_TABLE.namespace_is_some)
            {
                name.Dispose();
                value.Drop();
                return Res<bool>.Err(AmlError.ValueError());
            }
            ref var ns = ref Acpi.ACPI_TABLE.namespace_;
            AmlValue* obj = ns.Get(&name);
            if (obj != null)
            {
                bool allowed = obj->kind == AmlValueKind.Uninitialized
                    || (obj->kind == AmlValueKind.Method && obj->method.term_list.Len() == 0);
                if (!allowed)
                {
                    name.Dispose();
                    value.Drop();
                    return Res<bool>.Err(AmlError.ValueError());
                }
            }

            namespace_delta.Push(name.Clone());
            Namespace.MapInsert(ref ns, name, value);
            return Res<bool>.Ok(true);
        }

        /// <summary>`clean_namespace`: removes every name this context added.</summary>
        public void CleanNamespace()
        {
            using var guard = NamespaceLock.Write();
            if (Acpi.ACPI_TABLE.namespace_is_some)
            {
                for (ulong i = 0; i < namespace_delta.Len(); i++)
                {
                    String* k = namespace_delta.AsPtr() + i;
                    Namespace.MapRemove(ref Acpi.ACPI_TABLE.namespace_, k);
                }
            }
        }

        /// <summary>`init_arg_vars`: up to 8 parameters become Arg0..; more than 8: none. Consumes the vector.</summary>
        public void InitArgVars(Vec<AmlValue> parameters)
        {
            if (parameters.Len() <= 8)
            {
                for (ulong cur = 0; cur < parameters.Len(); cur++)
                {
                    ref AmlValue slot = ref AmlValue8.At(ref arg_vars, cur);
                    slot.Drop();
                    slot = parameters[cur].Clone();
                }
            }
            AmlValue.DropVec(ref parameters);
        }

        private Res<bool> ModifyLocalObj(ulong local, AmlValue value)
        {
            AmlValue coercion = AmlValue8.At(ref local_vars, local).Clone();
            var r = value.GetAsType(coercion);
            value.Drop();
            if (!r.ok) return Res<bool>.Err(r.err);
            ref AmlValue slot = ref AmlValue8.At(ref local_vars, local);
            slot.Drop();
            slot = r.value;
            return Res<bool>.Ok(true);
        }

        private Res<bool> ModifyObject(String name, AmlValue value)
        {
            using var guard = NamespaceLock.Write();
            if (!Acpi.ACPI_TABLE.namespace_is_some)
            {
                name.Dispose();
                value.Drop();
                return Res<bool>.Err(AmlError.HardFatal());
            }
            ref var ns = ref Acpi.ACPI_TABLE.namespace_;
            AmlValue* obj = ns.Get(&name);
            AmlValue coercion_obj = obj != null ? obj->Clone() : AmlValue.Uninitialized();
            var r = value.GetAsType(coercion_obj);
            value.Drop();
            if (!r.ok)
            {
                name.Dispose();
                return Res<bool>.Err(r.err);
            }
            Namespace.MapInsert(ref ns, name, r.value);
            return Res<bool>.Ok(true);
        }

        private Res<bool> ModifyIndexFinal(String name, AmlValue value, Vec<ulong> indices)
        {
            using var guard = NamespaceLock.Write();
            if (!Acpi.ACPI_TABLE.namespace_is_some)
            {
                name.Dispose(); value.Drop(); indices.Dispose();
                return Res<bool>.Err(AmlError.ValueError());
            }
            AmlValue* found = Acpi.ACPI_TABLE.namespace_.Get(&name);
            if (found == null)
            {
                name.Dispose(); value.Drop(); indices.Dispose();
                return Res<bool>.Err(AmlError.ValueError());
            }
            AmlValue obj = found->Clone();
            var r = ModifyIndexCore(obj, value, indices);
            if (!r.ok)
            {
                name.Dispose();
                return Res<bool>.Err(r.err);
            }
            Namespace.MapInsert(ref Acpi.ACPI_TABLE.namespace_, name, r.value);
            return Res<bool>.Ok(true);
        }

        /// <summary>`modify_index_core`: stores into element indices[0] (recursively for packages). Consumes all three.</summary>
        private Res<AmlValue> ModifyIndexCore(AmlValue obj, AmlValue value, Vec<ulong> indices)
        {
            switch (obj.kind)
            {
                case AmlValueKind.String:
                    {
                        if (indices.Len() != 1) { obj.Drop(); value.Drop(); indices.Dispose(); return Res<AmlValue>.Err(AmlError.ValueError()); }
                        Vec<byte> bytes = obj.str.Clone().IntoBytes();
                        var iv = value.GetAsInteger();
                        value.Drop();
                        if (!iv.ok) { bytes.Dispose(); obj.Drop(); indices.Dispose(); return Res<AmlValue>.Err(iv.err); }
                        bytes[indices[0]] = (byte)iv.value;
                        obj.Drop();
                        indices.Dispose();
                        return Res<AmlValue>.Ok(AmlValue.String(String.FromVec(bytes)));
                    }
                case AmlValueKind.Buffer:
                    {
                        if (indices.Len() != 1) { obj.Drop(); value.Drop(); indices.Dispose(); return Res<AmlValue>.Err(AmlError.ValueError()); }
                        Vec<byte> b = Namespace.CloneBytes(obj.buffer);
                        var iv = value.GetAsInteger();
                        value.Drop();
                        if (!iv.ok) { b.Dispose(); obj.Drop(); indices.Dispose(); return Res<AmlValue>.Err(iv.err); }
                        b[indices[0]] = (byte)iv.value;
                        obj.Drop();
                        indices.Dispose();
                        return Res<AmlValue>.Ok(AmlValue.Buffer(b));
                    }
                case AmlValueKind.BufferField:
                    {
                        if (indices.Len() != 1) { obj.Drop(); value.Drop(); indices.Dispose(); return Res<AmlValue>.Err(AmlError.ValueError()); }
                        ulong idx = indices[0];
                        var bi = obj.buffer_field.index->GetAsInteger();
                        if (!bi.ok) { obj.Drop(); value.Drop(); indices.Dispose(); return Res<AmlValue>.Err(bi.err); }
                        idx += bi.value;
                        var reference = AmlValue.FromObjectReference(ObjectReference.Index(obj.buffer_field.source_buf->Clone(), AmlValue.Integer(idx)));
                        var mr = Modify(reference, value);
                        if (!mr.ok) mr.err.Drop();
                        AmlValue result = AmlValue.FromBufferField(obj.buffer_field.Clone());
                        obj.Drop();
                        indices.Dispose();
                        return Res<AmlValue>.Ok(result);
                    }
                case AmlValueKind.Package:
                    {
                        if (indices.Len() == 0) { obj.Drop(); value.Drop(); indices.Dispose(); return Res<AmlValue>.Err(AmlError.ValueError()); }
                        Vec<AmlValue> p = AmlValue.CloneVec(obj.package);
                        obj.Drop();
                        if (indices.Len() == 1)
                        {
                            ref AmlValue slot = ref p[indices[0]];
                            slot.Drop();
                            slot = value;
                        }
                        else
                        {
                            ulong first = indices[0];
                            Vec<ulong> rest = Vec<ulong>.WithCapacity(indices.Len() - 1);
                            for (ulong k = 1; k < indices.Len(); k++) rest.Push(indices[k]);
                            var inner = ModifyIndexCore(p[first].Clone(), value, rest);
                            if (!inner.ok) { AmlValue.DropVec(ref p); indices.Dispose(); return inner; }
                            ref AmlValue slot = ref p[first];
                            slot.Drop();
                            slot = inner.value;
                        }
                        indices.Dispose();
                        return Res<AmlValue>.Ok(AmlValue.Package(p));
                    }
                default:
                    obj.Drop(); value.Drop(); indices.Dispose();
                    return Res<AmlValue>.Err(AmlError.ValueError());
            }
        }

        /// <summary>`modify_index`: follows Index references outwards, collecting the indices. Consumes all.</summary>
        public Res<bool> ModifyIndex(AmlValue name, AmlValue value, Vec<ulong> indices)
        {
            if (name.kind != AmlValueKind.ObjectReference)
            {
                name.Drop(); value.Drop(); indices.Dispose();
                return Res<bool>.Err(AmlError.ValueError());
            }
            ObjectReference r = name.object_reference;
            switch (r.kind)
            {
                case ObjectReferenceKind.Object:
                    return ModifyIndexFinal(r.obj, value, indices);
                case ObjectReferenceKind.Index:
                    {
                        Vec<ulong> more = Vec<ulong>.WithCapacity(indices.Len());
                        for (ulong k = 0; k < indices.Len(); k++) more.Push(indices[k]);
                        indices.Dispose();
                        var v = r.at->GetAsInteger();
                        if (!v.ok) { more.Dispose(); value.Drop(); name.Drop(); return Res<bool>.Err(v.err); }
                        more.Push(v.value);
                        AmlValue c = *r.container;
                        alloc.heap.Heap.Dealloc((byte*)r.container, alloc.allocator.Layout.New<AmlValue>());
                        AmlValue.BoxDrop(r.at);
                        return ModifyIndex(c, value, more);
                    }
                case ObjectReferenceKind.ArgObj:
                    value.Drop(); indices.Dispose();
                    return Res<bool>.Err(AmlError.ValueError());
                default:
                    {
                        AmlValue v = AmlValue8.At(ref local_vars, r.index).Clone();
                        var res = ModifyIndexCore(v, value, indices);
                        if (!res.ok) return Res<bool>.Err(res.err);
                        ref AmlValue slot = ref AmlValue8.At(ref local_vars, r.index);
                        slot.Drop();
                        slot = res.value;
                        return Res<bool>.Ok(true);
                    }
            }
        }

        /// <summary>`modify`: a store with implicit conversion to the target's current type. Consumes both.</summary>
        public Res<bool> Modify(AmlValue name, AmlValue value)
        {
            if (name.kind == AmlValueKind.ObjectReference)
            {
                ObjectReference r = name.object_reference;
                switch (r.kind)
                {
                    case ObjectReferenceKind.ArgObj:
                        value.Drop();
                        return Res<bool>.Err(AmlError.ValueError());
                    case ObjectReferenceKind.LocalObj:
                        return ModifyLocalObj(r.index, value);
                    case ObjectReferenceKind.Object:
                        return ModifyObject(r.obj, value);
                    default:
                        return ModifyIndexByReference(r, value);
                }
            }
            if (name.kind == AmlValueKind.String)
            {
                return ModifyObject(name.str, value);
            }
            name.Drop();
            value.Drop();
            return Res<bool>.Err(AmlError.ValueError());
        }

        /// <summary>`Index(c, v) => self.modify_index(*c, value, vec!(v.get_as_integer()?))`. Consumes r and value.</summary>
        private Res<bool> ModifyIndexByReference(ObjectReference r, AmlValue value)
        {
            var v = r.at->GetAsInteger();
            if (!v.ok)
            {
                r.Drop();
                value.Drop();
                return Res<bool>.Err(v.err);
            }
            Vec<ulong> indices = Vec<ulong>.New();
            indices.Push(v.value);
            AmlValue c = *r.container;
            alloc.heap.Heap.Dealloc((byte*)r.container, alloc.allocator.Layout.New<AmlValue>());
            AmlValue.BoxDrop(r.at);
            return ModifyIndex(c, value, indices);
        }

        private Res<bool> CopyObject(String name, AmlValue value)
        {
            using var guard = NamespaceLock.Write();
            if (!Acpi.ACPI_TABLE.namespace_is_some)
            {
                name.Dispose();
                value.Drop();
                return Res<bool>.Err(AmlError.HardFatal());
            }
            Namespace.MapInsert(ref Acpi.ACPI_TABLE.namespace_, name, value);
            return Res<bool>.Ok(true);
        }

        /// <summary>`copy`: a store without conversion. Consumes both.</summary>
        public Res<bool> Copy(AmlValue name, AmlValue value)
        {
            if (name.kind == AmlValueKind.ObjectReference)
            {
                ObjectReference r = name.object_reference;
                switch (r.kind)
                {
                    case ObjectReferenceKind.ArgObj:
                        value.Drop();
                        return Res<bool>.Err(AmlError.ValueError());
                    case ObjectReferenceKind.LocalObj:
                        {
                            ref AmlValue slot = ref AmlValue8.At(ref local_vars, r.index);
                            slot.Drop();
                            slot = value;
                            return Res<bool>.Ok(true);
                        }
                    case ObjectReferenceKind.Object:
                        return CopyObject(r.obj, value);
                    default:
                        return ModifyIndexByReference(r, value);
                }
            }
            if (name.kind == AmlValueKind.String)
            {
                return CopyObject(name.str, value);
            }
            name.Drop();
            value.Drop();
            return Res<bool>.Err(AmlError.ValueError());
        }

        private readonly Res<AmlValue> GetIndexFinal(String name, Vec<ulong> indices)
        {
            AmlValue obj;
            using (NamespaceLock.Read())
            {
                if (!Acpi.ACPI_TABLE.namespace_is_some)
                {
                    name.Dispose(); indices.Dispose();
                    return Res<AmlValue>.Err(AmlError.ValueError());
                }
                AmlValue* found = Acpi.ACPI_TABLE.namespace_.Get(&name);
                name.Dispose();
                if (found == null)
                {
                    indices.Dispose();
                    return Res<AmlValue>.Err(AmlError.ValueError());
                }
                obj = found->Clone();
                return GetIndexCore(obj, indices);
            }
        }

        /// <summary>`get_index_core`: element indices[0] (recursively for packages). Consumes both.</summary>
        private readonly Res<AmlValue> GetIndexCore(AmlValue obj, Vec<ulong> indices)
        {
            Res<AmlValue> result;
            switch (obj.kind)
            {
                case AmlValueKind.String:
                    if (indices.Len() != 1) { result = Res<AmlValue>.Err(AmlError.ValueError()); break; }
                    {
                        Vec<byte> bytes = obj.str.Clone().IntoBytes();
                        result = Res<AmlValue>.Ok(AmlValue.Integer(bytes[indices[0]]));
                        bytes.Dispose();
                    }
                    break;
                case AmlValueKind.Buffer:
                    if (indices.Len() != 1) { result = Res<AmlValue>.Err(AmlError.ValueError()); break; }
                    result = Res<AmlValue>.Ok(AmlValue.Integer(obj.buffer[indices[0]]));
                    break;
                case AmlValueKind.BufferField:
                    if (indices.Len() != 1) { result = Res<AmlValue>.Err(AmlError.ValueError()); break; }
                    {
                        ulong idx = indices[0];
                        var bi = obj.buffer_field.index->GetAsInteger();
                        if (!bi.ok) { result = Res<AmlValue>.Err(bi.err); break; }
                        idx += bi.value;
                        var buf = obj.buffer_field.source_buf->GetAsBuffer();
                        if (!buf.ok) { result = Res<AmlValue>.Err(buf.err); break; }
                        result = Res<AmlValue>.Ok(AmlValue.Integer(buf.value[idx]));
                        buf.value.Dispose();
                    }
                    break;
                case AmlValueKind.Package:
                    if (indices.Len() == 0) { result = Res<AmlValue>.Err(AmlError.ValueError()); break; }
                    if (indices.Len() == 1)
                    {
                        result = Res<AmlValue>.Ok(obj.package[indices[0]].Clone());
                    }
                    else
                    {
                        Vec<ulong> rest = Vec<ulong>.WithCapacity(indices.Len() - 1);
                        for (ulong k = 1; k < indices.Len(); k++) rest.Push(indices[k]);
                        result = GetIndexCore(obj.package[indices[0]].Clone(), rest);
                    }
                    break;
                default:
                    result = Res<AmlValue>.Err(AmlError.ValueError());
                    break;
            }
            obj.Drop();
            indices.Dispose();
            return result;
        }

        /// <summary>`get_index`. Consumes both.</summary>
        public Res<AmlValue> GetIndex(AmlValue name, Vec<ulong> indices)
        {
            if (name.kind != AmlValueKind.ObjectReference)
            {
                name.Drop(); indices.Dispose();
                return Res<AmlValue>.Err(AmlError.ValueError());
            }
            ObjectReference r = name.object_reference;
            switch (r.kind)
            {
                case ObjectReferenceKind.Object:
                    return GetIndexFinal(r.obj, indices);
                case ObjectReferenceKind.Index:
                    {
                        Vec<ulong> more = Vec<ulong>.WithCapacity(indices.Len());
                        for (ulong k = 0; k < indices.Len(); k++) more.Push(indices[k]);
                        indices.Dispose();
                        var v = r.at->GetAsInteger();
                        if (!v.ok) { more.Dispose(); name.Drop(); return Res<AmlValue>.Err(v.err); }
                        more.Push(v.value);
                        AmlValue c = *r.container;
                        alloc.heap.Heap.Dealloc((byte*)r.container, alloc.allocator.Layout.New<AmlValue>());
                        AmlValue.BoxDrop(r.at);
                        return GetIndex(c, more);
                    }
                case ObjectReferenceKind.ArgObj:
                    indices.Dispose();
                    return Res<AmlValue>.Err(AmlError.ValueError());
                default:
                    return GetIndexCore(AmlValue8.At(ref local_vars, r.index).Clone(), indices);
            }
        }

        /// <summary>
        /// `get`: the value a name denotes — an argument, a local, a namespace object (None when
        /// absent), an indexed element; None for anything else. Consumes the name.
        /// </summary>
        public Res<AmlValue> Get(AmlValue name)
        {
            if (name.kind == AmlValueKind.ObjectReference)
            {
                ObjectReference r = name.object_reference;
                switch (r.kind)
                {
                    case ObjectReferenceKind.ArgObj:
                        return Res<AmlValue>.Ok(AmlValue8.At(ref arg_vars, r.index).Clone());
                    case ObjectReferenceKind.LocalObj:
                        return Res<AmlValue>.Ok(AmlValue8.At(ref local_vars, r.index).Clone());
                    case ObjectReferenceKind.Object:
                        {
                            AmlValue v = LookUp(&r.obj);
                            r.obj.Dispose();
                            return Res<AmlValue>.Ok(v);
                        }
                    default:
                        {
                            var v = r.at->GetAsInteger();
                            if (!v.ok) { r.Drop(); return Res<AmlValue>.Err(v.err); }
                            Vec<ulong> indices = Vec<ulong>.New();
                            indices.Push(v.value);
                            AmlValue c = *r.container;
                            alloc.heap.Heap.Dealloc((byte*)r.container, alloc.allocator.Layout.New<AmlValue>());
                            AmlValue.BoxDrop(r.at);
                            return GetIndex(c, indices);
                        }
                }
            }
            if (name.kind == AmlValueKind.String)
            {
                AmlValue v = LookUp(&name.str);
                name.Drop();
                return Res<AmlValue>.Ok(v);
            }
            name.Drop();
            return Res<AmlValue>.Ok(AmlValue.None());
        }

        private static AmlValue LookUp(String* s)
        {
            using (NamespaceLock.Read())
            {
                if (!Acpi.ACPI_TABLE.namespace_is_some)
                {
                    return AmlValue.None();
                }
                AmlValue* o = Acpi.ACPI_TABLE.namespace_.Get(s);
                return o != null ? o->Clone() : AmlValue.None();
            }
        }
    }
}
