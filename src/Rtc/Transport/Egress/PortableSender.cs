using System.Net.Sockets;

namespace MobZ.Rtc.Transport.Egress;

/// <summary>
/// Everywhere else (or with system-call batching turned off): one <c>sendto</c> per datagram on a socket put in
/// non-blocking mode, so a full send buffer is a <see cref="SocketError.WouldBlock"/>, never a wait. .NET reports that
/// as an exception, which allocates — only on the drop path.
/// </summary>
internal sealed class PortableSender(Socket socket) : IDatagramBatchSender
{
    public string Name => "sendto";

    public int Send(UdpEgressBatch batch, int start, EgressCounters syscalls, out SendFailure failure)
    {
        for (int i = start; i < batch.Count; i++)
        {
            try
            {
                syscalls.CountSyscall();
                socket.SendTo(batch.Packet(i), SocketFlags.None, batch.Address(i));
            }
            catch (SocketException e)
            {
                failure = e.SocketErrorCode is SocketError.WouldBlock or SocketError.NoBufferSpaceAvailable
                    ? SendFailure.WouldBlock
                    : SendFailure.Rejected;
                return i - start;
            }
            catch (ObjectDisposedException)
            {
                failure = SendFailure.Closed;
                return i - start;
            }
        }

        failure = SendFailure.None;
        return batch.Count - start;
    }
}
