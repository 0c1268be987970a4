using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MobZ.Rtc.Transport.Egress;

/// <summary>
/// Linux ingress: <c>recvmmsg(2)</c> with MSG_WAITFORONE reads every datagram already waiting (up to the batch) in one
/// call, blocking only while there is none, into fixed pinned slots with the sender's sockaddr beside each. The socket
/// gets a receive timeout so the loop notices Dispose; the descriptor is referenced during the call, so a close cannot
/// hand its number to another socket under us.
/// </summary>
internal sealed unsafe class RecvmmsgReceiver
{
    /// <summary>Room per datagram. Media is MTU-sized; a DTLS flight on loopback can be a few KiB. Larger is
    /// truncated by the kernel, and dropped and counted by the caller.</summary>
    public const int SlotSize = 16 * 1024;

    private static readonly TimeSpan WakeUp = TimeSpan.FromMilliseconds(250);

    private readonly SafeSocketHandle _handle;
    private readonly byte[] _data;
    private readonly byte[] _names;
    private readonly MultiMessageHeader[] _headers;
    private readonly IoVec[] _vectors;

    public RecvmmsgReceiver(Socket socket, int capacity)
    {
        _handle = socket.SafeHandle;
        _data = GC.AllocateUninitializedArray<byte>(capacity * SlotSize, pinned: true);
        _names = GC.AllocateArray<byte>(capacity * LinuxSockAddr.MaxLength, pinned: true);
        _headers = GC.AllocateArray<MultiMessageHeader>(capacity, pinned: true);
        _vectors = GC.AllocateArray<IoVec>(capacity, pinned: true);
        byte* data = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_data));
        byte* names = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_names));
        for (int i = 0; i < capacity; i++)
        {
            _vectors[i] = new IoVec { Base = (nint)(data + i * SlotSize), Length = SlotSize };
            _headers[i].Header.Name = (nint)(names + i * LinuxSockAddr.MaxLength);
            _headers[i].Header.Vectors = (nint)Unsafe.AsPointer(ref _vectors[i]);
            _headers[i].Header.VectorCount = 1;
        }

        // struct timeval { long tv_sec; long tv_usec; } on LP64.
        Span<byte> timeout = stackalloc byte[16];
        MemoryMarshal.Write(timeout, 0L);
        MemoryMarshal.Write(timeout[8..], (long)WakeUp.TotalMicroseconds);
        socket.SetRawSocketOption(SolSocket, SoRcvTimeo, timeout);
    }

    private const int SolSocket = 1;
    private const int SoRcvTimeo = 20;

    /// <summary>
    /// Waits for at least one datagram (or the wake-up timeout) and returns how many were read, 0 on a timeout or a
    /// transient error; <paramref name="closed"/> when the socket is gone.
    /// </summary>
    public int Receive(out bool closed)
    {
        closed = false;
        for (int i = 0; i < _headers.Length; i++)
        {
            _headers[i].Header.NameLength = LinuxSockAddr.MaxLength;
            _headers[i].Header.Flags = 0;
            _headers[i].Length = 0;
        }

        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            fixed (MultiMessageHeader* headers = _headers)
            {
                int received = LinuxSocketCalls.ReceiveMultiple(
                    _handle.DangerousGetHandle(),
                    headers,
                    (uint)_headers.Length,
                    LinuxSocketCalls.MsgWaitForOne,
                    0
                );
                if (received >= 0)
                    return received;
                int errno = Marshal.GetLastPInvokeError();
                closed = errno is LinuxSocketCalls.EBadF or LinuxSocketCalls.ENotSock;
                return 0;
            }
        }
        catch (ObjectDisposedException)
        {
            closed = true;
            return 0;
        }
        finally
        {
            if (added)
                _handle.DangerousRelease();
        }
    }

    public Span<byte> Datagram(int index) =>
        _data.AsSpan(index * SlotSize, (int)Math.Min(_headers[index].Length, SlotSize));

    /// <summary>The datagram was larger than <see cref="SlotSize"/>; only its start was read.</summary>
    public bool Truncated(int index) => (_headers[index].Header.Flags & LinuxSocketCalls.MsgTrunc) != 0;

    /// <summary>The sender's sockaddr as the kernel wrote it.</summary>
    public ReadOnlySpan<byte> Name(int index) =>
        _names.AsSpan(
            index * LinuxSockAddr.MaxLength,
            (int)Math.Min(_headers[index].Header.NameLength, LinuxSockAddr.MaxLength)
        );
}
