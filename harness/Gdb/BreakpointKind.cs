namespace Harness.Gdb;

/// <summary>The two breakpoint kinds a QEMU stub offers.</summary>
public enum BreakpointKind
{
    /// <summary><c>Z0</c>: a software breakpoint (QEMU keeps it in its translator; memory is not patched).</summary>
    Software = 0,

    /// <summary><c>Z1</c>: a hardware breakpoint on an address.</summary>
    Hardware = 1,
}

/// <summary>Whether the target is stopped, running, or gone.</summary>
public enum GdbTargetState
{
    /// <summary>Stopped: commands can be sent.</summary>
    Stopped,

    /// <summary>Running after continue or step; only an interrupt or a stop reply changes that.</summary>
    Running,

    /// <summary>The target exited or was killed (<c>W</c>/<c>X</c> reply).</summary>
    Exited,

    /// <summary>The connection is closed or unusable.</summary>
    Disconnected,
}
