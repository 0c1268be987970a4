using System.Buffers.Binary;
using MobZ.Hls.Packaging;
using MobZ.Rtc.Codecs;

namespace MobZ.Hls.Codecs;

/// <summary>Why an access unit never reached the muxer.</summary>
internal enum H264DropReason
{
    /// <summary>RTP sequence numbers skipped: packets of this frame (or of the frames it refers to) were
    /// lost.</summary>
    SequenceGap,

    /// <summary>An FU-A fragment without its start, a start inside another fragment, or no end before the frame
    /// ended.</summary>
    BrokenFragment,

    /// <summary>A STAP-A whose sizes run past the packet, an empty payload or a set forbidden bit.</summary>
    MalformedPayload,

    /// <summary>STAP-B, MTAP or FU-B: interleaved mode, which WebRTC never negotiates.</summary>
    UnsupportedPacketization,

    /// <summary>The frame grew past <see cref="H264Depacketizer.MaxAccessUnitSize"/>.</summary>
    TooLarge,
}

internal interface IH264AccessUnitSink
{
    /// <param name="avcc">the frame's NAL units, each behind a 4-byte big-endian length, parameter sets and delimiters
    /// removed.</param>
    void OnAccessUnit(ReadOnlySpan<byte> avcc, uint rtpTimestamp, bool isIdr);

    void OnAccessUnitDropped(H264DropReason reason);
}

/// <summary>
/// RFC 6184 non-interleaved mode (packetization-mode 0 and 1): single NAL unit packets, STAP-A and FU-A,
/// reassembled into access units in AVCC form. A frame ends on the marker bit or when the timestamp moves
/// on. A frame touched by a sequence gap or a broken fragment is reported as dropped rather than emitted,
/// so the muxer never sees a half frame. SPS and PPS are lifted out and kept for the init segment.
/// </summary>
internal sealed class H264Depacketizer : IDisposable
{
    public const int MaxAccessUnitSize = 8 * 1024 * 1024;
    private const int NalLengthSize = 4;

    private readonly IH264AccessUnitSink _sink;
    private readonly PooledByteBuffer _accessUnit = new(64 * 1024);
    private bool _open;
    private uint _timestamp;
    private H264DropReason? _corruption;
    private bool _hasIdr;
    private bool _hasSlice;
    private int _fragmentStart = -1;
    private bool _haveSequence;
    private ushort _lastSequence;
    private byte[] _sps = [];
    private byte[] _pps = [];

    public H264Depacketizer(IH264AccessUnitSink sink)
    {
        _sink = sink;
    }

    /// <summary>Latest SPS NAL unit (with header byte); empty until one arrives.</summary>
    public ReadOnlySpan<byte> Sps => _sps;

    /// <summary>Latest PPS NAL unit (with header byte); empty until one arrives.</summary>
    public ReadOnlySpan<byte> Pps => _pps;

    /// <summary>Bumped whenever the SPS or PPS bytes change.</summary>
    public int ParameterSetVersion { get; private set; }

    public long LatePackets { get; private set; }

    public void Push(ReadOnlySpan<byte> payload, ushort sequenceNumber, uint timestamp, bool marker)
    {
        bool gap = false;
        if (_haveSequence)
        {
            short delta = (short)(ushort)(sequenceNumber - (ushort)(_lastSequence + 1));
            if (delta < 0)
            {
                // A duplicate or a packet overtaken by later ones: its frame is already finished or dropped.
                LatePackets++;
                return;
            }

            gap = delta > 0;
        }

        _haveSequence = true;
        _lastSequence = sequenceNumber;

        if (_open && (timestamp != _timestamp || gap))
        {
            // A gap right after an unfinished frame may have eaten its tail.
            if (gap)
            {
                _corruption ??= H264DropReason.SequenceGap;
            }

            if (timestamp != _timestamp)
            {
                Finish();
            }
        }

        if (!_open)
        {
            Open(timestamp);
            if (gap)
            {
                // ...or the head of this one.
                _corruption = H264DropReason.SequenceGap;
            }
        }

        if (_corruption is null)
        {
            Depacketize(payload);
        }

        if (marker)
        {
            Finish();
        }
    }

    /// <summary>Emits or drops the frame in progress (the stream is ending).</summary>
    public void Flush()
    {
        if (_open)
        {
            Finish();
        }
    }

    private void Open(uint timestamp)
    {
        _open = true;
        _timestamp = timestamp;
        _corruption = null;
        _hasIdr = false;
        _hasSlice = false;
        _fragmentStart = -1;
        _accessUnit.Reset();
    }

    private void Finish()
    {
        _open = false;
        if (_corruption is null && _fragmentStart >= 0)
        {
            _corruption = H264DropReason.BrokenFragment;
        }

        if (_corruption is { } reason)
        {
            _sink.OnAccessUnitDropped(reason);
        }
        else if (_hasSlice)
        {
            _sink.OnAccessUnit(_accessUnit.WrittenSpan, _timestamp, _hasIdr);
        }

        _accessUnit.Reset();
    }

    private void Depacketize(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty || (payload[0] & 0x80) != 0)
        {
            _corruption = H264DropReason.MalformedPayload;
            return;
        }

        int type = H264Payload.NalType(payload[0]);
        switch (type)
        {
            case >= 1 and <= 23:
                if (_fragmentStart >= 0)
                {
                    _corruption = H264DropReason.BrokenFragment;
                    return;
                }

                AddNal(payload);
                break;
            case H264NalType.StapA:
                ReadStapA(payload[1..]);
                break;
            case H264NalType.FuA:
                ReadFuA(payload);
                break;
            case H264NalType.StapB or H264NalType.Mtap16 or H264NalType.Mtap24 or H264NalType.FuB:
                _corruption = H264DropReason.UnsupportedPacketization;
                break;
            default:
                _corruption = H264DropReason.MalformedPayload;
                break;
        }
    }

    /// <summary>RFC 6184 §5.7.1: a one-byte header, then NAL units each behind a 16-bit size.</summary>
    private void ReadStapA(ReadOnlySpan<byte> units)
    {
        if (_fragmentStart >= 0)
        {
            _corruption = H264DropReason.BrokenFragment;
            return;
        }

        // Validate the whole aggregate first so a bad tail does not leave half of it in the frame.
        for (ReadOnlySpan<byte> rest = units; !rest.IsEmpty; )
        {
            if (rest.Length < 2)
            {
                _corruption = H264DropReason.MalformedPayload;
                return;
            }

            int size = BinaryPrimitives.ReadUInt16BigEndian(rest);
            if (size == 0 || rest.Length < 2 + size || !IsPlainNalHeader(rest[2]))
            {
                _corruption = H264DropReason.MalformedPayload;
                return;
            }

            rest = rest[(2 + size)..];
        }

        while (!units.IsEmpty && _corruption is null)
        {
            int size = BinaryPrimitives.ReadUInt16BigEndian(units);
            AddNal(units.Slice(2, size));
            units = units[(2 + size)..];
        }
    }

    /// <summary>RFC 6184 §5.8: FU indicator (F, NRI, type 28), FU header (S, E, R, original type), fragment.</summary>
    private void ReadFuA(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 3)
        {
            _corruption = H264DropReason.MalformedPayload;
            return;
        }

        byte header = payload[1];
        bool start = (header & 0x80) != 0;
        bool end = (header & 0x40) != 0;
        if ((start && end) || !IsPlainNalHeader((byte)(header & 0x1F)))
        {
            _corruption = H264DropReason.MalformedPayload;
            return;
        }

        ReadOnlySpan<byte> fragment = payload[2..];
        if (start)
        {
            if (_fragmentStart >= 0)
            {
                _corruption = H264DropReason.BrokenFragment;
                return;
            }

            if (!HasRoom(NalLengthSize + 1 + fragment.Length))
            {
                return;
            }

            _fragmentStart = _accessUnit.Length;
            _accessUnit.AppendSpan(NalLengthSize).Clear();
            _accessUnit.AppendByte((byte)((payload[0] & 0xE0) | (header & 0x1F)));
            _accessUnit.Append(fragment);
        }
        else
        {
            if (_fragmentStart < 0)
            {
                _corruption = H264DropReason.BrokenFragment;
                return;
            }

            if (!HasRoom(fragment.Length))
            {
                return;
            }

            _accessUnit.Append(fragment);
        }

        if (end)
        {
            int start0 = _fragmentStart;
            _fragmentStart = -1;
            int nalLength = _accessUnit.Length - start0 - NalLengthSize;
            Span<byte> written = _accessUnit.WrittenSpan;
            ReadOnlySpan<byte> nal = written.Slice(start0 + NalLengthSize, nalLength);
            int type = H264Payload.NalType(nal[0]);
            if (
                type
                is H264NalType.Sps
                    or H264NalType.Pps
                    or H264NalType.AccessUnitDelimiter
                    or H264NalType.EndOfSequence
                    or H264NalType.EndOfStream
                    or H264NalType.FillerData
            )
            {
                KeepParameterSet(nal);
                _accessUnit.Truncate(start0);
                return;
            }

            BinaryPrimitives.WriteUInt32BigEndian(written[start0..], (uint)nalLength);
            NoteSlice(type);
        }
    }

    /// <summary>A NAL unit inside an aggregate or fragment must be a real one (1-23), not another packetization
    /// type.</summary>
    private static bool IsPlainNalHeader(byte header) => (header & 0x80) == 0 && (header & 0x1F) is >= 1 and <= 23;

    private void AddNal(ReadOnlySpan<byte> nal)
    {
        int type = H264Payload.NalType(nal[0]);
        switch (type)
        {
            case H264NalType.Sps or H264NalType.Pps:
                KeepParameterSet(nal);
                return;
            case H264NalType.AccessUnitDelimiter
            or H264NalType.EndOfSequence
            or H264NalType.EndOfStream
            or H264NalType.FillerData:
                return;
        }

        if (!HasRoom(NalLengthSize + nal.Length))
        {
            return;
        }

        BinaryPrimitives.WriteUInt32BigEndian(_accessUnit.AppendSpan(NalLengthSize), (uint)nal.Length);
        _accessUnit.Append(nal);
        NoteSlice(type);
    }

    private void NoteSlice(int type)
    {
        if (type is >= H264NalType.NonIdrSlice and <= H264NalType.IdrSlice)
        {
            _hasSlice = true;
            _hasIdr |= H264Payload.IsKeyFrameSlice(type);
        }
    }

    private void KeepParameterSet(ReadOnlySpan<byte> nal)
    {
        int type = H264Payload.NalType(nal[0]);
        if (type == H264NalType.Sps && !nal.SequenceEqual(_sps))
        {
            _sps = nal.ToArray();
            ParameterSetVersion++;
        }
        else if (type == H264NalType.Pps && !nal.SequenceEqual(_pps))
        {
            _pps = nal.ToArray();
            ParameterSetVersion++;
        }
    }

    private bool HasRoom(int count)
    {
        if (_accessUnit.Length + count > MaxAccessUnitSize)
        {
            _corruption = H264DropReason.TooLarge;
            return false;
        }

        return true;
    }

    public void Dispose() => _accessUnit.Dispose();
}
