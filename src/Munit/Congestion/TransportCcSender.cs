using System.Buffers.Binary;
using MobZ.Munit.Stats;
using MobZ.Rtc.Rtcp;
using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Congestion;

/// <summary>
/// The send side of transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-extensions-01) toward
/// one viewer's peer connection: every RTP packet handed to its transport (audio, video, RTX) gets the next
/// transport-wide sequence number under the viewer's extension id, and its send time and size go into a fixed ring
/// that the viewer's feedback is matched against: each packet's send time, arrival time and size (or its loss) go
/// once to the viewer's <see cref="SendSideEstimator"/>, however often or out of order the feedback reports it.
/// Nothing allocates after construction; the caller serialises access (the media lock).
/// </summary>
public sealed class TransportCcSender
{
    /// <summary>Sends remembered (power of two): several seconds of a viewer's packets, far more than the feedback
    /// ever lags.</summary>
    public const int Capacity = 8192;

    private readonly long[] _sendUs = new long[Capacity];
    private readonly int[] _size = new int[Capacity];
    private readonly long[] _number = new long[Capacity]; // unwrapped sequence number held by the slot, -1: none
    private readonly Report[] _reported = new Report[Capacity];
    private readonly int[] _cluster = new int[Capacity]; // probe cluster the packet was sent in, 0: none
    private long _next;

    private enum Report : byte
    {
        None,
        Lost,
        Received,
    }

    public TransportCcSender(int extensionId)
    {
        ExtensionId = extensionId;
        Array.Fill(_number, -1);
    }

    /// <summary>The id the viewer's answer gave the extension.</summary>
    public int ExtensionId { get; }

    /// <summary>Packets numbered so far (the next packet's unwrapped sequence number).</summary>
    public long PacketsSent => _next;

    /// <summary>The estimate fed by this viewer's feedback.</summary>
    public SendSideEstimator Estimator { get; } = new();

    /// <summary>Probing toward this viewer: while a cluster is on, every packet stamped belongs to it.</summary>
    public Prober Prober { get; } = new();

    /// <summary>What the feedback says about each probe cluster.</summary>
    public ProbeClusterMeter Probes { get; } = new();

    /// <summary>Bits per second handed to the viewer's transport over the last second (everything stamped).</summary>
    public BitrateMeter Sent { get; } = new();

    /// <summary>Feedback messages taken.</summary>
    public long FeedbackReceived { get; private set; }

    /// <summary>Feedback messages dropped as malformed.</summary>
    public long MalformedFeedback { get; private set; }

    /// <summary>Reports about numbers the Munit did not send or no longer remembers (ignored).</summary>
    public long UnknownReports { get; private set; }

    /// <summary>Reports about a packet already reported received (a repeated or reordered message; ignored).</summary>
    public long DuplicateReports { get; private set; }

    /// <summary>Packets that could not carry the number (malformed, no room) and went out without it.</summary>
    public long StampFailures { get; private set; }

    /// <summary>
    /// Writes the next transport-wide sequence number into the packet (adding the extension when the packet lacks
    /// it) and records the send; call it where the packet is handed to the transport, so the recorded time is the
    /// send time.
    /// </summary>
    /// <param name="buffer">the packet's buffer, with tailroom after <paramref name="length"/>.</param>
    /// <returns>the packet's length afterwards.</returns>
    public int Stamp(Span<byte> buffer, int length, long sendMicroseconds)
    {
        Span<byte> value = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(value, (ushort)_next);
        if (!RtpPacketRewriter.TryWriteExtension(buffer, length, ExtensionId, value, out int written))
        {
            StampFailures++;
            return length;
        }

        int slot = (int)(_next & (Capacity - 1));
        _number[slot] = _next;
        _sendUs[slot] = sendMicroseconds;
        _size[slot] = written;
        _reported[slot] = Report.None;
        int cluster = Prober.ActiveCluster;
        _cluster[slot] = cluster;
        if (cluster != 0)
            Probes.OnSent(cluster);
        Sent.Add(written, sendMicroseconds / 1000);
        _next++;
        return written;
    }

    /// <summary>
    /// One transport-cc feedback packet (RTPFB FMT 15) from the viewer: every packet it reports goes to the
    /// estimator once, then the estimate moves on. A malformed message is counted and changes nothing.
    /// </summary>
    /// <returns>false when the message was malformed.</returns>
    public bool OnFeedback(ReadOnlySpan<byte> packet, long nowMs)
    {
        if (!TransportCcFeedback.TryRead(packet, out var feedback))
        {
            MalformedFeedback++;
            return false;
        }

        FeedbackReceived++;
        foreach (var result in feedback.Packets)
        {
            long unwrapped = Unwrap(result.SequenceNumber);
            int slot = (int)(unwrapped & (Capacity - 1));
            if (unwrapped < 0 || _number[slot] != unwrapped)
            {
                UnknownReports++;
                continue;
            }

            ref Report reported = ref _reported[slot];
            if (!result.Received)
            {
                if (reported == Report.None)
                {
                    reported = Report.Lost;
                    Estimator.OnLost(_sendUs[slot]);
                }

                continue;
            }

            if (reported == Report.Received)
            {
                DuplicateReports++;
                continue;
            }

            if (reported == Report.Lost)
                Estimator.OnRecovered(_sendUs[slot]);
            reported = Report.Received;
            Estimator.OnReceived(_sendUs[slot], result.ArrivalMicroseconds, _size[slot], nowMs);
            if (_cluster[slot] != 0)
                Probes.OnReceived(_cluster[slot], _sendUs[slot], result.ArrivalMicroseconds, _size[slot]);
        }

        Estimator.Update(nowMs);
        while (Probes.TryTakeResult(nowMs, out int cluster, out long bps))
        {
            Prober.OnResult(cluster, bps, nowMs);
            Estimator.OnProbeResult(bps, nowMs);
        }
        return true;
    }

    /// <summary>
    /// The probing half of the tick: starts a cluster when the viewer's layers want more than its estimate (see
    /// <see cref="Prober"/>), and says how many padding bytes the cluster on now still owes.
    /// </summary>
    /// <param name="wanted">what the viewer's tracks need at the layers it asked for, bit/s.</param>
    public int ProbePaddingDue(long wanted, long nowMs)
    {
        Prober.Tick(nowMs);
        Prober.TryStart(Estimator.Estimate, wanted, Sent.BitsPerSecond(nowMs), nowMs);
        int due = Prober.PaddingDue(nowMs, out int ended);
        if (ended != 0)
            Probes.End(ended, nowMs);
        return due;
    }

    /// <summary>What was sent under a sequence number from the viewer's feedback, while remembered.</summary>
    public bool TryGetSent(ushort sequenceNumber, out long sendMicroseconds, out int size)
    {
        long unwrapped = Unwrap(sequenceNumber);
        int slot = (int)(unwrapped & (Capacity - 1));
        if (unwrapped < 0 || _number[slot] != unwrapped)
        {
            sendMicroseconds = 0;
            size = 0;
            return false;
        }

        sendMicroseconds = _sendUs[slot];
        size = _size[slot];
        return true;
    }

    /// <summary>The unwrapped number closest to the newest sent (feedback is about recent packets).</summary>
    public long Unwrap(ushort sequenceNumber)
    {
        long newest = _next - 1;
        return newest + (short)(sequenceNumber - (ushort)newest);
    }
}
