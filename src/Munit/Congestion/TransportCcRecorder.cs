using MobZ.Rtc.Rtcp;

namespace MobZ.Munit.Congestion;

/// <summary>
/// The receive side of transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-extensions-01) for
/// one publisher: every packet's transport-wide sequence number and arrival time go into a fixed ring, and each
/// feedback message reports the window from the first number not yet reported to the newest packet, so the
/// publisher's own estimator (GCC in a browser) sees every arrival and every loss once. A packet that arrives after
/// its number was reported lost is not reported again (libwebrtc's periodic window does the same).
/// Nothing allocates after construction; the caller serialises access (the media lock).
/// </summary>
public sealed class TransportCcRecorder
{
    /// <summary>Arrivals remembered; a burst larger than this between two feedback messages loses its oldest.</summary>
    public const int Capacity = 4096;

    /// <summary>Sequence numbers one message covers at most: keeps it far below an MTU (2 bytes a packet at
    /// worst).</summary>
    public const int MaxPacketsPerFeedback = 256;

    private const long NotReceived = -1;

    private readonly long[] _arrivalUs = new long[Capacity];
    private readonly TransportCcArrival[] _scratch = new TransportCcArrival[MaxPacketsPerFeedback];
    private bool _any;
    private long _highest; // unwrapped: the 16-bit number plus 65536 per wrap
    private long _start; // unwrapped number of the first packet not yet reported

    /// <summary>Messages written so far; its low 8 bits are each message's feedback packet count.</summary>
    public long FeedbackCount { get; private set; }

    /// <summary>SSRC of the newest media packet (the message's media source field; senders ignore it).</summary>
    public uint MediaSsrc { get; private set; }

    /// <summary>Packets that arrived after their number had been reported.</summary>
    public long LateArrivals { get; private set; }

    public void Record(ushort sequenceNumber, long arrivalMicroseconds, uint ssrc)
    {
        MediaSsrc = ssrc;
        if (!_any)
        {
            _any = true;
            _highest = _start = sequenceNumber;
            _arrivalUs[sequenceNumber & (Capacity - 1)] = arrivalMicroseconds;
            return;
        }

        long unwrapped = _highest + (short)(sequenceNumber - (ushort)_highest);
        if (unwrapped < _start || unwrapped <= _highest - Capacity)
        {
            LateArrivals++;
            return;
        }

        if (unwrapped > _highest)
        {
            // The numbers skipped on the way have not arrived (yet).
            long clearFrom = Math.Max(_highest + 1, unwrapped - Capacity + 1);
            for (long s = clearFrom; s < unwrapped; s++)
                _arrivalUs[s & (Capacity - 1)] = NotReceived;
            _highest = unwrapped;
            _start = Math.Max(_start, _highest - Capacity + 1);
        }
        else if (_arrivalUs[unwrapped & (Capacity - 1)] != NotReceived)
        {
            return; // a duplicate keeps its first arrival
        }

        _arrivalUs[unwrapped & (Capacity - 1)] = arrivalMicroseconds;
    }

    /// <summary>True when packets have arrived that no message has reported yet.</summary>
    public bool HasPending => _any && _start <= _highest;

    /// <summary>
    /// Writes the next feedback message (at most <see cref="MaxPacketsPerFeedback"/> numbers) and marks what it
    /// covers as reported; false when nothing is pending. Call again while it returns true to drain a backlog.
    /// </summary>
    public bool TryWriteFeedback(Span<byte> destination, uint senderSsrc, out int written)
    {
        written = 0;
        while (HasPending)
        {
            long end = Math.Min(_highest, _start + MaxPacketsPerFeedback - 1);
            int count = 0;
            for (long s = _start; s <= end; s++)
            {
                long arrival = _arrivalUs[s & (Capacity - 1)];
                if (arrival != NotReceived)
                    _scratch[count++] = new TransportCcArrival((ushort)s, arrival);
            }

            if (count == 0)
            {
                // A whole window lost (only possible below the newest packet, which always arrived): nothing to
                // anchor a message on; the sender counts these as lost when later feedback skips them.
                _start = end + 1;
                continue;
            }

            var writer = new TransportCcFeedbackWriter
            {
                SenderSsrc = senderSsrc,
                MediaSsrc = MediaSsrc,
                FeedbackPacketCount = (byte)FeedbackCount,
                BaseSequenceNumber = (ushort)_start,
                Arrivals = _scratch.AsSpan(0, count),
            };
            int encoded = writer.GetEncodedCount();
            if (encoded == 0 || !writer.TryWrite(destination, out written))
                return false;
            // Up to the last packet reported; numbers after it that have not arrived stay for the next message.
            long last = _start + (ushort)(_scratch[encoded - 1].SequenceNumber - (ushort)_start);
            _start = last + 1;
            FeedbackCount++;
            return true;
        }

        return false;
    }
}
