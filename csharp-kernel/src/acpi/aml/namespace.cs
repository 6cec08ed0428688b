using System.Runtime.InteropServices;
using alloc.allocator;
using alloc.btree_map;
using alloc.vec;
using Kernel.acpi.aml.namedobj;
using Kernel.acpi.aml.parser;
using Kernel.acpi.aml.termlist;
using AllocHeap = alloc.heap.Heap;
using String = alloc.@string.String;

namespace Kernel.acpi.aml.namespace_
{
    public enum FieldSelectorKind : byte { Region, Bank, Index }

    /// <summary>`FieldSelector`: Region(name) | Bank { region, bank_register, bank_selector } | Index { index_selector, data_selector }.</summary>
    public unsafe struct FieldSelector
    {
        public FieldSelectorKind kind;
        /// <summary>Region's name, Bank's region, Index's index_selector.</summary>
        public String a;
        /// <summary>Bank's bank_register, Index's data_selector.</summary>
        public String b;
        /// <summary>Bank's boxed bank_selector.</summary>
        public AmlValue* bank_selector;

        public readonly FieldSelector Clone()
        {
            FieldSelector c = this;
            c.a = a.Clone();
            if (kind != FieldSelectorKind.Region) c.b = b.Clone();
            if (kind == FieldSelectorKind.Bank) c.bank_selector = AmlValue.BoxClone(bank_selector);
            return c;
        }

        public void Drop()
        {
            a.Dispose();
            if (kind != FieldSelectorKind.Region) b.Dispose();
            if (kind == FieldSelectorKind.Bank) AmlValue.BoxDrop(bank_selector);
        }
    }

    public enum ObjectReferenceKind : byte { ArgObj, LocalObj, Object, Index }

    /// <summary>`ObjectReference`: ArgObj(u8) | LocalObj(u8) | Object(String) | Index(Box&lt;AmlValue&gt;, Box&lt;AmlValue&gt;).</summary>
    public unsafe struct ObjectReference
    {
        public ObjectReferenceKind kind;
        public byte index;
        public String obj;
        public AmlValue* container;
        public AmlValue* at;

        public static ObjectReference Arg(byte i) => new ObjectReference { kind = ObjectReferenceKind.ArgObj, index = i };
        public static ObjectReference Local(byte i) => new ObjectReference { kind = ObjectReferenceKind.LocalObj, index = i };
        public static ObjectReference Object(String s) => new ObjectReference { kind = ObjectReferenceKind.Object, obj = s };
        public static ObjectReference Index(AmlValue c, AmlValue v) => new ObjectReference { kind = ObjectReferenceKind.Index, container = AmlValue.BoxNew(c), at = AmlValue.BoxNew(v) };

        public readonly ObjectReference Clone()
        {
            ObjectReference c = this;
            if (kind == ObjectReferenceKind.Object) c.obj = obj.Clone();
            if (kind == ObjectReferenceKind.Index)
            {
                c.container = AmlValue.BoxClone(container);
                c.at = AmlValue.BoxClone(at);
            }
            return c;
        }

        public void Drop()
        {
            if (kind == ObjectReferenceKind.Object) obj.Dispose();
            if (kind == ObjectReferenceKind.Index)
            {
                AmlValue.BoxDrop(container);
                AmlValue.BoxDrop(at);
            }
        }
    }

    /// <summary>`Method`: argument count, serialized, sync level and a copy of the body.</summary>
    public struct Method
    {
        public byte arg_count;
        public bool serialized;
        public byte sync_level;
        public Vec<byte> term_list;

        public readonly Method Clone()
        {
            Method m = this;
            m.term_list = Namespace.CloneBytes(term_list);
            return m;
        }

        public void Drop() => term_list.Dispose();

        /// <summary>
        /// `Method::execute`: a fresh context in `scope` with the parameters as arguments, the body
        /// run, the names it created removed; its Return value, or IntegerConstant(0).
        /// Consumes scope and parameters.
        /// </summary>
        public readonly AmlValue Execute(String scope, Vec<AmlValue> parameters)
        {
            AmlExecutionContext ctx = AmlExecutionContext.New(scope);
            ctx.InitArgVars(parameters);

            ParseResult r = TermList.ParseTermList(Slice.Of(term_list), ref ctx);
            r.Drop();
            ctx.CleanNamespace();

            AmlValue result;
            if (ctx.state.kind == ExecutionStateKind.RETURN)
            {
                result = ctx.state.value;
                ctx.state.kind = ExecutionStateKind.EXECUTING;
                ctx.state.value = AmlValue.None();
            }
            else
            {
                result = AmlValue.IntegerConstant(0);
            }
            ctx.Drop();
            return result;
        }
    }

    /// <summary>`BufferField`: boxed source buffer, index and length.</summary>
    public unsafe struct BufferField
    {
        public AmlValue* source_buf;
        public AmlValue* index;
        public AmlValue* length;

        public readonly BufferField Clone()
        {
            return new BufferField { source_buf = AmlValue.BoxClone(source_buf), index = AmlValue.BoxClone(index), length = AmlValue.BoxClone(length) };
        }

        public void Drop()
        {
            AmlValue.BoxDrop(source_buf);
            AmlValue.BoxDrop(index);
            AmlValue.BoxDrop(length);
        }
    }

    /// <summary>`FieldUnit`.</summary>
    public unsafe struct FieldUnit
    {
        public FieldSelector selector;
        public AmlValue* connection;
        public FieldFlags flags;
        public ulong offset;
        public ulong length;

        public readonly FieldUnit Clone()
        {
            FieldUnit f = this;
            f.selector = selector.Clone();
            f.connection = AmlValue.BoxClone(connection);
            return f;
        }

        public void Drop()
        {
            selector.Drop();
            AmlValue.BoxDrop(connection);
        }
    }

    /// <summary>
    /// `BTreeMap&lt;u8, Vec&lt;fn()&gt;&gt;` as the Device, ThermalZone and Processor objects hold it:
    /// always empty. An empty map of this liballoc owns no heap memory (the reference boots show
    /// no allocation for the empty maps `acpi::init` creates), so neither does this stand-in:
    /// the root pointer, height and length of the original's layout, all zero.
    /// </summary>
    public struct NotifyMethods
    {
        public ulong root;
        public ulong height;
        public ulong length;

        public static NotifyMethods New() => default;

        public readonly NotifyMethods Clone() => default;

        public void Drop() { }
    }

    /// <summary>`Device` and `ThermalZone`: the names declared inside, and the notify handlers.</summary>
    public struct Device
    {
        public Vec<String> obj_list;
        public NotifyMethods notify_methods;

        public readonly Device Clone() => new Device { obj_list = Namespace.CloneStrings(obj_list), notify_methods = notify_methods.Clone() };

        public void Drop()
        {
            Namespace.DropStrings(ref obj_list);
            notify_methods.Drop();
        }
    }

    /// <summary>`Processor`.</summary>
    public struct Processor
    {
        public byte proc_id;
        public uint? p_blk;
        public Vec<String> obj_list;
        public NotifyMethods notify_methods;

        public readonly Processor Clone()
        {
            Processor p = this;
            p.obj_list = Namespace.CloneStrings(obj_list);
            p.notify_methods = notify_methods.Clone();
            return p;
        }

        public void Drop()
        {
            Namespace.DropStrings(ref obj_list);
            notify_methods.Drop();
        }
    }

    /// <summary>`OperationRegion`. Its accessor's read/write are the original's no-op closures (read gives 0).</summary>
    public unsafe struct OperationRegion
    {
        public RegionSpace region;
        public AmlValue* offset;
        public AmlValue* len;
        public ulong accessor_read;
        public ulong accessor_write;
        public ulong? accessed_by;

        public readonly OperationRegion Clone()
        {
            OperationRegion o = this;
            o.offset = AmlValue.BoxClone(offset);
            o.len = AmlValue.BoxClone(len);
            return o;
        }

        public void Drop()
        {
            AmlValue.BoxDrop(offset);
            AmlValue.BoxDrop(len);
        }
    }

    /// <summary>`PowerResource`.</summary>
    public struct PowerResource
    {
        public byte system_level;
        public ushort resource_order;
        public Vec<String> obj_list;

        public readonly PowerResource Clone()
        {
            PowerResource p = this;
            p.obj_list = Namespace.CloneStrings(obj_list);
            return p;
        }

        public void Drop() => Namespace.DropStrings(ref obj_list);
    }

    /// <summary>`DDBHandle((Vec&lt;String&gt;, SdtSignature))`.</summary>
    public struct DdbHandle
    {
        public Vec<String> names;
        public SdtSignature signature;

        public readonly DdbHandle Clone() => new DdbHandle { names = Namespace.CloneStrings(names), signature = signature.Clone() };

        public void Drop()
        {
            Namespace.DropStrings(ref names);
            signature.Dispose();
        }
    }

    /// <summary>`Mutex((u8, Option&lt;u64&gt;))`.</summary>
    public struct MutexValue
    {
        public byte sync_level;
        public ulong? owner;
    }

    public enum AmlValueKind : byte
    {
        None,
        Uninitialized,
        Alias,
        Buffer,
        BufferField,
        DDBHandle,
        DebugObject,
        Device,
        Event,
        FieldUnit,
        Integer,
        IntegerConstant,
        Method,
        Mutex,
        ObjectReference,
        OperationRegion,
        Package,
        String,
        PowerResource,
        Processor,
        RawDataBuffer,
        ThermalZone,
    }

    /// <summary>
    /// `AmlValue`, a tagged union as Rust lays the enum out: the tag, then one payload in the same
    /// place. It is moved by copying (as Rust moves); <see cref="Clone"/> is the deep `clone()`;
    /// <see cref="Drop"/> frees what the payload owns and must run exactly once per value.
    /// </summary>
    [StructLayout(LayoutKind.Explicit)]
    public unsafe struct AmlValue
    {
        [FieldOffset(0)] public AmlValueKind kind;
        [FieldOffset(8)] public ulong integer;
        [FieldOffset(8)] public String str;
        [FieldOffset(8)] public Vec<byte> buffer;
        [FieldOffset(8)] public Vec<AmlValue> package;
        [FieldOffset(8)] public BufferField buffer_field;
        [FieldOffset(8)] public DdbHandle ddb_handle;
        [FieldOffset(8)] public Device device;
        [FieldOffset(8)] public FieldUnit field_unit;
        [FieldOffset(8)] public Method method;
        [FieldOffset(8)] public MutexValue mutex;
        [FieldOffset(8)] public ObjectReference object_reference;
        [FieldOffset(8)] public OperationRegion operation_region;
        [FieldOffset(8)] public PowerResource power_resource;
        [FieldOffset(8)] public Processor processor;

        public static AmlValue None() => new AmlValue { kind = AmlValueKind.None };
        public static AmlValue Uninitialized() => new AmlValue { kind = AmlValueKind.Uninitialized };
        public static AmlValue DebugObject() => new AmlValue { kind = AmlValueKind.DebugObject };
        public static AmlValue Integer(ulong i) => new AmlValue { kind = AmlValueKind.Integer, integer = i };
        public static AmlValue IntegerConstant(ulong i) => new AmlValue { kind = AmlValueKind.IntegerConstant, integer = i };
        public static AmlValue Event(ulong i) => new AmlValue { kind = AmlValueKind.Event, integer = i };
        public static AmlValue String(String s) => new AmlValue { kind = AmlValueKind.String, str = s };
        public static AmlValue Alias(String s) => new AmlValue { kind = AmlValueKind.Alias, str = s };
        public static AmlValue Buffer(Vec<byte> b) => new AmlValue { kind = AmlValueKind.Buffer, buffer = b };
        public static AmlValue RawDataBuffer(Vec<byte> b) => new AmlValue { kind = AmlValueKind.RawDataBuffer, buffer = b };
        public static AmlValue Package(Vec<AmlValue> p) => new AmlValue { kind = AmlValueKind.Package, package = p };
        public static AmlValue FromBufferField(BufferField b) => new AmlValue { kind = AmlValueKind.BufferField, buffer_field = b };
        public static AmlValue FromDdbHandle(DdbHandle d) => new AmlValue { kind = AmlValueKind.DDBHandle, ddb_handle = d };
        public static AmlValue FromDevice(Device d) => new AmlValue { kind = AmlValueKind.Device, device = d };
        public static AmlValue FromThermalZone(Device d) => new AmlValue { kind = AmlValueKind.ThermalZone, device = d };
        public static AmlValue FromFieldUnit(FieldUnit f) => new AmlValue { kind = AmlValueKind.FieldUnit, field_unit = f };
        public static AmlValue FromMethod(Method m) => new AmlValue { kind = AmlValueKind.Method, method = m };
        public static AmlValue Mutex(byte sync_level, ulong? owner) => new AmlValue { kind = AmlValueKind.Mutex, mutex = new MutexValue { sync_level = sync_level, owner = owner } };
        public static AmlValue FromObjectReference(ObjectReference o) => new AmlValue { kind = AmlValueKind.ObjectReference, object_reference = o };
        public static AmlValue FromOperationRegion(OperationRegion o) => new AmlValue { kind = AmlValueKind.OperationRegion, operation_region = o };
        public static AmlValue FromPowerResource(PowerResource p) => new AmlValue { kind = AmlValueKind.PowerResource, power_resource = p };
        public static AmlValue FromProcessor(Processor p) => new AmlValue { kind = AmlValueKind.Processor, processor = p };

        /// <summary>`Box::new(v)`.</summary>
        public static AmlValue* BoxNew(AmlValue v)
        {
            AllocResult r = AllocHeap.Alloc(Layout.New<AmlValue>());
            if (!r.is_ok)
            {
                AllocHeap.Oom(r.err);
            }
            AmlValue* p = (AmlValue*)r.ok;
            *p = v;
            return p;
        }

        /// <summary>`box.clone()`: a new box holding a deep clone.</summary>
        public static AmlValue* BoxClone(AmlValue* b) => BoxNew(b->Clone());

        /// <summary>Drop of a `Box&lt;AmlValue&gt;`: the contents, then the box.</summary>
        public static void BoxDrop(AmlValue* b)
        {
            b->Drop();
            AllocHeap.Dealloc((byte*)b, Layout.New<AmlValue>());
        }

        /// <summary>`Vec&lt;AmlValue&gt;::clone()`: exact capacity, each element cloned.</summary>
        public static Vec<AmlValue> CloneVec(in Vec<AmlValue> v)
        {
            Vec<AmlValue> c = Vec<AmlValue>.WithCapacity(v.Len());
            for (ulong i = 0; i < v.Len(); i++)
            {
                c.Push(v[i].Clone());
            }
            return c;
        }

        /// <summary>Drop of a `Vec&lt;AmlValue&gt;`: each element, then the buffer.</summary>
        public static void DropVec(ref Vec<AmlValue> v)
        {
            for (ulong i = 0; i < v.Len(); i++)
            {
                v[i].Drop();
            }
            v.Dispose();
        }

        /// <summary>The derived `clone()`.</summary>
        public readonly AmlValue Clone()
        {
            AmlValue c = this;
            switch (kind)
            {
                case AmlValueKind.Alias:
                case AmlValueKind.String:
                    c.str = str.Clone();
                    break;
                case AmlValueKind.Buffer:
                case AmlValueKind.RawDataBuffer:
                    c.buffer = Namespace.CloneBytes(buffer);
                    break;
                case AmlValueKind.BufferField: c.buffer_field = buffer_field.Clone(); break;
                case AmlValueKind.DDBHandle: c.ddb_handle = ddb_handle.Clone(); break;
                case AmlValueKind.Device:
                case AmlValueKind.ThermalZone:
                    c.device = device.Clone();
                    break;
                case AmlValueKind.FieldUnit: c.field_unit = field_unit.Clone(); break;
                case AmlValueKind.Method: c.method = method.Clone(); break;
                case AmlValueKind.ObjectReference: c.object_reference = object_reference.Clone(); break;
                case AmlValueKind.OperationRegion: c.operation_region = operation_region.Clone(); break;
                case AmlValueKind.Package: c.package = CloneVec(package); break;
                case AmlValueKind.PowerResource: c.power_resource = power_resource.Clone(); break;
                case AmlValueKind.Processor: c.processor = processor.Clone(); break;
            }
            return c;
        }

        /// <summary>The drop glue.</summary>
        public void Drop()
        {
            switch (kind)
            {
                case AmlValueKind.Alias:
                case AmlValueKind.String:
                    str.Dispose();
                    break;
                case AmlValueKind.Buffer:
                case AmlValueKind.RawDataBuffer:
                    buffer.Dispose();
                    break;
                case AmlValueKind.BufferField: buffer_field.Drop(); break;
                case AmlValueKind.DDBHandle: ddb_handle.Drop(); break;
                case AmlValueKind.Device:
                case AmlValueKind.ThermalZone:
                    device.Drop();
                    break;
                case AmlValueKind.FieldUnit: field_unit.Drop(); break;
                case AmlValueKind.Method: method.Drop(); break;
                case AmlValueKind.ObjectReference: object_reference.Drop(); break;
                case AmlValueKind.OperationRegion: operation_region.Drop(); break;
                case AmlValueKind.Package: DropVec(ref package); break;
                case AmlValueKind.PowerResource: power_resource.Drop(); break;
                case AmlValueKind.Processor: processor.Drop(); break;
            }
            kind = AmlValueKind.None;
        }

        /// <summary>`get_type_string`: the ACPI type name in brackets (an empty string for the rest).</summary>
        public readonly String GetTypeString()
        {
            switch (kind)
            {
                case AmlValueKind.Uninitialized: return alloc.@string.String.FromStr("[Uninitialized Object]");
                case AmlValueKind.Integer: return alloc.@string.String.FromStr("[Integer]");
                case AmlValueKind.String: return alloc.@string.String.FromStr("[String]");
                case AmlValueKind.Buffer: return alloc.@string.String.FromStr("[Buffer]");
                case AmlValueKind.Package: return alloc.@string.String.FromStr("[Package]");
                case AmlValueKind.FieldUnit: return alloc.@string.String.FromStr("[Field]");
                case AmlValueKind.Device: return alloc.@string.String.FromStr("[Device]");
                case AmlValueKind.Event: return alloc.@string.String.FromStr("[Event]");
                case AmlValueKind.Method: return alloc.@string.String.FromStr("[Control Method]");
                case AmlValueKind.Mutex: return alloc.@string.String.FromStr("[Mutex]");
                case AmlValueKind.OperationRegion: return alloc.@string.String.FromStr("[Operation Region]");
                case AmlValueKind.PowerResource: return alloc.@string.String.FromStr("[Power Resource]");
                case AmlValueKind.Processor: return alloc.@string.String.FromStr("[Processor]");
                case AmlValueKind.ThermalZone: return alloc.@string.String.FromStr("[Thermal Zone]");
                case AmlValueKind.BufferField: return alloc.@string.String.FromStr("[Buffer Field]");
                case AmlValueKind.DDBHandle: return alloc.@string.String.FromStr("[DDB Handle]");
                case AmlValueKind.DebugObject: return alloc.@string.String.FromStr("[Debug Object]");
                default: return alloc.@string.String.New();
            }
        }

        /// <summary>`get_as_type(t)`: this value converted to t's type (t is consumed).</summary>
        public readonly Res<AmlValue> GetAsType(AmlValue t)
        {
            AmlValueKind tk = t.kind;
            t.Drop();
            switch (tk)
            {
                case AmlValueKind.None: return Res<AmlValue>.Ok(None());
                case AmlValueKind.Uninitialized: return Res<AmlValue>.Ok(Clone());
                case AmlValueKind.Alias:
                    return kind == AmlValueKind.Alias ? Res<AmlValue>.Ok(Clone()) : Res<AmlValue>.Err(AmlError.ValueError());
                case AmlValueKind.Buffer: { var r = GetAsBuffer(); return r.ok ? Res<AmlValue>.Ok(Buffer(r.value)) : Res<AmlValue>.Err(r.err); }
                case AmlValueKind.BufferField: { var r = GetAsBufferField(); return r.ok ? Res<AmlValue>.Ok(FromBufferField(r.value)) : Res<AmlValue>.Err(r.err); }
                case AmlValueKind.DDBHandle: { var r = GetAsDdbHandle(); return r.ok ? Res<AmlValue>.Ok(FromDdbHandle(r.value)) : Res<AmlValue>.Err(r.err); }
                case AmlValueKind.DebugObject:
                    return kind == AmlValueKind.DebugObject ? Res<AmlValue>.Ok(Clone()) : Res<AmlValue>.Err(AmlError.ValueError());
                case AmlValueKind.Device: { var r = GetAsDevice(); return r.ok ? Res<AmlValue>.Ok(FromDevice(r.value)) : Res<AmlValue>.Err(r.err); }
                case AmlValueKind.Event: { var r = GetAsEvent(); return r.ok ? Res<AmlValue>.Ok(Event(r.value)) : Res<AmlValue>.Err(r.err); }
                case AmlValueKind.FieldUnit: { var r = GetAsFieldUnit(); return r.ok ? Res<AmlValue>.Ok(FromFieldUnit(r.value)) : Res<AmlValue>.Err(r.err); }
                case AmlValueKind.Integer: { var r = GetAsInteger(); return r.ok ? Res<AmlValue>.Ok(Integer(r.value)) : Res<AmlValue>.Err(r.err); }
                case AmlValueKind.IntegerConstant: { var r = GetAsIntegerConstant(); return r.ok ? Res<AmlValue>.Ok(IntegerConstant(r.value)) : Res<AmlValue>.Err(r.err); }
                case AmlValueKind.Method: { var r = GetAsMethod(); return r.ok ? Res<AmlValue>.Ok(FromMethod(r.value)) : Res<AmlValue>.Err(r.err); }
                case AmlValueKind.Mutex: { var r = GetAsMutex(); return r.ok ? Res<AmlValue>.Ok(Mutex(r.value.sync_level, r.value.owner)) : Res<AmlValue>.Err(r.err); }
                case AmlValueKind.ObjectReference: { var r = GetAsObjectReference(); return r.ok ? Res<AmlValue>.Ok(FromObjectReference(r.value)) : Res<AmlValue>.Err(r.err); }
                case AmlValueKind.OperationRegion:
                    return kind == AmlValueKind.OperationRegion ? Res<AmlValue>.Ok(Clone()) : Res<AmlValue>.Err(AmlError.ValueError());
                case AmlValueKind.Package: { var r = GetAsPackage(); return r.ok ? Res<AmlValue>.Ok(Package(r.value)) : Res<AmlValue>.Err(r.err); }
                case AmlValueKind.String: { var r = GetAsString(); return r.ok ? Res<AmlValue>.Ok(String(r.value)) : Res<AmlValue>.Err(r.err); }
                case AmlValueKind.PowerResource: { var r = GetAsPowerResource(); return r.ok ? Res<AmlValue>.Ok(FromPowerResource(r.value)) : Res<AmlValue>.Err(r.err); }
                case AmlValueKind.Processor: { var r = GetAsProcessor(); return r.ok ? Res<AmlValue>.Ok(FromProcessor(r.value)) : Res<AmlValue>.Err(r.err); }
                case AmlValueKind.RawDataBuffer: { var r = GetAsRawDataBuffer(); return r.ok ? Res<AmlValue>.Ok(RawDataBuffer(r.value)) : Res<AmlValue>.Err(r.err); }
                default: { var r = GetAsThermalZone(); return r.ok ? Res<AmlValue>.Ok(FromThermalZone(r.value)) : Res<AmlValue>.Err(r.err); }
            }
        }

        /// <summary>
        /// `get_as_buffer`: a Buffer's copy; an Integer's bytes, least significant first, up to its
        /// highest non-zero byte, then zero-filled to 8; a String's bytes; a BufferField's slice
        /// [index, index + length) of its source (ValueError past the end).
        /// </summary>
        public readonly Res<Vec<byte>> GetAsBuffer()
        {
            switch (kind)
            {
                case AmlValueKind.Buffer:
                    return Res<Vec<byte>>.Ok(Namespace.CloneBytes(buffer));
                case AmlValueKind.Integer:
                    {
                        Vec<byte> v = Vec<byte>.New();
                        ulong i = integer;
                        while (i != 0)
                        {
                            v.Push((byte)(i & 0xFF));
                            i >>= 8;
                        }
                        while (v.Len() < 8)
                        {
                            v.Push(0);
                        }
                        return Res<Vec<byte>>.Ok(v);
                    }
                case AmlValueKind.String:
                    return Res<Vec<byte>>.Ok(str.Clone().IntoBytes());
                case AmlValueKind.BufferField:
                    {
                        var buf = buffer_field.source_buf->GetAsBuffer();
                        if (!buf.ok) return buf;
                        var idx = buffer_field.index->GetAsInteger();
                        if (!idx.ok) { buf.value.Dispose(); return Res<Vec<byte>>.Err(idx.err); }
                        var len = buffer_field.length->GetAsInteger();
                        if (!len.ok) { buf.value.Dispose(); return Res<Vec<byte>>.Err(len.err); }
                        if (idx.value + len.value > buf.value.Len())
                        {
                            buf.value.Dispose();
                            return Res<Vec<byte>>.Err(AmlError.ValueError());
                        }
                        Vec<byte> part = Slice.Of(buf.value).Range(idx.value, idx.value + len.value).ToVec();
                        buf.value.Dispose();
                        return Res<Vec<byte>>.Ok(part);
                    }
                default:
                    return Res<Vec<byte>>.Err(AmlError.ValueError());
            }
        }

        /// <summary>`get_as_buffer_field`: a BufferField's clone, else the whole buffer as a field (index 0).</summary>
        public readonly Res<BufferField> GetAsBufferField()
        {
            if (kind == AmlValueKind.BufferField)
            {
                return Res<BufferField>.Ok(buffer_field.Clone());
            }
            var raw = GetAsBuffer();
            if (!raw.ok) return Res<BufferField>.Err(raw.err);
            AmlValue* buf = BoxNew(Buffer(Namespace.CloneBytes(raw.value)));
            AmlValue* idx = BoxNew(IntegerConstant(0));
            AmlValue* len = BoxNew(Integer(raw.value.Len()));
            raw.value.Dispose();
            return Res<BufferField>.Ok(new BufferField { source_buf = buf, index = idx, length = len });
        }

        /// <summary>`get_as_ddb_handle`: a handle's clone, or an Integer as an index into the load order.</summary>
        public readonly Res<DdbHandle> GetAsDdbHandle()
        {
            if (kind == AmlValueKind.DDBHandle)
            {
                return Res<DdbHandle>.Ok(ddb_handle.Clone());
            }
            if (kind == AmlValueKind.Integer)
            {
                if (Acpi.GetSignatureFromIndex(integer, out SdtSignature sig))
                {
                    return Res<DdbHandle>.Ok(new DdbHandle { names = Vec<String>.New(), signature = sig });
                }
            }
            return Res<DdbHandle>.Err(AmlError.ValueError());
        }

        public readonly Res<Device> GetAsDevice() =>
            kind == AmlValueKind.Device ? Res<Device>.Ok(device.Clone()) : Res<Device>.Err(AmlError.ValueError());

        public readonly Res<ulong> GetAsEvent() =>
            kind == AmlValueKind.Event ? Res<ulong>.Ok(integer) : Res<ulong>.Err(AmlError.ValueError());

        public readonly Res<FieldUnit> GetAsFieldUnit() =>
            kind == AmlValueKind.FieldUnit ? Res<FieldUnit>.Ok(field_unit.Clone()) : Res<FieldUnit>.Err(AmlError.ValueError());

        /// <summary>
        /// `get_as_integer`. Buffers (and BufferFields) of up to 8 bytes read little-endian; a
        /// DDBHandle is its index in the load order; a String takes its first 8 characters
        /// (panicking when shorter, as the original's `[0..8]` does), upper-cased, and folds the
        /// leading hex digits with a shift of 8 bits per digit (the original's quirk).
        /// </summary>
        public readonly Res<ulong> GetAsInteger()
        {
            switch (kind)
            {
                case AmlValueKind.IntegerConstant:
                case AmlValueKind.Integer:
                    return Res<ulong>.Ok(integer);
                case AmlValueKind.Buffer:
                    return Namespace.BytesToInteger(buffer);
                case AmlValueKind.BufferField:
                    {
                        var b = GetAsBuffer();
                        if (!b.ok) return Res<ulong>.Err(b.err);
                        var r = Namespace.BytesToInteger(b.value);
                        b.value.Dispose();
                        return r;
                    }
                case AmlValueKind.DDBHandle:
                    {
                        SdtSignature sig = ddb_handle.signature.Clone();
                        ulong? idx = Acpi.GetIndexFromSignature(&sig);
                        sig.Dispose();
                        return idx.HasValue ? Res<ulong>.Ok(idx.GetValueOrDefault()) : Res<ulong>.Err(AmlError.ValueError());
                    }
                case AmlValueKind.String:
                    {
                        String s = str.Clone();
                        if (s.Len() < 8)
                        {
                            Slice.RangeEndFail(8, s.Len());
                        }
                        // `[0..8].to_string()` then `to_uppercase()`: two more strings of 8 bytes.
                        String part = alloc.@string.String.FromBytes(s.AsPtr(), 8);
                        String upper = alloc.@string.String.FromBytes(part.AsPtr(), 8);
                        ulong i = 0;
                        for (ulong k = 0; k < 8; k++)
                        {
                            byte c = upper.AsPtr()[k];
                            if (c >= 'a' && c <= 'z') c = (byte)(c - 32);
                            upper.AsPtr()[k] = c;
                        }
                        part.Dispose();
                        s.Dispose();
                        for (ulong k = 0; k < 8; k++)
                        {
                            byte c = upper.AsPtr()[k];
                            ulong digit;
                            if (c >= '0' && c <= '9') digit = (ulong)(c - '0');
                            else if (c >= 'A' && c <= 'F') digit = (ulong)(c - 'A' + 10);
                            else if (c >= 'a' && c <= 'f') digit = (ulong)(c - 'a' + 10);
                            else break;
                            i <<= 8;
                            i += digit;
                        }
                        upper.Dispose();
                        return Res<ulong>.Ok(i);
                    }
                default:
                    return Res<ulong>.Err(AmlError.ValueError());
            }
        }

        public readonly Res<ulong> GetAsIntegerConstant() =>
            kind == AmlValueKind.IntegerConstant ? Res<ulong>.Ok(integer) : Res<ulong>.Err(AmlError.ValueError());

        public readonly Res<Method> GetAsMethod() =>
            kind == AmlValueKind.Method ? Res<Method>.Ok(method.Clone()) : Res<Method>.Err(AmlError.ValueError());

        public readonly Res<MutexValue> GetAsMutex() =>
            kind == AmlValueKind.Mutex ? Res<MutexValue>.Ok(mutex) : Res<MutexValue>.Err(AmlError.ValueError());

        public readonly Res<ObjectReference> GetAsObjectReference() =>
            kind == AmlValueKind.ObjectReference ? Res<ObjectReference>.Ok(object_reference.Clone()) : Res<ObjectReference>.Err(AmlError.ValueError());

        public readonly Res<Vec<AmlValue>> GetAsPackage() =>
            kind == AmlValueKind.Package ? Res<Vec<AmlValue>>.Ok(CloneVec(package)) : Res<Vec<AmlValue>>.Err(AmlError.ValueError());

        /// <summary>`get_as_string`: a String's clone; an Integer as `{:X}`; a Buffer's (or BufferField's) bytes.</summary>
        public readonly Res<String> GetAsString()
        {
            switch (kind)
            {
                case AmlValueKind.String:
                    return Res<String>.Ok(str.Clone());
                case AmlValueKind.Integer:
                case AmlValueKind.IntegerConstant:
                    return Res<String>.Ok(Namespace.FormatUpperHex(integer));
                case AmlValueKind.Buffer:
                    return Res<String>.Ok(alloc.@string.String.FromVec(Namespace.CloneBytes(buffer)));
                case AmlValueKind.BufferField:
                    {
                        var b = GetAsBuffer();
                        if (!b.ok) return Res<String>.Err(b.err);
                        return Res<String>.Ok(alloc.@string.String.FromVec(b.value));
                    }
                default:
                    return Res<String>.Err(AmlError.ValueError());
            }
        }

        public readonly Res<PowerResource> GetAsPowerResource() =>
            kind == AmlValueKind.PowerResource ? Res<PowerResource>.Ok(power_resource.Clone()) : Res<PowerResource>.Err(AmlError.ValueError());

        public readonly Res<Processor> GetAsProcessor() =>
            kind == AmlValueKind.Processor ? Res<Processor>.Ok(processor.Clone()) : Res<Processor>.Err(AmlError.ValueError());

        public readonly Res<Vec<byte>> GetAsRawDataBuffer() =>
            kind == AmlValueKind.RawDataBuffer ? Res<Vec<byte>>.Ok(Namespace.CloneBytes(buffer)) : Res<Vec<byte>>.Err(AmlError.ValueError());

        public readonly Res<Device> GetAsThermalZone() =>
            kind == AmlValueKind.ThermalZone ? Res<Device>.Ok(device.Clone()) : Res<Device>.Err(AmlError.ValueError());
    }

    /// <summary>Helpers of namespace.rs: the global namespace map, clones and drops of the collections.</summary>
    public static unsafe class Namespace
    {
        public static int CompareStrings(String* a, String* b) => alloc.@string.String.Compare(*a, *b);

        public static BTreeMap<String, AmlValue> NewMap() => BTreeMap<String, AmlValue>.New(&CompareStrings);

        /// <summary>Drop of the namespace map: every key and value, then the map.</summary>
        public static void DropMap(ref BTreeMap<String, AmlValue> map)
        {
            for (ulong i = 0; i < map.Len(); i++)
            {
                map.At(i)->key.Dispose();
                map.At(i)->value.Drop();
            }
            map.Dispose();
        }

        /// <summary>`namespace.insert(name, value)`: the replaced value and the unused key are dropped.</summary>
        public static void MapInsert(ref BTreeMap<String, AmlValue> map, String name, AmlValue value)
        {
            if (map.Insert(name, value, out AmlValue old, out String unused))
            {
                old.Drop();
                unused.Dispose();
            }
        }

        /// <summary>`namespace.remove(&amp;name)`: the removed entry is dropped.</summary>
        public static void MapRemove(ref BTreeMap<String, AmlValue> map, String* name)
        {
            if (map.Remove(name, out BTreeMap<String, AmlValue>.Entry e))
            {
                e.key.Dispose();
                e.value.Drop();
            }
        }

        /// <summary>`Vec&lt;u8&gt;::clone()`: exact capacity.</summary>
        public static Vec<byte> CloneBytes(in Vec<byte> v)
        {
            Vec<byte> c = Vec<byte>.WithCapacity(v.Len());
            for (ulong i = 0; i < v.Len(); i++)
            {
                c.AsPtr()[i] = v.AsPtr()[i];
            }
            c.len = v.Len();
            return c;
        }

        /// <summary>`Vec&lt;String&gt;::clone()`: exact capacity, each string cloned.</summary>
        public static Vec<String> CloneStrings(in Vec<String> v)
        {
            Vec<String> c = Vec<String>.WithCapacity(v.Len());
            for (ulong i = 0; i < v.Len(); i++)
            {
                c.Push(v[i].Clone());
            }
            return c;
        }

        public static void DropStrings(ref Vec<String> v)
        {
            for (ulong i = 0; i < v.Len(); i++)
            {
                v[i].Dispose();
            }
            v.Dispose();
        }

        /// <summary>Buffer → integer: more than 8 bytes is a ValueError; else little-endian (the original pops from the end).</summary>
        public static Res<ulong> BytesToInteger(in Vec<byte> b)
        {
            if (b.Len() > 8)
            {
                return Res<ulong>.Err(AmlError.ValueError());
            }
            // The original clones the vector first, then pops it empty.
            Vec<byte> c = CloneBytes(b);
            ulong i = 0;
            while (c.Len() > 0)
            {
                i <<= 8;
                i += c.Pop().GetValueOrDefault();
            }
            c.Dispose();
            return Res<ulong>.Ok(i);
        }

        /// <summary>`format!("{:X}", i)`: a String of exactly the digits' length.</summary>
        public static String FormatUpperHex(ulong value)
        {
            byte* buf = stackalloc byte[16];
            int n = 16;
            do
            {
                int digit = (int)(value & 0xF);
                buf[--n] = (byte)(digit < 10 ? '0' + digit : 'A' + digit - 10);
                value >>= 4;
            } while (value != 0);
            return FormatString(buf + n, (ulong)(16 - n));
        }

        /// <summary>`format!("{}", i)`.</summary>
        public static String FormatDecimal(ulong value)
        {
            byte* buf = stackalloc byte[20];
            int n = 20;
            do
            {
                buf[--n] = (byte)('0' + (int)(value % 10));
                value /= 10;
            } while (value != 0);
            return FormatString(buf + n, (ulong)(20 - n));
        }

        /// <summary>
        /// `format!` builds its String with `String::with_capacity(estimated)` and `push_str`; the
        /// estimate for one argument and no literal pieces is 0, so the first write allocates
        /// exactly what it needs.
        /// </summary>
        private static String FormatString(byte* bytes, ulong n)
        {
            String s = alloc.@string.String.New();
            s.PushStr(bytes, n);
            return s;
        }

        /// <summary>
        /// `get_namespace_string(current, modifier)`: resolves a name against a scope. An empty
        /// scope gives the name, an empty name the scope, a `\` name is absolute; each leading `^`
        /// drops the scope's last segment (ValueError at the root); the rest is joined with a `.`
        /// unless the scope ends with `\`. Consumes both.
        /// </summary>
        public static Res<String> GetNamespaceString(String current, AmlValue modifier_v)
        {
            var m = modifier_v.GetAsString();
            modifier_v.Drop();
            if (!m.ok)
            {
                current.Dispose();
                return m;
            }
            String modifier = m.value;

            if (current.Len() == 0)
            {
                current.Dispose();
                return Res<String>.Ok(modifier);
            }

            if (modifier.Len() == 0)
            {
                modifier.Dispose();
                return Res<String>.Ok(current);
            }

            if (modifier.StartsWith((byte)'\\'))
            {
                current.Dispose();
                return Res<String>.Ok(modifier);
            }

            String ns = current.Clone();

            if (modifier.StartsWith((byte)'^'))
            {
                while (modifier.StartsWith((byte)'^'))
                {
                    // `modifier[1..].to_string()`
                    String rest = alloc.@string.String.FromBytes(modifier.AsPtr() + 1, modifier.Len() - 1);
                    modifier.Dispose();
                    modifier = rest;

                    if (ns.EndsWith((byte)'\\'))
                    {
                        modifier.Dispose();
                        ns.Dispose();
                        current.Dispose();
                        return Res<String>.Err(AmlError.ValueError());
                    }

                    while (true)
                    {
                        if (ns.EndsWith((byte)'.'))
                        {
                            ns.Pop();
                            break;
                        }

                        if (!ns.Pop().HasValue)
                        {
                            modifier.Dispose();
                            ns.Dispose();
                            current.Dispose();
                            return Res<String>.Err(AmlError.ValueError());
                        }
                    }
                }
            }

            if (!ns.EndsWith((byte)'\\'))
            {
                ns.Push((byte)'.');
            }

            ns.PushStr(modifier);
            modifier.Dispose();
            current.Dispose();
            return Res<String>.Ok(ns);
        }
    }
}
