using alloc.vec;
using Kernel.common;
using Kernel.context;
using spin;
using syscall.error;

namespace Kernel.scheme.sys
{
    /// <summary>scheme/sys/scheme.rs: the names of the current context's namespace, one a line, in name order.</summary>
    public static unsafe class SchemeResource
    {
        /// <summary>The current context's effective namespace.</summary>
        internal static bool CurrentNs(out SchemeNamespace ns)
        {
            ns = default;
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    return false;
                }
                using (var context = context_lock->Value.Read())
                {
                    ns = context.Value.ens;
                    return true;
                }
            }
        }

        public static Result Resource(ref Vec<byte> data)
        {
            if (!CurrentNs(out SchemeNamespace ns))
            {
                return Result.Err(Error.ESRCH);
            }
            using (var schemes = SchemeList.Schemes())
            {
                var names = schemes.Value.names.Get(ns);
                if (names != null)
                {
                    for (ulong i = 0; i < names->Len(); i++)
                    {
                        var e = names->At(i);
                        for (ulong k = 0; k < e->key.len; k++) data.Push(e->key.ptr[k]);
                        data.Push((byte)'\n');
                    }
                }
            }
            return Result.Ok(0);
        }
    }
}
