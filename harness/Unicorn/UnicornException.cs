using Harness.Unicorn.Native;

namespace Harness.Unicorn;

/// <summary>A Unicorn call that failed, with the function and Unicorn's own words.</summary>
public sealed class UnicornException(string message) : Exception(message)
{
    internal static void Check(int code, string what)
    {
        if (code != Uc.ErrOk)
            throw new UnicornException($"unicorn: {what} failed: {Uc.Describe(code)} (uc_err {code})");
    }
}
