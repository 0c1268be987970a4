using System.Buffers.Binary;

namespace MobZ.Rtc.Rtcp;

/// <summary>
/// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): RTPFB FMT=15.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|  FMT=15 |    PT=205     |           length              |
/// |                     SSRC of packet sender                     |
/// |                      SSRC of media source                     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      base sequence number     |      packet status count      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                 reference time                | fb pkt. count |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          packet chunk         |  packet chunk  ...            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         recv delta            |  recv delta    ...            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// run length chunk:  |0| S |       run length (13)    |
/// status vector:     |1|0|   14 one-bit symbols      |   (0 not received, 1 small delta)
///                    |1|1|    7 two-bit symbols      |   (status values of <see cref="TransportCcStatus"/>)
/// </code>
/// Reference time is a 24-bit count of 64 ms; a small delta is one unsigned byte and a large delta a signed
/// 16-bit number, both in 250 µs ticks.
/// </remarks>
public readonly ref struct TransportCcFeedback
{
    public const long ReferenceTimeUnitMicroseconds = 64_000;
    public const int DeltaTickMicroseconds = 250;
    private const int FixedFciSize = 8;

    private readonly ReadOnlySpan<byte> _chunks;
    private readonly ReadOnlySpan<byte> _deltas;

    private TransportCcFeedback(
        uint senderSsrc,
        uint mediaSsrc,
        ReadOnlySpan<byte> fci,
        ReadOnlySpan<byte> chunks,
        ReadOnlySpan<byte> deltas
    )
    {
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
        BaseSequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(fci);
        PacketStatusCount = BinaryPrimitives.ReadUInt16BigEndian(fci.Slice(2));
        ReferenceTime = (fci[4] << 16) | (fci[5] << 8) | fci[6];
        FeedbackPacketCount = fci[7];
        _chunks = chunks;
        _deltas = deltas;
    }

    /// <summary>Parses and validates chunks and deltas against the status count; false on any inconsistency.</summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out TransportCcFeedback feedback)
    {
        feedback = default;
        if (
            !FeedbackHeader.TryRead(
                packet,
                RtcpPacketType.TransportFeedback,
                RtcpFeedbackFormat.TransportWideCc,
                out uint sender,
                out uint media,
                out ReadOnlySpan<byte> fci
            )
            || fci.Length < FixedFciSize
        )
        {
            return false;
        }

        int statusCount = BinaryPrimitives.ReadUInt16BigEndian(fci.Slice(2));
        if (statusCount == 0)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = fci[FixedFciSize..];
        int position = 0;
        int covered = 0;
        int deltaBytes = 0;
        while (covered < statusCount)
        {
            if (position + 2 > rest.Length)
            {
                return false;
            }

            ushort chunk = BinaryPrimitives.ReadUInt16BigEndian(rest.Slice(position));
            position += 2;
            int symbols = Math.Min(SymbolCount(chunk), statusCount - covered);
            for (int i = 0; i < symbols; i++)
            {
                int status = Symbol(chunk, i);
                if (status == 3)
                {
                    return false;
                }

                deltaBytes += status;
            }

            covered += symbols;
        }

        if (position + deltaBytes > rest.Length)
        {
            return false;
        }

        feedback = new TransportCcFeedback(sender, media, fci, rest[..position], rest.Slice(position, deltaBytes));
        return true;
    }

    public uint SenderSsrc { get; }
    public uint MediaSsrc { get; }
    public ushort BaseSequenceNumber { get; }
    public ushort PacketStatusCount { get; }

    /// <summary>24-bit reference time in units of 64 ms.</summary>
    public int ReferenceTime { get; }

    public long ReferenceTimeMicroseconds => ReferenceTime * ReferenceTimeUnitMicroseconds;

    public byte FeedbackPacketCount { get; }

    /// <summary>Every packet from the base sequence number on, with status and receive delta.</summary>
    public TransportCcPacketEnumerator Packets =>
        new(_chunks, _deltas, BaseSequenceNumber, PacketStatusCount, ReferenceTimeMicroseconds);

    internal static int SymbolCount(ushort chunk) =>
        (chunk & 0x8000) == 0 ? chunk & 0x1FFF
        : (chunk & 0x4000) == 0 ? 14
        : 7;

    internal static int Symbol(ushort chunk, int index)
    {
        if ((chunk & 0x8000) == 0)
        {
            return (chunk >> 13) & 0x03;
        }

        return (chunk & 0x4000) == 0 ? (chunk >> (13 - index)) & 0x01 : (chunk >> (12 - (2 * index))) & 0x03;
    }
}

/// <summary>Walks a validated <see cref="TransportCcFeedback"/> packet by packet.</summary>
public ref struct TransportCcPacketEnumerator
{
    private readonly ReadOnlySpan<byte> _chunks;
    private readonly ReadOnlySpan<byte> _deltas;
    private readonly int _statusCount;
    private int _emitted;
    private int _chunkPosition;
    private ushort _chunk;
    private int _symbolIndex;
    private int _symbolsInChunk;
    private int _deltaPosition;
    private ushort _sequence;
    private long _arrival;

    public TransportCcPacketEnumerator(
        ReadOnlySpan<byte> chunks,
        ReadOnlySpan<byte> deltas,
        ushort baseSequence,
        int statusCount,
        long referenceMicroseconds
    )
    {
        _chunks = chunks;
        _deltas = deltas;
        _statusCount = statusCount;
        _emitted = 0;
        _chunkPosition = 0;
        _chunk = 0;
        _symbolIndex = 0;
        _symbolsInChunk = 0;
        _deltaPosition = 0;
        _sequence = baseSequence;
        _arrival = referenceMicroseconds;
        Current = default;
    }

    public TransportCcPacketResult Current { get; private set; }

    public readonly TransportCcPacketEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_emitted >= _statusCount)
        {
            return false;
        }

        while (_symbolIndex >= _symbolsInChunk)
        {
            if (_chunkPosition + 2 > _chunks.Length)
            {
                return false;
            }

            _chunk = BinaryPrimitives.ReadUInt16BigEndian(_chunks.Slice(_chunkPosition));
            _chunkPosition += 2;
            _symbolIndex = 0;
            _symbolsInChunk = TransportCcFeedback.SymbolCount(_chunk);
        }

        var status = (TransportCcStatus)TransportCcFeedback.Symbol(_chunk, _symbolIndex++);
        int delta = 0;
        switch (status)
        {
            case TransportCcStatus.ReceivedSmallDelta when _deltaPosition + 1 <= _deltas.Length:
                delta = _deltas[_deltaPosition];
                _deltaPosition += 1;
                break;
            case TransportCcStatus.ReceivedLargeDelta when _deltaPosition + 2 <= _deltas.Length:
                delta = BinaryPrimitives.ReadInt16BigEndian(_deltas.Slice(_deltaPosition));
                _deltaPosition += 2;
                break;
            case TransportCcStatus.NotReceived:
                break;
            default:
                return false;
        }

        long arrival = 0;
        if (status != TransportCcStatus.NotReceived)
        {
            _arrival += delta * (long)TransportCcFeedback.DeltaTickMicroseconds;
            arrival = _arrival;
        }

        Current = new TransportCcPacketResult(_sequence, status, delta, arrival);
        _sequence++;
        _emitted++;
        return true;
    }
}
