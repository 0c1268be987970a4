using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MobZ.Rtc.Transport.Egress;

/// <summary>
/// Linux: a whole batch in one <c>sendmmsg(2)</c> with MSG_DONTWAIT on the transport socket's own descriptor (the
/// socket stays blocking for the receive thread; only these sends never wait). The kernel returns how many datagrams
/// it took; an error after the first is not reported, so the caller offers the rest again and the error comes back
/// for the datagram that caused it. EINTR is retried here.
/// </summary>
internal sealed unsafe class SendmmsgSender : IDatagramBatchSender
{
    private readonly SafeSocketHandle _handle;
    private readonly MultiMessageHeader[] _headers;
    private readonly IoVec[] _vectors;

    public SendmmsgSender(Socket socket, int capacity)
    {
        _handle = socket.SafeHandle;
        _headers = GC.AllocateArray<MultiMessageHeader>(capacity, pinned: true);
        _vectors = GC.AllocateArray<IoVec>(capacity, pinned: true);
    }

    public string Name => "sendmmsg";

    /// <summary>Whether this process can use sendmmsg on <paramref name="socket"/>; when not, why (not Linux on 64
    /// bits, no such call in libc or in the kernel).</summary>
    public static bool IsAvailable(Socket socket, out string? unavailable)
    {
        unavailable = null;
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            unavailable = "not 64-bit Linux";
            return false;
        }

        try
        {
            // An empty batch sends nothing and tells whether the call exists.
            if (LinuxSocketCalls.SendMultiple(socket.Handle, null, 0, LinuxSocketCalls.MsgDontWait) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LinuxSocketCalls.ENoSys)
                {
                    unavailable = "the kernel has no sendmmsg";
                    return false;
                }
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            unavailable = "libc has no sendmmsg: " + e.Message;
            return false;
        }

        return true;
    }

    public int Send(UdpEgressBatch batch, int start, EgressCounters syscalls, out SendFailure failure)
    {
        int count = Math.Min(batch.Count - start, _headers.Length);
        byte* data = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(batch.Data));
        byte* names = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(batch.Names));
        for (int i = 0; i < count; i++)
        {
            int slot = start + i;
            _vectors[i] = new IoVec
            {
                Base = (nint)(data + slot * UdpEgressBatch.SlotSize),
                Length = (nuint)batch.Length(slot),
            };
            _headers[i] = new MultiMessageHeader
            {
                Header = new MessageHeader
                {
                    Name = (nint)(names + slot * LinuxSockAddr.MaxLength),
                    NameLength = (uint)batch.NameLength(slot),
                    Vectors = (nint)Unsafe.AsPointer(ref _vectors[i]),
                    VectorCount = 1,
                },
            };
        }

        bool added = false;
        try
        {
            // Holding a reference keeps the descriptor from being closed (and its number reused) during the call.
            _handle.DangerousAddRef(ref added);
            fixed (MultiMessageHeader* headers = _headers)
            {
                while (true)
                {
                    syscalls.CountSyscall();
                    int sent = LinuxSocketCalls.SendMultiple(
                        _handle.DangerousGetHandle(),
                        headers,
                        (uint)count,
                        LinuxSocketCalls.MsgDontWait
                    );
                    if (sent >= 0)
                    {
                        failure = SendFailure.None;
                        return sent;
                    }

                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == LinuxSocketCalls.EIntr)
                        continue;
                    failure = LinuxSocketCalls.Classify(errno);
                    return 0;
                }
            }
        }
        catch (ObjectDisposedException)
        {
            failure = SendFailure.Closed;
            return 0;
        }
        finally
        {
            if (added)
                _handle.DangerousRelease();
        }
    }
}
