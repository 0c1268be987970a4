using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Rtp;

/// <summary>
/// Tracks sequence numbers missing from one incoming stream and says which to NACK upstream and when
/// (RFC 4585 generic NACK): a gap is asked for at once, then again every RTT-ish interval, a bounded number
/// of times; a packet that arrives late or as a retransmission clears it. Fixed-capacity, allocation-free.
/// </summary>
public sealed class NackGenerator
{
    public const int MaxMissing = 256;
    public const int MaxRetries = 10;

    private readonly Missing[] _missing = new Missing[MaxMissing];
    private int _count;
    private ushort _highest;
    private bool _started;

    private struct Missing
    {
        public ushort Seq;
        public byte Retries;
        public long LastSentMs;
    }

    /// <summary>Sequence numbers that got a NACK and then arrived.</summary>
    public long Recovered { get; private set; }

    /// <summary>Sequence numbers given up on (too many retries or too old).</summary>
    public long GivenUp { get; private set; }
    public int MissingCount => _count;

    /// <summary>Feeds one arrival.</summary>
    /// <returns>true when the packet filled a gap (late or retransmitted).</returns>
    public bool OnPacket(ushort seq)
    {
        if (!_started)
        {
            _started = true;
            _highest = seq;
            return false;
        }
        if (SequenceNumbers.IsNewer(seq, _highest))
        {
            int gap = (ushort)(seq - _highest) - 1;
            if (gap > MaxMissing)
            {
                // A jump this large is a restart or a long outage, not loss worth repairing.
                GivenUp += _count;
                _count = 0;
            }
            else
            {
                for (int i = 1; i <= gap; i++)
                    Add((ushort)(_highest + i));
            }
            _highest = seq;
            return false;
        }
        for (int i = 0; i < _count; i++)
        {
            if (_missing[i].Seq != seq)
                continue;
            _missing[i] = _missing[--_count];
            Recovered++;
            return true;
        }
        return false;
    }

    /// <summary>
    /// Writes the sequence numbers due for a NACK now into <paramref name="destination"/>.
    /// </summary>
    /// <param name="intervalMs">minimum time between two NACKs for the same packet (about one RTT).</param>
    /// <returns>how many were written.</returns>
    public int CollectDue(long nowMs, long intervalMs, Span<ushort> destination)
    {
        int written = 0;
        for (int i = 0; i < _count; )
        {
            ref Missing m = ref _missing[i];
            if (m.Retries >= MaxRetries || (ushort)(_highest - m.Seq) > MaxMissing)
            {
                _missing[i] = _missing[--_count];
                GivenUp++;
                continue;
            }
            if (written < destination.Length && (m.Retries == 0 || nowMs - m.LastSentMs >= intervalMs))
            {
                destination[written++] = m.Seq;
                m.Retries++;
                m.LastSentMs = nowMs;
            }
            i++;
        }
        return written;
    }

    public void Reset()
    {
        _count = 0;
        _started = false;
    }

    private void Add(ushort seq)
    {
        if (_count == MaxMissing)
        {
            // Drop the oldest gap: the newest ones are the ones still worth repairing.
            int oldest = 0;
            for (int i = 1; i < _count; i++)
            {
                if (SequenceNumbers.IsNewer(_missing[oldest].Seq, _missing[i].Seq))
                    oldest = i;
            }

            _missing[oldest] = _missing[--_count];
            GivenUp++;
        }
        _missing[_count++] = new Missing { Seq = seq };
    }
}
