namespace MobZ.Rtc.Transport.Egress;

/// <summary>
/// The system call under <see cref="UdpEgressBatch.Flush"/>: <c>sendmmsg</c> on Linux (<see cref="SendmmsgSender"/>),
/// one non-blocking <c>sendto</c> per datagram elsewhere (<see cref="PortableSender"/>). A seam, so the batch logic
/// (partial sends, per-message errors) is tested without a kernel that misbehaves on cue.
/// </summary>
internal interface IDatagramBatchSender
{
    /// <summary>Tells a log line which one runs.</summary>
    string Name { get; }

    /// <summary>
    /// Offers datagrams <paramref name="start"/> .. <c>batch.Count - 1</c> to the kernel without waiting; returns how
    /// many of them, from <paramref name="start"/>, it took (each system call counted in
    /// <paramref name="syscalls"/>). When that is fewer than offered, <paramref name="failure"/> says why the next one
    /// was not taken (<see cref="SendFailure.None"/>: the kernel stopped early without saying; offer the rest again).
    /// </summary>
    int Send(UdpEgressBatch batch, int start, EgressCounters syscalls, out SendFailure failure);
}

/// <summary>Why the kernel did not take the next datagram of a batch.</summary>
internal enum SendFailure
{
    None,

    /// <summary>EAGAIN/EWOULDBLOCK/ENOBUFS: the socket's send buffer is full, for every destination.</summary>
    WouldBlock,

    /// <summary>This datagram only (EMSGSIZE, EHOSTUNREACH, EINVAL…); the next may go.</summary>
    Rejected,

    /// <summary>The socket is gone.</summary>
    Closed,
}
