namespace Harness.Gdb;

/// <summary>Base of every error raised by the gdb remote protocol client.</summary>
public class GdbException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public GdbException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public GdbException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>
/// The connection to the stub ended (socket closed or reset, QEMU died or exited)
/// while a command was in flight, or a command was issued after that.
/// </summary>
public class GdbConnectionLostException : GdbException
{
    /// <summary>Creates the exception for the command that was in flight.</summary>
    public GdbConnectionLostException(string inFlight, string message, Exception? inner = null)
        : base(message, inner)
    {
        InFlight = inFlight;
    }

    /// <summary>The command that was in flight (e.g. <c>m ffff0,10</c>, <c>continue</c>).</summary>
    public string InFlight { get; }
}

/// <summary>A command got no (complete) answer within its timeout.</summary>
public class GdbTimeoutException : GdbException
{
    /// <summary>Creates the exception for the command that timed out.</summary>
    public GdbTimeoutException(string inFlight, TimeSpan timeout, string message)
        : base(message)
    {
        InFlight = inFlight;
        Timeout = timeout;
    }

    /// <summary>The command that got no answer.</summary>
    public string InFlight { get; }

    /// <summary>How long the client waited.</summary>
    public TimeSpan Timeout { get; }
}

/// <summary>The stub sent something the protocol does not allow (bad checksum in no-ack mode, bad hex, an unexpected reply).</summary>
public class GdbProtocolException : GdbException
{
    /// <summary>Creates the exception with a message.</summary>
    public GdbProtocolException(string message) : base(message) { }
}

/// <summary>The stub answered a command with an error reply <c>Exx</c>.</summary>
public class GdbErrorReplyException : GdbException
{
    /// <summary>Creates the exception for a command and the stub's error number.</summary>
    public GdbErrorReplyException(string command, int errorCode)
        : base($"the gdb stub answered '{command}' with error E{errorCode:x2}")
    {
        Command = command;
        ErrorCode = errorCode;
    }

    /// <summary>The command that failed.</summary>
    public string Command { get; }

    /// <summary>The stub's error number (the <c>xx</c> of <c>Exx</c>).</summary>
    public int ErrorCode { get; }
}

/// <summary>The stub does not support a command (it answered with an empty packet).</summary>
public class GdbUnsupportedException : GdbException
{
    /// <summary>Creates the exception for the unsupported command.</summary>
    public GdbUnsupportedException(string command)
        : base($"the gdb stub does not support '{command}' (empty reply)")
    {
        Command = command;
    }

    /// <summary>The command the stub did not recognise.</summary>
    public string Command { get; }
}
