using alloc.vec;
using Kernel.acpi.aml.namespace_;
using Kernel.acpi.aml.namestring;
using Kernel.acpi.aml.parser;
using Kernel.acpi.aml.pkglength;
using Kernel.acpi.aml.termlist;
using Kernel.acpi.aml.type2opcode;
using String = alloc.@string.String;

namespace Kernel.acpi.aml.namedobj
{
    public enum RegionSpaceKind : byte
    {
        SystemMemory,
        SystemIO,
        PCIConfig,
        EmbeddedControl,
        SMBus,
        SystemCMOS,
        PciBarTarget,
        IPMI,
        GeneralPurposeIO,
        GenericSerialBus,
        UserDefined,
    }

    /// <summary>`RegionSpace` (UserDefined carries its byte).</summary>
    public struct RegionSpace
    {
        public RegionSpaceKind kind;
        public byte user_defined;
    }

    public enum AccessAttribKind : byte
    {
        AttribBytes,
        AttribRawBytes,
        AttribRawProcessBytes,
        AttribQuick,
        AttribSendReceive,
        AttribByte,
        AttribWord,
        AttribBlock,
        AttribProcessCall,
        AttribBlockProcessCall,
    }

    /// <summary>`AccessAttrib` (the Bytes variants carry a count).</summary>
    public struct AccessAttrib
    {
        public AccessAttribKind kind;
        public byte count;

        public static AccessAttrib Of(AccessAttribKind k, byte n = 0) => new AccessAttrib { kind = k, count = n };
    }

    public enum AccessTypeKind : byte
    {
        AnyAcc,
        ByteAcc,
        WordAcc,
        DWordAcc,
        QWordAcc,
        BufferAcc,
    }

    /// <summary>`AccessType` (BufferAcc carries an AccessAttrib).</summary>
    public struct AccessType
    {
        public AccessTypeKind kind;
        public AccessAttrib attrib;
    }

    public enum UpdateRule : byte
    {
        Preserve,
        WriteAsOnes,
        WriteAsZeros,
    }

    /// <summary>`FieldFlags`.</summary>
    public struct FieldFlags
    {
        public AccessType access_type;
        public bool lock_rule;
        public UpdateRule update_rule;
    }

    /// <summary>`NamedField`: a field's name and its length in bits.</summary>
    public struct NamedField
    {
        public String name;
        public ulong length;
    }

    /// <summary>`AccessField`.</summary>
    public struct AccessField
    {
        public AccessType access_type;
        public AccessAttrib access_attrib;
    }

    /// <summary>namedobj.rs: the named objects (fields, regions, devices, methods...).</summary>
    public static unsafe class NamedObj
    {
        public static ParseResult ParseNamedObj(Slice data, ref AmlExecutionContext ctx)
        {
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);

            ParseResult r;
            r = ParseDefBankField(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefCreateBitField(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefCreateByteField(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefCreateWordField(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefCreateDwordField(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefCreateQwordField(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefCreateField(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefDataRegion(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefEvent(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefExternal(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefDevice(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefOpRegion(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefField(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefIndexField(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefMethod(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefMutex(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefPowerRes(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefProcessor(data, ref ctx); if (!r.IsInvalidOpCode) return r;
            r = ParseDefThermalZone(data, ref ctx); if (!r.IsInvalidOpCode) return r;

            return ParseResult.InvalidOpCode();
        }

        private static bool IsExtended(Slice data, byte op) => data[0] == 0x5B && data[1] == op;

        /// <summary>The field flags byte of Field, IndexField and BankField, with each one's error messages.</summary>
        private static Res<FieldFlags> ParseFieldFlags(byte flags_raw, string bad_access, string bad_update)
        {
            FieldFlags flags = default;
            switch (flags_raw & 0x0F)
            {
                case 0: flags.access_type.kind = AccessTypeKind.AnyAcc; break;
                case 1: flags.access_type.kind = AccessTypeKind.ByteAcc; break;
                case 2: flags.access_type.kind = AccessTypeKind.WordAcc; break;
                case 3: flags.access_type.kind = AccessTypeKind.DWordAcc; break;
                case 4: flags.access_type.kind = AccessTypeKind.QWordAcc; break;
                case 5:
                    flags.access_type.kind = AccessTypeKind.BufferAcc;
                    flags.access_type.attrib = AccessAttrib.Of(AccessAttribKind.AttribByte);
                    break;
                default: return Res<FieldFlags>.Err(AmlError.ParseError(bad_access));
            }
            flags.lock_rule = (flags_raw & 0x10) == 0x10;
            switch ((flags_raw & 0x60) >> 5)
            {
                case 0: flags.update_rule = UpdateRule.Preserve; break;
                case 1: flags.update_rule = UpdateRule.WriteAsOnes; break;
                case 2: flags.update_rule = UpdateRule.WriteAsZeros; break;
                default: return Res<FieldFlags>.Err(AmlError.ParseError(bad_update));
            }
            return Res<FieldFlags>.Ok(flags);
        }

        /// <summary>
        /// `DefBankField` (0x5B 0x87). QUIRK (kept): after narrowing `data` to the package, the
        /// original indexes it again with the package-relative offsets (2 + pkg_length_len + ...),
        /// so any real BankField reads past its package or panics on the slice bounds.
        /// </summary>
        private static ParseResult ParseDefBankField(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 3) return ParseResult.Err(AmlError.ParseError("DefBankField - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x87)) return ParseResult.InvalidOpCode();

            var pkg = PkgLength.ParsePkgLength(data.From(2));
            if (!pkg.ok) return ParseResult.Err(pkg.err);
            ulong pkg_length = pkg.value.length;
            ulong pkg_length_len = pkg.value.length_len;
            data = data.Range(2 + pkg_length_len, 2 + pkg_length);

            ParseResult region_name = NameString.ParseNameString(data, ref ctx);
            if (!region_name.ok) return region_name;
            ParseResult bank_name = NameString.ParseNameString(data.Range(2 + pkg_length_len + region_name.val.len, 2 + pkg_length), ref ctx);
            if (!bank_name.ok) { region_name.Drop(); return bank_name; }

            ParseResult bank_value = TermList.ParseTermArg(data.Range(2 + pkg_length_len + region_name.val.len, 2 + pkg_length), ref ctx);
            if (!bank_value.ok) { region_name.Drop(); bank_name.Drop(); return bank_value; }

            byte flags_raw = data[2 + pkg_length_len + region_name.val.len + bank_name.val.len + bank_value.val.len];
            var fl = ParseFieldFlags(flags_raw, "BankField - invalid access type", "BankField - invalid update rule");
            if (!fl.ok) { region_name.Drop(); bank_name.Drop(); bank_value.Drop(); return ParseResult.Err(fl.err); }
            FieldFlags flags = fl.value;

            var region = region_name.val.val.GetAsString();
            if (!region.ok) { region_name.Drop(); bank_name.Drop(); bank_value.Drop(); return ParseResult.Err(region.err); }
            var bank_register = bank_name.val.val.GetAsString();
            if (!bank_register.ok) { region.value.Dispose(); region_name.Drop(); bank_name.Drop(); bank_value.Drop(); return ParseResult.Err(bank_register.err); }

            FieldSelector selector = default;
            selector.kind = FieldSelectorKind.Bank;
            selector.a = region.value;
            selector.b = bank_register.value;
            selector.bank_selector = AmlValue.BoxNew(bank_value.val.val);

            ulong len = 2 + pkg_length;
            ParseResult list = ParseFieldList(data.Range(3 + pkg_length_len + region_name.val.len + bank_name.val.len + bank_value.val.len, 2 + pkg_length), ref ctx, selector, ref flags);
            region_name.Drop();
            bank_name.Drop();
            if (!list.ok) return list;
            list.Drop();

            return ParseResult.Ok(AmlValue.None(), len);
        }

        /// <summary>
        /// The CreateXField family. QUIRK (kept): the source buffer is read from offset 2 of a
        /// one-byte opcode and the name from offset 1 + ..., as the original does.
        /// </summary>
        private static ParseResult ParseDefCreateSizedField(Slice data, ref AmlExecutionContext ctx, byte op, ulong bits, bool ignore_add_error)
        {
            ParseResult source_buf = TermList.ParseTermArg(data.From(2), ref ctx);
            if (!source_buf.ok) return source_buf;
            ParseResult bit_index = TermList.ParseTermArg(data.From(2 + source_buf.val.len), ref ctx);
            if (!bit_index.ok) { source_buf.Drop(); return bit_index; }
            ParseResult name = NameString.ParseNameString(data.From(1 + source_buf.val.len + bit_index.val.len), ref ctx);
            if (!name.ok) { source_buf.Drop(); bit_index.Drop(); return name; }

            ulong len = 2 + name.val.len + source_buf.val.len + bit_index.val.len;
            var local_scope_string = Namespace.GetNamespaceString(ctx.scope.Clone(), name.val.val);
            if (!local_scope_string.ok) { source_buf.Drop(); bit_index.Drop(); return ParseResult.Err(local_scope_string.err); }

            BufferField bf;
            bf.source_buf = AmlValue.BoxNew(source_buf.val.val);
            bf.index = AmlValue.BoxNew(bit_index.val.val);
            bf.length = AmlValue.BoxNew(AmlValue.IntegerConstant(bits));
            var added = ctx.AddToNamespace(local_scope_string.value, AmlValue.FromBufferField(bf));
            if (!added.ok)
            {
                if (!ignore_add_error) return ParseResult.Err(added.err);
                added.err.Drop();
            }

            return ParseResult.Ok(AmlValue.None(), len);
        }

        private static ParseResult ParseDefCreateBitField(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 2) return ParseResult.Err(AmlError.ParseError("DefCreateBitField - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x8D) return ParseResult.InvalidOpCode();
            return ParseDefCreateSizedField(data, ref ctx, 0x8D, 1, false);
        }

        private static ParseResult ParseDefCreateByteField(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 2) return ParseResult.Err(AmlError.ParseError("DefCreateByteField - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x8C) return ParseResult.InvalidOpCode();
            return ParseDefCreateSizedField(data, ref ctx, 0x8C, 8, false);
        }

        private static ParseResult ParseDefCreateWordField(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 2) return ParseResult.Err(AmlError.ParseError("DefCreateWordField - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x8B) return ParseResult.InvalidOpCode();
            return ParseDefCreateSizedField(data, ref ctx, 0x8B, 16, false);
        }

        /// <summary>CreateDWordField: the original ignores add_to_namespace's error (`let _ =`).</summary>
        private static ParseResult ParseDefCreateDwordField(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 2) return ParseResult.Err(AmlError.ParseError("DefCreateDwordField - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x8A) return ParseResult.InvalidOpCode();
            return ParseDefCreateSizedField(data, ref ctx, 0x8A, 32, true);
        }

        private static ParseResult ParseDefCreateQwordField(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 2) return ParseResult.Err(AmlError.ParseError("DefCreateQwordField - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x8F) return ParseResult.InvalidOpCode();
            return ParseDefCreateSizedField(data, ref ctx, 0x8F, 64, false);
        }

        /// <summary>`DefCreateField` (0x5B 0x13): source, bit index, bit count, name.</summary>
        private static ParseResult ParseDefCreateField(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 2) return ParseResult.Err(AmlError.ParseError("DefCreateField - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x13)) return ParseResult.InvalidOpCode();

            ParseResult source_buf = TermList.ParseTermArg(data.From(2), ref ctx);
            if (!source_buf.ok) return source_buf;
            ParseResult bit_index = TermList.ParseTermArg(data.From(2 + source_buf.val.len), ref ctx);
            if (!bit_index.ok) { source_buf.Drop(); return bit_index; }
            ParseResult num_bits = TermList.ParseTermArg(data.From(2 + source_buf.val.len + bit_index.val.len), ref ctx);
            if (!num_bits.ok) { source_buf.Drop(); bit_index.Drop(); return num_bits; }
            ParseResult name = NameString.ParseNameString(data.From(2 + source_buf.val.len + bit_index.val.len + num_bits.val.len), ref ctx);
            if (!name.ok) { source_buf.Drop(); bit_index.Drop(); num_bits.Drop(); return name; }

            ulong len = 2 + name.val.len + source_buf.val.len + bit_index.val.len + num_bits.val.len;
            var local_scope_string = Namespace.GetNamespaceString(ctx.scope.Clone(), name.val.val);
            if (!local_scope_string.ok) { source_buf.Drop(); bit_index.Drop(); num_bits.Drop(); return ParseResult.Err(local_scope_string.err); }

            BufferField bf;
            bf.source_buf = AmlValue.BoxNew(source_buf.val.val);
            bf.index = AmlValue.BoxNew(bit_index.val.val);
            bf.length = AmlValue.BoxNew(num_bits.val.val);
            var added = ctx.AddToNamespace(local_scope_string.value, AmlValue.FromBufferField(bf));
            if (!added.ok) return ParseResult.Err(added.err);

            return ParseResult.Ok(AmlValue.None(), len);
        }

        /// <summary>`DefDataRegion` (0x5B 0x88): a SystemMemory region at offset 0, length 0 (the table is not looked up).</summary>
        private static ParseResult ParseDefDataRegion(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 2) return ParseResult.Err(AmlError.ParseError("DefDataRegion - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x88)) return ParseResult.InvalidOpCode();

            ParseResult name = NameString.ParseNameString(data.From(2), ref ctx);
            if (!name.ok) return name;
            ParseResult signature = TermList.ParseTermArg(data.From(2 + name.val.len), ref ctx);
            if (!signature.ok) { name.Drop(); return signature; }
            ParseResult oem_id = TermList.ParseTermArg(data.From(2 + name.val.len + signature.val.len), ref ctx);
            if (!oem_id.ok) { name.Drop(); signature.Drop(); return oem_id; }
            ParseResult oem_table_id = TermList.ParseTermArg(data.From(2 + name.val.len + signature.val.len + oem_id.val.len), ref ctx);
            if (!oem_table_id.ok) { name.Drop(); signature.Drop(); oem_id.Drop(); return oem_table_id; }

            ulong len = 2 + name.val.len + signature.val.len + oem_id.val.len + oem_table_id.val.len;
            signature.Drop();
            oem_id.Drop();
            oem_table_id.Drop();
            var local_scope_string = Namespace.GetNamespaceString(ctx.scope.Clone(), name.val.val);
            if (!local_scope_string.ok) return ParseResult.Err(local_scope_string.err);

            var added = ctx.AddToNamespace(local_scope_string.value, AmlValue.FromOperationRegion(NewRegion(new RegionSpace { kind = RegionSpaceKind.SystemMemory }, AmlValue.IntegerConstant(0), AmlValue.IntegerConstant(0))));
            if (!added.ok) return ParseResult.Err(added.err);

            return ParseResult.Ok(AmlValue.None(), len);
        }

        private static OperationRegion NewRegion(RegionSpace region, AmlValue offset, AmlValue len)
        {
            OperationRegion o = default;
            o.region = region;
            o.offset = AmlValue.BoxNew(offset);
            o.len = AmlValue.BoxNew(len);
            o.accessed_by = null;
            return o;
        }

        /// <summary>`DefEvent` (0x5B 0x02): an Event with count 0.</summary>
        private static ParseResult ParseDefEvent(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 2) return ParseResult.Err(AmlError.ParseError("DefEvent - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x02)) return ParseResult.InvalidOpCode();

            ParseResult name = NameString.ParseNameString(data.From(2), ref ctx);
            if (!name.ok) return name;
            ulong len = 2 + name.val.len;

            var local_scope_string = Namespace.GetNamespaceString(ctx.scope.Clone(), name.val.val);
            if (!local_scope_string.ok) return ParseResult.Err(local_scope_string.err);
            var added = ctx.AddToNamespace(local_scope_string.value, AmlValue.Event(0));
            if (!added.ok) return ParseResult.Err(added.err);

            return ParseResult.Ok(AmlValue.None(), len);
        }

        /// <summary>
        /// `DefDevice` (0x5B 0x82): the object list runs in a fresh context scoped to the device
        /// (its names go to the global namespace), then the Device lists them.
        /// </summary>
        private static ParseResult ParseDefDevice(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 2) return ParseResult.Err(AmlError.ParseError("DefDevice - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x82)) return ParseResult.InvalidOpCode();

            var pkg = PkgLength.ParsePkgLength(data.From(2));
            if (!pkg.ok) return ParseResult.Err(pkg.err);
            ulong pkg_length = pkg.value.length;
            ulong pkg_length_len = pkg.value.length_len;
            ParseResult name = NameString.ParseNameString(data.Range(2 + pkg_length_len, 2 + pkg_length), ref ctx);
            if (!name.ok) return name;
            ulong name_len = name.val.len;

            var local_scope_string = Namespace.GetNamespaceString(ctx.scope.Clone(), name.val.val);
            if (!local_scope_string.ok) return ParseResult.Err(local_scope_string.err);
            AmlExecutionContext local_ctx = AmlExecutionContext.New(local_scope_string.value.Clone());

            ParseResult list = TermList.ParseObjectList(data.Range(2 + pkg_length_len + name_len, 2 + pkg_length), ref local_ctx);
            if (!list.ok)
            {
                local_ctx.Drop();
                local_scope_string.value.Dispose();
                return list;
            }
            list.Drop();

            Device device;
            device.obj_list = Namespace.CloneStrings(local_ctx.namespace_delta);
            device.notify_methods = NotifyMethods.New();
            var added = ctx.AddToNamespace(local_scope_string.value, AmlValue.FromDevice(device));
            local_ctx.Drop();
            if (!added.ok) return ParseResult.Err(added.err);

            return ParseResult.Ok(AmlValue.None(), 2 + pkg_length);
        }

        /// <summary>`DefOpRegion` (0x5B 0x80): name, region space byte, offset and length term arguments.</summary>
        private static ParseResult ParseDefOpRegion(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 3) return ParseResult.Err(AmlError.ParseError("DefOpRegion - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x80)) return ParseResult.InvalidOpCode();

            ParseResult name = NameString.ParseNameString(data.From(2), ref ctx);
            if (!name.ok) return name;
            byte space = data[2 + name.val.len];
            RegionSpace region = default;
            if (space <= 0x09)
            {
                region.kind = (RegionSpaceKind)space;
            }
            else if (space >= 0x80)
            {
                region.kind = RegionSpaceKind.UserDefined;
                region.user_defined = space;
            }
            else
            {
                name.Drop();
                return ParseResult.Err(AmlError.ParseError("OpRegion - invalid region"));
            }

            ParseResult offset = TermList.ParseTermArg(data.From(3 + name.val.len), ref ctx);
            if (!offset.ok) { name.Drop(); return offset; }
            ParseResult len = TermList.ParseTermArg(data.From(3 + name.val.len + offset.val.len), ref ctx);
            if (!len.ok) { name.Drop(); offset.Drop(); return len; }

            ulong total = 3 + name.val.len + offset.val.len + len.val.len;
            var local_scope_string = Namespace.GetNamespaceString(ctx.scope.Clone(), name.val.val);
            if (!local_scope_string.ok) { offset.Drop(); len.Drop(); return ParseResult.Err(local_scope_string.err); }
            var added = ctx.AddToNamespace(local_scope_string.value, AmlValue.FromOperationRegion(NewRegion(region, offset.val.val, len.val.val)));
            if (!added.ok) return ParseResult.Err(added.err);

            return ParseResult.Ok(AmlValue.None(), total);
        }

        /// <summary>`DefField` (0x5B 0x81): region name, flags, field list.</summary>
        private static ParseResult ParseDefField(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 3) return ParseResult.Err(AmlError.ParseError("DefField - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x81)) return ParseResult.InvalidOpCode();

            var pkg = PkgLength.ParsePkgLength(data.From(2));
            if (!pkg.ok) return ParseResult.Err(pkg.err);
            ulong pkg_length = pkg.value.length;
            ulong pkg_length_len = pkg.value.length_len;
            ParseResult name = NameString.ParseNameString(data.Range(2 + pkg_length_len, 2 + pkg_length), ref ctx);
            if (!name.ok) return name;

            byte flags_raw = data[2 + pkg_length_len + name.val.len];
            var fl = ParseFieldFlags(flags_raw, "Field - Invalid access type", "Field - Invalid update rule");
            if (!fl.ok) { name.Drop(); return ParseResult.Err(fl.err); }
            FieldFlags flags = fl.value;

            var region = name.val.val.GetAsString();
            if (!region.ok) { name.Drop(); return ParseResult.Err(region.err); }
            FieldSelector selector = default;
            selector.kind = FieldSelectorKind.Region;
            selector.a = region.value;

            ParseResult list = ParseFieldList(data.Range(3 + pkg_length_len + name.val.len, 2 + pkg_length), ref ctx, selector, ref flags);
            name.Drop();
            if (!list.ok) return list;
            list.Drop();

            return ParseResult.Ok(AmlValue.None(), 2 + pkg_length);
        }

        /// <summary>`DefIndexField` (0x5B 0x86): index and data field names, flags, field list.</summary>
        private static ParseResult ParseDefIndexField(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 3) return ParseResult.Err(AmlError.ParseError("DefIndexField - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x86)) return ParseResult.InvalidOpCode();

            var pkg = PkgLength.ParsePkgLength(data.From(2));
            if (!pkg.ok) return ParseResult.Err(pkg.err);
            ulong pkg_length = pkg.value.length;
            ulong pkg_length_len = pkg.value.length_len;
            ParseResult idx_name = NameString.ParseNameString(data.Range(2 + pkg_length_len, 2 + pkg_length), ref ctx);
            if (!idx_name.ok) return idx_name;
            ParseResult data_name = NameString.ParseNameString(data.Range(2 + pkg_length_len + idx_name.val.len, 2 + pkg_length), ref ctx);
            if (!data_name.ok) { idx_name.Drop(); return data_name; }

            byte flags_raw = data[2 + pkg_length_len + idx_name.val.len + data_name.val.len];
            var fl = ParseFieldFlags(flags_raw, "IndexField - Invalid access type", "IndexField - Invalid update rule");
            if (!fl.ok) { idx_name.Drop(); data_name.Drop(); return ParseResult.Err(fl.err); }
            FieldFlags flags = fl.value;

            var index_selector = idx_name.val.val.GetAsString();
            if (!index_selector.ok) { idx_name.Drop(); data_name.Drop(); return ParseResult.Err(index_selector.err); }
            var data_selector = data_name.val.val.GetAsString();
            if (!data_selector.ok) { index_selector.value.Dispose(); idx_name.Drop(); data_name.Drop(); return ParseResult.Err(data_selector.err); }
            FieldSelector selector = default;
            selector.kind = FieldSelectorKind.Index;
            selector.a = index_selector.value;
            selector.b = data_selector.value;

            ParseResult list = ParseFieldList(data.Range(3 + pkg_length_len + idx_name.val.len + data_name.val.len, 2 + pkg_length), ref ctx, selector, ref flags);
            idx_name.Drop();
            data_name.Drop();
            if (!list.ok) return list;
            list.Drop();

            return ParseResult.Ok(AmlValue.None(), 2 + pkg_length);
        }

        /// <summary>`parse_field_list`: field elements to the end, the bit offset running on. Consumes the selector.</summary>
        private static ParseResult ParseFieldList(Slice data, ref AmlExecutionContext ctx, FieldSelector selector, ref FieldFlags flags)
        {
            if (!ctx.Executing) { selector.Drop(); return ParseResult.Ok(AmlValue.None(), 0); }

            ulong current_offset = 0;
            ulong field_offset = 0;
            AmlValue connection = AmlValue.Uninitialized();

            while (current_offset < data.Len())
            {
                ParseResult res = ParseFieldElement(data.From(current_offset), ref ctx, selector.Clone(), ref connection, ref flags, ref field_offset);
                if (!res.ok)
                {
                    connection.Drop();
                    selector.Drop();
                    return res;
                }

                if (!ctx.Executing)
                {
                    connection.Drop();
                    selector.Drop();
                    return ParseResult.Ok(AmlValue.None(), 0);
                }

                current_offset += res.val.len;
            }

            connection.Drop();
            selector.Drop();
            return ParseResult.Ok(AmlValue.None(), data.Len());
        }

        /// <summary>
        /// `parse_field_element`: a named field (added as a FieldUnit at the running offset), a
        /// reserved field (skips bits), an access field (changes the access type), or a connect
        /// field; the first that parses wins, the others' errors are discarded. Consumes the selector.
        /// </summary>
        private static ParseResult ParseFieldElement(Slice data, ref AmlExecutionContext ctx, FieldSelector selector, ref AmlValue connection, ref FieldFlags flags, ref ulong offset)
        {
            if (!ctx.Executing) { selector.Drop(); return ParseResult.Ok(AmlValue.None(), 0); }

            ulong length;
            var named = ParseNamedField(data, ref ctx);
            if (named.ok)
            {
                var local_scope_string = Namespace.GetNamespaceString(ctx.scope.Clone(), AmlValue.String(named.value.value.name.Clone()));
                if (!local_scope_string.ok)
                {
                    named.value.value.name.Dispose();
                    selector.Drop();
                    return ParseResult.Err(local_scope_string.err);
                }

                FieldUnit unit;
                unit.selector = selector.Clone();
                unit.connection = AmlValue.BoxNew(connection.Clone());
                unit.flags = flags;
                unit.offset = offset;
                unit.length = named.value.value.length;
                var added = ctx.AddToNamespace(local_scope_string.value, AmlValue.FromFieldUnit(unit));
                if (!added.ok)
                {
                    named.value.value.name.Dispose();
                    selector.Drop();
                    return ParseResult.Err(added.err);
                }

                offset += named.value.value.length;
                length = named.value.len;
                named.value.value.name.Dispose();
            }
            else
            {
                named.err.Drop();
                var reserved = ParseReservedField(data, ref ctx);
                if (reserved.ok)
                {
                    offset += reserved.value.length;
                    length = reserved.value.length_len;
                }
                else
                {
                    var access = ParseAccessField(data, ref ctx);
                    if (access.ok)
                    {
                        if (access.value.value.access_type.kind == AccessTypeKind.BufferAcc)
                        {
                            flags.access_type.kind = AccessTypeKind.BufferAcc;
                            flags.access_type.attrib = access.value.value.access_attrib;
                        }
                        else
                        {
                            flags.access_type = access.value.value.access_type;
                        }
                        length = access.value.len;
                    }
                    else
                    {
                        ParseResult connect = ParseConnectField(data, ref ctx);
                        if (connect.ok)
                        {
                            connection.Drop();
                            connection = connect.val.val;
                            length = connect.val.len;
                        }
                        else
                        {
                            connect.Drop();
                            selector.Drop();
                            return ParseResult.InvalidOpCode();
                        }
                    }
                }
            }

            selector.Drop();
            return ParseResult.Ok(AmlValue.None(), length);
        }

        /// <summary>A named field: a 4-character segment and a package length giving its bits.</summary>
        private static Res<NamedFieldParse> ParseNamedField(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 4) return Res<NamedFieldParse>.Err(AmlError.ParseError("NamedField - data truncated"));

            var seg = NameString.ParseNameSeg(data.Range(0, 4));
            if (!seg.ok) return Res<NamedFieldParse>.Err(seg.err);
            String name = seg.value.chars;
            var pl = PkgLength.ParsePkgLength(data.From(4));
            if (!pl.ok) { name.Dispose(); return Res<NamedFieldParse>.Err(pl.err); }

            return Res<NamedFieldParse>.Ok(new NamedFieldParse { value = new NamedField { name = name, length = pl.value.length }, len = seg.value.len + pl.value.length_len });
        }

        private static Res<PkgLen> ParseReservedField(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 1) return Res<PkgLen>.Err(AmlError.ParseError("ReservedField - data truncated"));
            if (data[0] != 0x00) return Res<PkgLen>.Err(AmlError.InvalidOpCode());

            var pl = PkgLength.ParsePkgLength(data.From(1));
            if (!pl.ok) return pl;
            return Res<PkgLen>.Ok(new PkgLen { length = pl.value.length, length_len = 1 + pl.value.length_len });
        }

        /// <summary>An access field (0x01, 3 bytes) or an extended access field (0x03, 4 bytes).</summary>
        private static Res<AccessFieldParse> ParseAccessField(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 3) return Res<AccessFieldParse>.Err(AmlError.ParseError("AccessField - data truncated"));
            if (data[0] != 0x01 && data[0] != 0x03) return Res<AccessFieldParse>.Err(AmlError.InvalidOpCode());

            byte flags_raw = data[1];
            AccessType access_type = default;
            switch (flags_raw & 0x0F)
            {
                case 0: access_type.kind = AccessTypeKind.AnyAcc; break;
                case 1: access_type.kind = AccessTypeKind.ByteAcc; break;
                case 2: access_type.kind = AccessTypeKind.WordAcc; break;
                case 3: access_type.kind = AccessTypeKind.DWordAcc; break;
                case 4: access_type.kind = AccessTypeKind.QWordAcc; break;
                case 5:
                    access_type.kind = AccessTypeKind.BufferAcc;
                    access_type.attrib = AccessAttrib.Of(AccessAttribKind.AttribByte);
                    break;
                default: return Res<AccessFieldParse>.Err(AmlError.ParseError("AccessField - Invalid access type"));
            }

            AccessAttrib access_attrib;
            switch ((flags_raw & 0xC0) >> 6)
            {
                case 0:
                    switch (data[2])
                    {
                        case 0x02: access_attrib = AccessAttrib.Of(AccessAttribKind.AttribQuick); break;
                        case 0x04: access_attrib = AccessAttrib.Of(AccessAttribKind.AttribSendReceive); break;
                        case 0x06: access_attrib = AccessAttrib.Of(AccessAttribKind.AttribByte); break;
                        case 0x08: access_attrib = AccessAttrib.Of(AccessAttribKind.AttribWord); break;
                        case 0x0A: access_attrib = AccessAttrib.Of(AccessAttribKind.AttribBlock); break;
                        case 0x0B: access_attrib = AccessAttrib.Of(AccessAttribKind.AttribBytes, data[3]); break;
                        case 0x0C: access_attrib = AccessAttrib.Of(AccessAttribKind.AttribProcessCall); break;
                        case 0x0D: access_attrib = AccessAttrib.Of(AccessAttribKind.AttribBlockProcessCall); break;
                        case 0x0E: access_attrib = AccessAttrib.Of(AccessAttribKind.AttribRawBytes, data[3]); break;
                        case 0x0F: access_attrib = AccessAttrib.Of(AccessAttribKind.AttribRawProcessBytes, data[3]); break;
                        default: return Res<AccessFieldParse>.Err(AmlError.ParseError("AccessField - Invalid access attrib"));
                    }
                    break;
                case 1: access_attrib = AccessAttrib.Of(AccessAttribKind.AttribBytes, data[2]); break;
                case 2: access_attrib = AccessAttrib.Of(AccessAttribKind.AttribRawBytes, data[2]); break;
                default: access_attrib = AccessAttrib.Of(AccessAttribKind.AttribRawProcessBytes, data[2]); break;
            }

            return Res<AccessFieldParse>.Ok(new AccessFieldParse
            {
                value = new AccessField { access_type = access_type, access_attrib = access_attrib },
                len = data[0] == 0x01 ? 3UL : 4UL,
            });
        }

        /// <summary>A connect field (0x02): a buffer if one parses there, else a name (kept as an Alias).</summary>
        private static ParseResult ParseConnectField(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 1) return ParseResult.Err(AmlError.ParseError("ConnectField - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x02) return ParseResult.InvalidOpCode();

            ParseResult e = Type2OpCode.ParseDefBuffer(data.From(1), ref ctx);
            if (e.ok)
            {
                return ParseResult.Ok(e.val.val, e.val.len + 1);
            }
            e.Drop();
            ParseResult name = NameString.ParseNameString(data.From(1), ref ctx);
            if (!name.ok) return name;
            var s = name.val.val.GetAsString();
            ulong len = name.val.len + 1;
            name.Drop();
            if (!s.ok) return ParseResult.Err(s.err);
            return ParseResult.Ok(AmlValue.Alias(s.value), len);
        }

        /// <summary>
        /// `DefMethod` (0x14): name, flags, and a copy of the body. QUIRK (kept): the sync level is
        /// `flags &amp; 0xF0 &gt;&gt; 4`, which Rust's precedence makes `flags &amp; 0x0F`.
        /// </summary>
        private static ParseResult ParseDefMethod(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 1) return ParseResult.Err(AmlError.ParseError("DefMethod - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (data[0] != 0x14) return ParseResult.InvalidOpCode();

            var pkg = PkgLength.ParsePkgLength(data.From(1));
            if (!pkg.ok) return ParseResult.Err(pkg.err);
            ulong pkg_len = pkg.value.length;
            ulong pkg_len_len = pkg.value.length_len;
            ParseResult name = NameString.ParseNameString(data.From(1 + pkg_len_len), ref ctx);
            if (!name.ok) return name;
            byte flags = data[1 + pkg_len_len + name.val.len];

            byte arg_count = (byte)(flags & 0x07);
            bool serialized = (flags & 0x08) == 0x08;
            byte sync_level = (byte)(flags & (0xF0 >> 4));

            Slice term_list = data.Range(2 + pkg_len_len + name.val.len, 1 + pkg_len);

            var local_scope_string = Namespace.GetNamespaceString(ctx.scope.Clone(), name.val.val);
            if (!local_scope_string.ok) return ParseResult.Err(local_scope_string.err);
            Method m;
            m.arg_count = arg_count;
            m.serialized = serialized;
            m.sync_level = sync_level;
            m.term_list = term_list.ToVec();
            var added = ctx.AddToNamespace(local_scope_string.value, AmlValue.FromMethod(m));
            if (!added.ok) return ParseResult.Err(added.err);

            return ParseResult.Ok(AmlValue.None(), 1 + pkg_len);
        }

        /// <summary>`DefMutex` (0x5B 0x01): name and sync level (low nibble of the flags).</summary>
        private static ParseResult ParseDefMutex(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 1) return ParseResult.Err(AmlError.ParseError("DefMutex - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x01)) return ParseResult.InvalidOpCode();

            ParseResult name = NameString.ParseNameString(data.From(2), ref ctx);
            if (!name.ok) return name;
            byte flags = data[2 + name.val.len];
            byte sync_level = (byte)(flags & 0x0F);
            ulong len = 3 + name.val.len;

            var local_scope_string = Namespace.GetNamespaceString(ctx.scope.Clone(), name.val.val);
            if (!local_scope_string.ok) return ParseResult.Err(local_scope_string.err);
            var added = ctx.AddToNamespace(local_scope_string.value, AmlValue.Mutex(sync_level, null));
            if (!added.ok) return ParseResult.Err(added.err);

            return ParseResult.Ok(AmlValue.None(), len);
        }

        /// <summary>`DefPowerRes` (0x5B 0x84): name, system level, resource order, object list in its own context.</summary>
        private static ParseResult ParseDefPowerRes(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 5) return ParseResult.Err(AmlError.ParseError("DefPowerRes - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x84)) return ParseResult.InvalidOpCode();

            var pkg = PkgLength.ParsePkgLength(data.From(2));
            if (!pkg.ok) return ParseResult.Err(pkg.err);
            ulong pkg_len = pkg.value.length;
            ulong pkg_len_len = pkg.value.length_len;
            ParseResult name = NameString.ParseNameString(data.From(2 + pkg_len_len), ref ctx);
            if (!name.ok) return name;
            ulong name_len = name.val.len;

            var local_scope_string = Namespace.GetNamespaceString(ctx.scope.Clone(), name.val.val);
            if (!local_scope_string.ok) return ParseResult.Err(local_scope_string.err);

            byte system_level = data[2 + pkg_len_len + name_len];
            ushort resource_order = (ushort)(data[3 + pkg_len_len + name_len] + (data[4 + pkg_len_len + name_len] << 8));

            AmlExecutionContext local_ctx = AmlExecutionContext.New(local_scope_string.value.Clone());
            ParseResult list = TermList.ParseObjectList(data.Range(5 + pkg_len_len + name_len, 2 + pkg_len), ref local_ctx);
            if (!list.ok)
            {
                local_ctx.Drop();
                local_scope_string.value.Dispose();
                return list;
            }
            list.Drop();

            PowerResource p;
            p.system_level = system_level;
            p.resource_order = resource_order;
            p.obj_list = Namespace.CloneStrings(local_ctx.namespace_delta);
            var added = ctx.AddToNamespace(local_scope_string.value, AmlValue.FromPowerResource(p));
            local_ctx.Drop();
            if (!added.ok) return ParseResult.Err(added.err);

            return ParseResult.Ok(AmlValue.None(), 2 + pkg_len);
        }

        /// <summary>`DefProcessor` (0x5B 0x83): name, id, P_BLK address and length, object list in its own context.</summary>
        private static ParseResult ParseDefProcessor(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 8) return ParseResult.Err(AmlError.ParseError("DefProcessor - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x83)) return ParseResult.InvalidOpCode();

            var pkg = PkgLength.ParsePkgLength(data.From(2));
            if (!pkg.ok) return ParseResult.Err(pkg.err);
            ulong pkg_len = pkg.value.length;
            ulong pkg_len_len = pkg.value.length_len;
            ParseResult name = NameString.ParseNameString(data.From(2 + pkg_len_len), ref ctx);
            if (!name.ok) return name;
            ulong name_len = name.val.len;

            var local_scope_string = Namespace.GetNamespaceString(ctx.scope.Clone(), name.val.val);
            if (!local_scope_string.ok) return ParseResult.Err(local_scope_string.err);

            byte proc_id = data[2 + pkg_len_len + name_len];
            uint p_blk_addr = (uint)data[3 + pkg_len_len + name_len]
                + ((uint)data[4 + pkg_len_len + name_len] << 8)
                + ((uint)data[5 + pkg_len_len + name_len] << 16)
                + ((uint)data[6 + pkg_len_len + name_len] << 24);
            byte p_blk_len = data[7 + pkg_len_len + name_len];

            AmlExecutionContext local_ctx = AmlExecutionContext.New(local_scope_string.value.Clone());
            ParseResult list = TermList.ParseObjectList(data.Range(8 + pkg_len_len + name_len, 2 + pkg_len), ref local_ctx);
            if (!list.ok)
            {
                local_ctx.Drop();
                local_scope_string.value.Dispose();
                return list;
            }
            list.Drop();

            Processor p;
            p.proc_id = proc_id;
            p.p_blk = p_blk_len > 0 ? p_blk_addr : (uint?)null;
            p.obj_list = Namespace.CloneStrings(local_ctx.namespace_delta);
            p.notify_methods = NotifyMethods.New();
            var added = ctx.AddToNamespace(local_scope_string.value, AmlValue.FromProcessor(p));
            local_ctx.Drop();
            if (!added.ok) return ParseResult.Err(added.err);

            return ParseResult.Ok(AmlValue.None(), 2 + pkg_len);
        }

        /// <summary>`DefThermalZone` (0x5B 0x85): like a Device.</summary>
        private static ParseResult ParseDefThermalZone(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 2) return ParseResult.Err(AmlError.ParseError("DefThermalZone - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x85)) return ParseResult.InvalidOpCode();

            var pkg = PkgLength.ParsePkgLength(data.From(2));
            if (!pkg.ok) return ParseResult.Err(pkg.err);
            ulong pkg_len = pkg.value.length;
            ulong pkg_len_len = pkg.value.length_len;
            ParseResult name = NameString.ParseNameString(data.Range(2 + pkg_len_len, 2 + pkg_len), ref ctx);
            if (!name.ok) return name;
            ulong name_len = name.val.len;

            var local_scope_string = Namespace.GetNamespaceString(ctx.scope.Clone(), name.val.val);
            if (!local_scope_string.ok) return ParseResult.Err(local_scope_string.err);

            AmlExecutionContext local_ctx = AmlExecutionContext.New(local_scope_string.value.Clone());
            ParseResult list = TermList.ParseObjectList(data.Range(2 + pkg_len_len + name_len, 2 + pkg_len), ref local_ctx);
            if (!list.ok)
            {
                local_ctx.Drop();
                local_scope_string.value.Dispose();
                return list;
            }
            list.Drop();

            Device zone;
            zone.obj_list = Namespace.CloneStrings(local_ctx.namespace_delta);
            zone.notify_methods = NotifyMethods.New();
            var added = ctx.AddToNamespace(local_scope_string.value, AmlValue.FromThermalZone(zone));
            local_ctx.Drop();
            if (!added.ok) return ParseResult.Err(added.err);

            return ParseResult.Ok(AmlValue.None(), 2 + pkg_len);
        }

        /// <summary>
        /// `DefExternal`. QUIRK (kept): the original expects 0x5B 0x15 (External is the one-byte
        /// 0x15) and reads the name from offset 1; an External of type 8 becomes an empty Method
        /// with its argument count, anything else an Uninitialized object.
        /// </summary>
        private static ParseResult ParseDefExternal(Slice data, ref AmlExecutionContext ctx)
        {
            if (data.Len() < 2) return ParseResult.Err(AmlError.ParseError("DefExternal - data truncated"));
            if (!ctx.Executing) return ParseResult.Ok(AmlValue.None(), 0);
            if (!IsExtended(data, 0x15)) return ParseResult.InvalidOpCode();

            ParseResult object_name = NameString.ParseNameString(data.From(1), ref ctx);
            if (!object_name.ok) return object_name;
            byte object_type = data[1 + object_name.val.len];
            byte argument_count = data[2 + object_name.val.len];
            ulong len = 3 + object_name.val.len;

            var local_scope_string = Namespace.GetNamespaceString(ctx.scope.Clone(), object_name.val.val);
            if (!local_scope_string.ok) return ParseResult.Err(local_scope_string.err);

            AmlValue obj;
            if (object_type == 8)
            {
                Method m;
                m.arg_count = argument_count;
                m.serialized = false;
                m.sync_level = 0;
                m.term_list = Vec<byte>.New();
                obj = AmlValue.FromMethod(m);
            }
            else
            {
                obj = AmlValue.Uninitialized();
            }

            var added = ctx.AddToNamespace(local_scope_string.value, obj);
            if (!added.ok) return ParseResult.Err(added.err);

            return ParseResult.Ok(AmlValue.None(), len);
        }
    }

    /// <summary>`AmlParseTypeGeneric&lt;NamedField&gt;`.</summary>
    public struct NamedFieldParse
    {
        public NamedField value;
        public ulong len;
    }

    /// <summary>`AmlParseTypeGeneric&lt;AccessField&gt;`.</summary>
    public struct AccessFieldParse
    {
        public AccessField value;
        public ulong len;
    }
}
