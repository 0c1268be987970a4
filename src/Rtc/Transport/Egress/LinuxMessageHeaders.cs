using System.Runtime.InteropServices;

namespace MobZ.Rtc.Transport.Egress;

// The LP64 Linux layouts of <sys/socket.h> and <sys/uio.h> (x86-64 and arm64 alike; glibc's and musl's differ only
// in how they name the padding). Sequential layout with natural alignment gives C's offsets; LinuxSyscallTests checks
// the sizes (16, 56, 64) and offsets against the ABI.

/// <summary><c>struct iovec</c>: 16 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoVec
{
    public nint Base;
    public nuint Length;
}

/// <summary><c>struct msghdr</c>: 56 bytes (name at 0, namelen at 8, iov at 16, iovlen at 24, control at 32,
/// controllen at 40, flags at 48).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MessageHeader
{
    public nint Name;
    public uint NameLength;
    public nint Vectors;
    public nuint VectorCount;
    public nint Control;
    public nuint ControlLength;
    public int Flags;
}

/// <summary><c>struct mmsghdr</c>: 64 bytes (the header, then the byte count the kernel fills in at 56).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MultiMessageHeader
{
    public MessageHeader Header;
    public uint Length;
}

internal static partial class LinuxSocketCalls
{
    public const int MsgDontWait = 0x40;
    public const int MsgWaitForOne = 0x10000;
    public const int MsgTrunc = 0x20;

    public const int EIntr = 4;
    public const int EBadF = 9;
    public const int EAgain = 11;
    public const int ENoSys = 38;
    public const int ENotSock = 88;
    public const int ENoBufs = 105;

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static unsafe partial int SendMultiple(nint fd, MultiMessageHeader* messages, uint count, int flags);

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static unsafe partial int ReceiveMultiple(
        nint fd,
        MultiMessageHeader* messages,
        uint count,
        int flags,
        nint timeout
    );

    /// <summary>What an errno of a send means for the batch.</summary>
    public static SendFailure Classify(int errno) =>
        errno switch
        {
            EAgain or ENoBufs => SendFailure.WouldBlock,
            EBadF or ENotSock => SendFailure.Closed,
            _ => SendFailure.Rejected,
        };
}
