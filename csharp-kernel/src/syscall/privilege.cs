using Kernel.common;
using Kernel.context;
using spin;
using syscall.error;
using Ctx = Kernel.context.context.Context;

namespace Kernel.syscall
{
    /// <summary>
    /// syscall/privilege.rs: user, group and namespace ids. Quirk kept (PRIV1): the root check comes
    /// before the "-1 leaves it unchanged" check, so for root -1 is a value like any other.
    /// </summary>
    public static unsafe class Privilege
    {

        /// <summary>
        /// `mkns(name_ptrs)`: each [address, length] validated as a user slice (EFAULT first, collected
        /// in a Vec grown by push); then, for euid 0 only (EACCES otherwise), a new namespace made from
        /// the caller's effective one with those names (SchemeList::make_ns): its number.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        public static Result Mkns(Kernel.scheme.Slice* name_ptrs, ulong count)
        {
            alloc.vec.Vec<Kernel.scheme.Slice> names = alloc.vec.Vec<Kernel.scheme.Slice>.New();
            for (ulong i = 0; i < count; i++)
            {
                var v = Kernel.syscall.validate.Validate.ValidateSlice(name_ptrs[i].ptr, name_ptrs[i].len);
                if (!v.ok)
                {
                    names.Dispose();
                    return Result.Err(v.err);
                }
                Kernel.scheme.Slice name;
                name.ptr = v.ptr;
                name.len = v.len;
                names.Push(name);
            }

            uint uid;
            SchemeNamespace from;
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    names.Dispose();
                    return Result.Err(Error.ESRCH);
                }
                using (var context = context_lock->Value.Read())
                {
                    uid = context.Value.euid;
                    from = context.Value.ens;
                }
            }

            Result result;
            if (uid == 0)
            {
                Kernel.scheme.SchemeNamespaceResult to;
                using (var schemes = Kernel.scheme.SchemeList.SchemesMut())
                {
                    to = schemes.Value.MakeNs(from, names.AsPtr(), names.Len());
                }
                result = to.is_ok ? Result.Ok(to.ok.Into()) : Result.Err(to.errno);
            }
            else
            {
                result = Result.Err(Error.EACCES);
            }
            names.Dispose();
            return result;
        }

        private static Result Read(int which)
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
                    switch (which)
                    {
                        case 0: return Result.Ok(context.Value.egid);
                        case 1: return Result.Ok(context.Value.ens.Into());
                        case 2: return Result.Ok(context.Value.euid);
                        case 3: return Result.Ok(context.Value.rgid);
                        case 4: return Result.Ok(context.Value.rns.Into());
                        default: return Result.Ok(context.Value.ruid);
                    }
                }
            }
        }

        public static Result Getegid() => Read(0);
        public static Result Getens() => Read(1);
        public static Result Geteuid() => Read(2);
        public static Result Getgid() => Read(3);
        public static Result Getns() => Read(4);
        public static Result Getuid() => Read(5);

        /// <summary>
        /// The rule setreuid/setregid share for each id: root may set anything; others may set the
        /// effective or the real id's value; -1 leaves it unchanged; anything else is EPERM.
        /// </summary>
        private static int Decide(uint value, uint euid, uint effective, uint real, out bool set)
        {
            if (euid == 0) { set = true; return 0; }
            if (value == effective) { set = true; return 0; }
            if (value == real) { set = true; return 0; }
            if ((int)value == -1) { set = false; return 0; }
            set = false;
            return Error.EPERM;
        }

        /// <summary>`setreuid(ruid, euid)`.</summary>
        public static Result Setreuid(uint ruid, uint euid)
        {
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    return Result.Err(Error.ESRCH);
                }
                using (var context = context_lock->Value.Write())
                {
                    ref Ctx c = ref context.Value;
                    int e = Decide(ruid, c.euid, c.euid, c.ruid, out bool setruid);
                    if (e != 0) return Result.Err(e);
                    e = Decide(euid, c.euid, c.euid, c.ruid, out bool seteuid);
                    if (e != 0) return Result.Err(e);
                    if (setruid) c.ruid = ruid;
                    if (seteuid) c.euid = euid;
                    return Result.Ok(0);
                }
            }
        }

        /// <summary>`setregid(rgid, egid)`: as setreuid, the root check on the effective uid.</summary>
        public static Result Setregid(uint rgid, uint egid)
        {
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    return Result.Err(Error.ESRCH);
                }
                using (var context = context_lock->Value.Write())
                {
                    ref Ctx c = ref context.Value;
                    int e = Decide(rgid, c.euid, c.egid, c.rgid, out bool setrgid);
                    if (e != 0) return Result.Err(e);
                    e = Decide(egid, c.euid, c.egid, c.rgid, out bool setegid);
                    if (e != 0) return Result.Err(e);
                    if (setrgid) c.rgid = rgid;
                    if (setegid) c.egid = egid;
                    return Result.Ok(0);
                }
            }
        }

        /// <summary>
        /// One namespace of setrens: 0 (capability mode) may always be entered; a context in it may not
        /// leave; root may set any; others the effective or real namespace; -1 leaves it; else EPERM.
        /// </summary>
        private static int DecideNs(ulong value, ulong current, uint euid, ulong ens, ulong rns, out bool set)
        {
            set = false;
            if (value == 0) { set = true; return 0; }
            if (current == 0) { return Error.EPERM; }
            if (euid == 0) { set = true; return 0; }
            if (value == ens) { set = true; return 0; }
            if (value == rns) { set = true; return 0; }
            if ((long)value == -1) { return 0; }
            return Error.EPERM;
        }

        /// <summary>`setrens(rns, ens)`.</summary>
        public static Result Setrens(SchemeNamespace rns, SchemeNamespace ens)
        {
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    return Result.Err(Error.ESRCH);
                }
                using (var context = context_lock->Value.Write())
                {
                    ref Ctx c = ref context.Value;
                    int e = DecideNs(rns.Into(), c.rns.Into(), c.euid, c.ens.Into(), c.rns.Into(), out bool setrns);
                    if (e != 0) return Result.Err(e);
                    e = DecideNs(ens.Into(), c.ens.Into(), c.euid, c.ens.Into(), c.rns.Into(), out bool setens);
                    if (e != 0) return Result.Err(e);
                    if (setrns) c.rns = rns;
                    if (setens) c.ens = ens;
                    return Result.Ok(0);
                }
            }
        }
    }
}
