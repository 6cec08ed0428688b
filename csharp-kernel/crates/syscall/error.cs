// The redox_syscall crate (0.1.37, commit 7c805d2a): error numbers and their texts (STR_ERROR), the ABI's facts.
namespace syscall.error
{
    /// <summary>`syscall::error::Error`: an errno; `{:?}` and `{}` print its text.</summary>
    public struct Error
    {
        public int errno;

        public static Error New(int errno) { Error e; e.errno = errno; return e; }

        /// <summary>`Error::mux`: Ok(v) → v, Err(e) → -errno.</summary>
        public static ulong Mux(Result r) => r.is_ok ? r.ok : (ulong)(long)(-r.err.errno);

        /// <summary>`Error::demux`: -errno in 1..STR_ERROR.len() is an error, anything else a value.</summary>
        public static Result Demux(ulong value)
        {
            int errno = -(int)value;
            if (errno >= 1 && errno < STR_ERROR_LEN)
            {
                return Result.Err(errno);
            }
            return Result.Ok(value);
        }

        /// <summary>`Error::text`: the errno's text, "Unknown Error" past the table.</summary>
        public readonly string Text() => Text(errno);

        public static string Text(int errno)
        {
            switch (errno)
            {
                case 0: return "Success";
                case 1: return "Operation not permitted";
                case 2: return "No such file or directory";
                case 3: return "No such process";
                case 4: return "Interrupted system call";
                case 5: return "I/O error";
                case 6: return "No such device or address";
                case 7: return "Argument list too long";
                case 8: return "Exec format error";
                case 9: return "Bad file number";
                case 10: return "No child processes";
                case 11: return "Try again";
                case 12: return "Out of memory";
                case 13: return "Permission denied";
                case 14: return "Bad address";
                case 15: return "Block device required";
                case 16: return "Device or resource busy";
                case 17: return "File exists";
                case 18: return "Cross-device link";
                case 19: return "No such device";
                case 20: return "Not a directory";
                case 21: return "Is a directory";
                case 22: return "Invalid argument";
                case 23: return "File table overflow";
                case 24: return "Too many open files";
                case 25: return "Not a typewriter";
                case 26: return "Text file busy";
                case 27: return "File too large";
                case 28: return "No space left on device";
                case 29: return "Illegal seek";
                case 30: return "Read-only file system";
                case 31: return "Too many links";
                case 32: return "Broken pipe";
                case 33: return "Math argument out of domain of func";
                case 34: return "Math result not representable";
                case 35: return "Resource deadlock would occur";
                case 36: return "File name too long";
                case 37: return "No record locks available";
                case 38: return "Function not implemented";
                case 39: return "Directory not empty";
                case 40: return "Too many symbolic links encountered";
                case 41: return "Operation would block";
                case 42: return "No message of desired type";
                case 43: return "Identifier removed";
                case 44: return "Channel number out of range";
                case 45: return "Level 2 not synchronized";
                case 46: return "Level 3 halted";
                case 47: return "Level 3 reset";
                case 48: return "Link number out of range";
                case 49: return "Protocol driver not attached";
                case 50: return "No CSI structure available";
                case 51: return "Level 2 halted";
                case 52: return "Invalid exchange";
                case 53: return "Invalid request descriptor";
                case 54: return "Exchange full";
                case 55: return "No anode";
                case 56: return "Invalid request code";
                case 57: return "Invalid slot";
                case 58: return "Resource deadlock would occur";
                case 59: return "Bad font file format";
                case 60: return "Device not a stream";
                case 61: return "No data available";
                case 62: return "Timer expired";
                case 63: return "Out of streams resources";
                case 64: return "Machine is not on the network";
                case 65: return "Package not installed";
                case 66: return "Object is remote";
                case 67: return "Link has been severed";
                case 68: return "Advertise error";
                case 69: return "Srmount error";
                case 70: return "Communication error on send";
                case 71: return "Protocol error";
                case 72: return "Multihop attempted";
                case 73: return "RFS specific error";
                case 74: return "Not a data message";
                case 75: return "Value too large for defined data type";
                case 76: return "Name not unique on network";
                case 77: return "File descriptor in bad state";
                case 78: return "Remote address changed";
                case 79: return "Can not access a needed shared library";
                case 80: return "Accessing a corrupted shared library";
                case 81: return ".lib section in a.out corrupted";
                case 82: return "Attempting to link in too many shared libraries";
                case 83: return "Cannot exec a shared library directly";
                case 84: return "Illegal byte sequence";
                case 85: return "Interrupted system call should be restarted";
                case 86: return "Streams pipe error";
                case 87: return "Too many users";
                case 88: return "Socket operation on non-socket";
                case 89: return "Destination address required";
                case 90: return "Message too long";
                case 91: return "Protocol wrong type for socket";
                case 92: return "Protocol not available";
                case 93: return "Protocol not supported";
                case 94: return "Socket type not supported";
                case 95: return "Operation not supported on transport endpoint";
                case 96: return "Protocol family not supported";
                case 97: return "Address family not supported by protocol";
                case 98: return "Address already in use";
                case 99: return "Cannot assign requested address";
                case 100: return "Network is down";
                case 101: return "Network is unreachable";
                case 102: return "Network dropped connection because of reset";
                case 103: return "Software caused connection abort";
                case 104: return "Connection reset by peer";
                case 105: return "No buffer space available";
                case 106: return "Transport endpoint is already connected";
                case 107: return "Transport endpoint is not connected";
                case 108: return "Cannot send after transport endpoint shutdown";
                case 109: return "Too many references: cannot splice";
                case 110: return "Connection timed out";
                case 111: return "Connection refused";
                case 112: return "Host is down";
                case 113: return "No route to host";
                case 114: return "Operation already in progress";
                case 115: return "Operation now in progress";
                case 116: return "Stale NFS file handle";
                case 117: return "Structure needs cleaning";
                case 118: return "Not a XENIX named type file";
                case 119: return "No XENIX semaphores available";
                case 120: return "Is a named type file";
                case 121: return "Remote I/O error";
                case 122: return "Quota exceeded";
                case 123: return "No medium found";
                case 124: return "Wrong medium type";
                case 125: return "Operation Canceled";
                case 126: return "Required key not available";
                case 127: return "Key has expired";
                case 128: return "Key has been revoked";
                case 129: return "Key was rejected by service";
                case 130: return "Owner died";
                case 131: return "State not recoverable";
                default: return "Unknown Error";
            }
        }

        public const int STR_ERROR_LEN = 132;

        public const int EPERM = 1;
        public const int ENOENT = 2;
        public const int ESRCH = 3;
        public const int EINTR = 4;
        public const int EIO = 5;
        public const int ENXIO = 6;
        public const int E2BIG = 7;
        public const int ENOEXEC = 8;
        public const int EBADF = 9;
        public const int ECHILD = 10;
        public const int EAGAIN = 11;
        public const int ENOMEM = 12;
        public const int EACCES = 13;
        public const int EFAULT = 14;
        public const int ENOTBLK = 15;
        public const int EBUSY = 16;
        public const int EEXIST = 17;
        public const int EXDEV = 18;
        public const int ENODEV = 19;
        public const int ENOTDIR = 20;
        public const int EISDIR = 21;
        public const int EINVAL = 22;
        public const int ENFILE = 23;
        public const int EMFILE = 24;
        public const int ENOTTY = 25;
        public const int ETXTBSY = 26;
        public const int EFBIG = 27;
        public const int ENOSPC = 28;
        public const int ESPIPE = 29;
        public const int EROFS = 30;
        public const int EMLINK = 31;
        public const int EPIPE = 32;
        public const int EDOM = 33;
        public const int ERANGE = 34;
        public const int EDEADLK = 35;
        public const int ENAMETOOLONG = 36;
        public const int ENOLCK = 37;
        public const int ENOSYS = 38;
        public const int ENOTEMPTY = 39;
        public const int ELOOP = 40;
        public const int EWOULDBLOCK = 41;
        public const int ENOMSG = 42;
        public const int EIDRM = 43;
        public const int ECHRNG = 44;
        public const int EL2NSYNC = 45;
        public const int EL3HLT = 46;
        public const int EL3RST = 47;
        public const int ELNRNG = 48;
        public const int EUNATCH = 49;
        public const int ENOCSI = 50;
        public const int EL2HLT = 51;
        public const int EBADE = 52;
        public const int EBADR = 53;
        public const int EXFULL = 54;
        public const int ENOANO = 55;
        public const int EBADRQC = 56;
        public const int EBADSLT = 57;
        public const int EDEADLOCK = 58;
        public const int EBFONT = 59;
        public const int ENOSTR = 60;
        public const int ENODATA = 61;
        public const int ETIME = 62;
        public const int ENOSR = 63;
        public const int ENONET = 64;
        public const int ENOPKG = 65;
        public const int EREMOTE = 66;
        public const int ENOLINK = 67;
        public const int EADV = 68;
        public const int ESRMNT = 69;
        public const int ECOMM = 70;
        public const int EPROTO = 71;
        public const int EMULTIHOP = 72;
        public const int EDOTDOT = 73;
        public const int EBADMSG = 74;
        public const int EOVERFLOW = 75;
        public const int ENOTUNIQ = 76;
        public const int EBADFD = 77;
        public const int EREMCHG = 78;
        public const int ELIBACC = 79;
        public const int ELIBBAD = 80;
        public const int ELIBSCN = 81;
        public const int ELIBMAX = 82;
        public const int ELIBEXEC = 83;
        public const int EILSEQ = 84;
        public const int ERESTART = 85;
        public const int ESTRPIPE = 86;
        public const int EUSERS = 87;
        public const int ENOTSOCK = 88;
        public const int EDESTADDRREQ = 89;
        public const int EMSGSIZE = 90;
        public const int EPROTOTYPE = 91;
        public const int ENOPROTOOPT = 92;
        public const int EPROTONOSUPPORT = 93;
        public const int ESOCKTNOSUPPORT = 94;
        public const int EOPNOTSUPP = 95;
        public const int EPFNOSUPPORT = 96;
        public const int EAFNOSUPPORT = 97;
        public const int EADDRINUSE = 98;
        public const int EADDRNOTAVAIL = 99;
        public const int ENETDOWN = 100;
        public const int ENETUNREACH = 101;
        public const int ENETRESET = 102;
        public const int ECONNABORTED = 103;
        public const int ECONNRESET = 104;
        public const int ENOBUFS = 105;
        public const int EISCONN = 106;
        public const int ENOTCONN = 107;
        public const int ESHUTDOWN = 108;
        public const int ETOOMANYREFS = 109;
        public const int ETIMEDOUT = 110;
        public const int ECONNREFUSED = 111;
        public const int EHOSTDOWN = 112;
        public const int EHOSTUNREACH = 113;
        public const int EALREADY = 114;
        public const int EINPROGRESS = 115;
        public const int ESTALE = 116;
        public const int EUCLEAN = 117;
        public const int ENOTNAM = 118;
        public const int ENAVAIL = 119;
        public const int EISNAM = 120;
        public const int EREMOTEIO = 121;
        public const int EDQUOT = 122;
        public const int ENOMEDIUM = 123;
        public const int EMEDIUMTYPE = 124;
        public const int ECANCELED = 125;
        public const int ENOKEY = 126;
        public const int EKEYEXPIRED = 127;
        public const int EKEYREVOKED = 128;
        public const int EKEYREJECTED = 129;
        public const int EOWNERDEAD = 130;
        public const int ENOTRECOVERABLE = 131;
    }

    /// <summary>`syscall::error::Result&lt;usize&gt;`.</summary>
    public struct Result
    {
        public bool is_ok;
        public ulong ok;
        public Error err;

        public static Result Ok(ulong v) { Result r; r.is_ok = true; r.ok = v; r.err = default; return r; }
        public static Result Err(int errno) { Result r; r.is_ok = false; r.ok = 0; r.err = Error.New(errno); return r; }
        public readonly bool IsErr => !is_ok;
    }
}
