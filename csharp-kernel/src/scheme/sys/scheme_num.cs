using alloc.vec;
using Kernel.common;
using syscall.error;

namespace Kernel.scheme.sys
{
    /// <summary>scheme/sys/scheme_num.rs: "{id:>4}: name" for each scheme of the current context's namespace, in name order.</summary>
    public static unsafe class SchemeNum
    {
        public static Result Resource(ref Vec<byte> data)
        {
            if (!SchemeResource.CurrentNs(out SchemeNamespace ns))
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
                        Res.DecRight(ref data, e->value.Into(), 4);
                        Res.Str(ref data, ": ");
                        for (ulong k = 0; k < e->key.len; k++) data.Push(e->key.ptr[k]);
                        data.Push((byte)'\n');
                    }
                }
            }
            return Result.Ok(0);
        }
    }
}
