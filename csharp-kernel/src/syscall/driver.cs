using System.Runtime.CompilerServices;
using Kernel.arch.x86_64.interrupt;
using Kernel.arch.x86_64.paging;
using Kernel.arch.x86_64.paging.entry;
using Kernel.consts;
using Kernel.context.memory;
using Kernel.context;
using Kernel.memory;
using spin;
using syscall.error;
using syscall.flag;

namespace Kernel.syscall
{
    /// <summary>
    /// syscall/driver.rs: the calls drivers use — physical frames, their mapping into the caller,
    /// address translation, the I/O privilege level — each for euid 0 only (EPERM otherwise, ESRCH
    /// without a context).
    /// </summary>
    public static unsafe class Driver
    {
        /// <summary>Host tests only (null in the kernel): a stand-in for `active_table.translate(address)` (false = None).</summary>
        public static delegate*<ulong, ulong*, bool> HostTranslateHook;

        /// <summary>`enforce_root()`: 0 for euid 0, EPERM otherwise.</summary>
        public static Result EnforceRoot()
        {
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    return Result.Err(Error.ESRCH);
                }
                using (var context = context_lock->Value.Read())
                {
                    if (context.Value.euid == 0)
                    {
                        return Result.Ok(0);
                    }
                    return Result.Err(Error.EPERM);
                }
            }
        }

        /// <summary>
        /// `iopl(level, stack)`: root only; a level above 3 is EINVAL; else the I/O privilege level
        /// bits (12-13) of the RFLAGS the system call returns with become the level.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Iopl(ulong level, SyscallStack* stack)
        {
            Result root = EnforceRoot();
            if (!root.is_ok)
            {
                return root;
            }

            if (level > 3)
            {
                return Result.Err(Error.EINVAL);
            }

            stack->rflags = (stack->rflags & ~(3UL << 12)) | ((level & 3) << 12);

            return Result.Ok(0);
        }

        /// <summary>`physalloc(size)`: ceil(size / 4096) contiguous frames; the first one's address (ENOMEM if none).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Physalloc(ulong size)
        {
            Result root = EnforceRoot();
            if (!root.is_ok)
            {
                return root;
            }

            Frame? frame = Kernel.memory.Memory.AllocateFrames((size + 4095) / 4096);
            if (!frame.HasValue)
            {
                return Result.Err(Error.ENOMEM);
            }
            return Result.Ok(frame.GetValueOrDefault().StartAddress().Get());
        }

        /// <summary>
        /// `physfree(physical_address, size)`: the ceil(size / 4096) frames from the one holding the
        /// address are handed back. Quirk kept (DRV1): nothing checks that they were allocated (or
        /// allocated by the caller), so a double or foreign free goes through; always 0.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Physfree(ulong physical_address, ulong size)
        {
            Result root = EnforceRoot();
            if (!root.is_ok)
            {
                return root;
            }

            Kernel.memory.Memory.DeallocateFrames(Frame.ContainingAddress(new PhysicalAddress(physical_address)), (size + 4095) / 4096);
            return Result.Ok(0);
        }

        /// <summary>
        /// `physmap(physical_address, size, flags)`: 0 for size 0; otherwise the frames holding the
        /// range are mapped into the caller at the first gap of its grants from USER_GRANT_OFFSET
        /// (present, no-execute, user; MAP_WRITE writable; MAP_WRITE_COMBINE sets HUGE_PAGE, the PAT
        /// bit of a 4 KiB entry), and the address of the range there is returned. Nothing checks that
        /// the memory is the caller's to map (the original's TODO).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Physmap(ulong physical_address, ulong size, ulong flags)
        {
            Result root = EnforceRoot();
            if (!root.is_ok)
            {
                return root;
            }

            if (size == 0)
            {
                return Result.Ok(0);
            }

            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    return Result.Err(Error.ESRCH);
                }
                using (var context = context_lock->Value.Read())
                {
                    using (var grants = context.Value.grants.Value.Lock())
                    {
                        ulong from_address = (physical_address / 4096) * 4096;
                        ulong offset = physical_address - from_address;
                        ulong full_size = ((offset + size + 4095) / 4096) * 4096;
                        ulong to_address = Consts.USER_GRANT_OFFSET;

                        EntryFlags entry_flags = EntryFlags.PRESENT | EntryFlags.NO_EXECUTE | EntryFlags.USER_ACCESSIBLE;
                        if ((flags & Flag.MAP_WRITE) == Flag.MAP_WRITE)
                        {
                            entry_flags |= EntryFlags.WRITABLE;
                        }
                        if ((flags & Flag.MAP_WRITE_COMBINE) == Flag.MAP_WRITE_COMBINE)
                        {
                            entry_flags |= EntryFlags.HUGE_PAGE;
                        }

                        for (ulong i = 0; i < grants.Value.Len(); i++)
                        {
                            ulong start = grants.Value[i].StartAddress().Get();
                            if (to_address + full_size < start)
                            {
                                grants.Value.Insert(i, Grant.Physmap(
                                    new PhysicalAddress(from_address),
                                    new VirtualAddress(to_address),
                                    full_size,
                                    entry_flags));

                                return Result.Ok(to_address + offset);
                            }
                            else
                            {
                                ulong pages = (grants.Value[i].Size() + 4095) / 4096;
                                ulong end = start + pages * 4096;
                                to_address = end;
                            }
                        }

                        grants.Value.Push(Grant.Physmap(
                            new PhysicalAddress(from_address),
                            new VirtualAddress(to_address),
                            full_size,
                            entry_flags));

                        return Result.Ok(to_address + offset);
                    }
                }
            }
        }

        /// <summary>`physunmap(virtual_address)`: 0 for address 0; the caller's grant holding the address unmapped (EFAULT if none).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Physunmap(ulong virtual_address)
        {
            Result root = EnforceRoot();
            if (!root.is_ok)
            {
                return root;
            }

            return UnmapGrant(virtual_address);
        }

        /// <summary>The body physunmap and fs.rs's funmap share: the current context's grant holding the address removed and unmapped.</summary>
        internal static Result UnmapGrant(ulong virtual_address)
        {
            if (virtual_address == 0)
            {
                return Result.Ok(0);
            }

            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    return Result.Err(Error.ESRCH);
                }
                using (var context = context_lock->Value.Read())
                {
                    using (var grants = context.Value.grants.Value.Lock())
                    {
                        for (ulong i = 0; i < grants.Value.Len(); i++)
                        {
                            ulong start = grants.Value[i].StartAddress().Get();
                            ulong end = start + grants.Value[i].Size();
                            if (virtual_address >= start && virtual_address < end)
                            {
                                Grant grant = grants.Value.Remove(i);
                                grant.Unmap();

                                return Result.Ok(0);
                            }
                        }

                        return Result.Err(Error.EFAULT);
                    }
                }
            }
        }

        /// <summary>`virttophys(virtual_address)`: the physical address the active table maps it to (EFAULT if unmapped).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Virttophys(ulong virtual_address)
        {
            Result root = EnforceRoot();
            if (!root.is_ok)
            {
                return root;
            }

            if (HostTranslateHook != null)
            {
                ulong phys;
                return HostTranslateHook(virtual_address, &phys) ? Result.Ok(phys) : Result.Err(Error.EFAULT);
            }
            ActivePageTable active_table = ActivePageTable.New();
            PhysicalAddress? physical_address = active_table.mapper.Translate(new VirtualAddress(virtual_address));
            if (physical_address.HasValue)
            {
                return Result.Ok(physical_address.GetValueOrDefault().Get());
            }
            return Result.Err(Error.EFAULT);
        }
    }
}
