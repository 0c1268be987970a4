using System.Buffers.Binary;
using MobZ.Rtc.Rtp;

namespace MobZ.Rtc.Rtcp;

/// <summary>
/// Builds a <see cref="TransportCcFeedback"/> from received packets. <see cref="Arrivals"/> must be in ascending
/// (wrap-aware) sequence order without duplicates; gaps become "not received", and so do the packets from
/// <see cref="BaseSequenceNumber"/> (when set) up to the first arrival. Arrivals whose delta from the
/// previous one does not fit a signed 16-bit tick count are left for the next message: <see cref="GetEncodedCount"/>
/// says how many of them this message carries. The chunk encoder follows libwebrtc: status vectors while the symbols
/// differ, run lengths for long identical runs.
/// </summary>
public ref struct TransportCcFeedbackWriter
{
    private const int MaxOneBitSymbols = 14;
    private const int MaxTwoBitSymbols = 7;
    private const int MaxRunLength = 0x1FFF;

    public uint SenderSsrc { get; set; }
    public uint MediaSsrc { get; set; }
    public byte FeedbackPacketCount { get; set; }
    public ReadOnlySpan<TransportCcArrival> Arrivals { get; set; }

    /// <summary>
    /// The first sequence number the message reports (null: the first arrival's). A receiver sets it to the number
    /// after the last one its previous message covered, so packets lost at the boundary are reported as lost
    /// (libwebrtc's periodic window does the same); it must not be newer than the first arrival.
    /// </summary>
    public ushort? BaseSequenceNumber { get; set; }

    /// <summary>Number of leading <see cref="Arrivals"/> that fit in one message (0 when the input is empty or out of
    /// order).</summary>
    public readonly int GetEncodedCount()
    {
        if (Arrivals.IsEmpty)
        {
            return 0;
        }

        long previousTicks = ReferenceTicks(Arrivals[0].ArrivalMicroseconds);
        ushort baseSequence = BaseSequenceNumber ?? Arrivals[0].SequenceNumber;
        if (SequenceNumbers.IsNewer(baseSequence, Arrivals[0].SequenceNumber))
        {
            return 0;
        }

        for (int i = 0; i < Arrivals.Length; i++)
        {
            TransportCcArrival arrival = Arrivals[i];
            if (i > 0 && !SequenceNumbers.IsNewer(arrival.SequenceNumber, Arrivals[i - 1].SequenceNumber))
            {
                return i;
            }

            // The status count is 16 bits and the span must not wrap back past the base.
            if (i > 0 && SequenceNumbers.Distance(baseSequence, arrival.SequenceNumber) <= 0)
            {
                return i;
            }

            long ticks = arrival.ArrivalMicroseconds / TransportCcFeedback.DeltaTickMicroseconds;
            long delta = ticks - previousTicks;
            if (delta is < short.MinValue or > short.MaxValue)
            {
                return i;
            }

            previousTicks = ticks;
        }

        return Arrivals.Length;
    }

    public readonly int GetSize()
    {
        int count = GetEncodedCount();
        return count == 0 ? 0 : Encode(default, count, write: false);
    }

    public readonly bool TryWrite(Span<byte> destination, out int written)
    {
        written = 0;
        int count = GetEncodedCount();
        if (count == 0)
        {
            return false;
        }

        int size = Encode(default, count, write: false);
        if (destination.Length < size)
        {
            return false;
        }

        written = Encode(destination, count, write: true);
        return true;
    }

    private static long ReferenceTicks(long arrivalMicroseconds) =>
        arrivalMicroseconds
        / TransportCcFeedback.ReferenceTimeUnitMicroseconds
        * (TransportCcFeedback.ReferenceTimeUnitMicroseconds / TransportCcFeedback.DeltaTickMicroseconds);

    private readonly int Encode(Span<byte> destination, int count, bool write)
    {
        ReadOnlySpan<TransportCcArrival> arrivals = Arrivals[..count];
        ushort baseSequence = BaseSequenceNumber ?? arrivals[0].SequenceNumber;
        int statusCount = SequenceNumbers.Distance(baseSequence, arrivals[^1].SequenceNumber) + 1;
        long referenceTime = arrivals[0].ArrivalMicroseconds / TransportCcFeedback.ReferenceTimeUnitMicroseconds;

        var chunks = new ChunkEncoder(write ? destination[FeedbackHeader.Size..] : default, write);
        int deltaBytes = 0;
        long previousTicks = ReferenceTicks(arrivals[0].ArrivalMicroseconds);
        ushort expected = baseSequence;
        foreach (TransportCcArrival arrival in arrivals)
        {
            while (expected != arrival.SequenceNumber)
            {
                chunks.Add(TransportCcStatus.NotReceived);
                expected++;
            }

            long ticks = arrival.ArrivalMicroseconds / TransportCcFeedback.DeltaTickMicroseconds;
            long delta = ticks - previousTicks;
            previousTicks = ticks;
            bool small = delta is >= 0 and <= 255;
            chunks.Add(small ? TransportCcStatus.ReceivedSmallDelta : TransportCcStatus.ReceivedLargeDelta);
            deltaBytes += small ? 1 : 2;
            expected++;
        }

        chunks.Finish();
        int deltaStart = FeedbackHeader.Size + chunks.Position;
        int unpadded = deltaStart + deltaBytes;
        int size = (unpadded + 3) & ~3;
        if (!write)
        {
            return size;
        }

        int padding = size - unpadded;
        FeedbackHeader.Write(
            destination,
            RtcpPacketType.TransportFeedback,
            RtcpFeedbackFormat.TransportWideCc,
            size,
            SenderSsrc,
            MediaSsrc,
            padding > 0
        );
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(12), baseSequence);
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(14), (ushort)statusCount);
        destination[16] = (byte)(referenceTime >> 16);
        destination[17] = (byte)(referenceTime >> 8);
        destination[18] = (byte)referenceTime;
        destination[19] = FeedbackPacketCount;

        int offset = deltaStart;
        previousTicks = ReferenceTicks(arrivals[0].ArrivalMicroseconds);
        foreach (TransportCcArrival arrival in arrivals)
        {
            long ticks = arrival.ArrivalMicroseconds / TransportCcFeedback.DeltaTickMicroseconds;
            long delta = ticks - previousTicks;
            previousTicks = ticks;
            if (delta is >= 0 and <= 255)
            {
                destination[offset++] = (byte)delta;
            }
            else
            {
                BinaryPrimitives.WriteInt16BigEndian(destination.Slice(offset), (short)delta);
                offset += 2;
            }
        }

        if (padding > 0)
        {
            destination.Slice(offset, padding - 1).Clear();
            destination[size - 1] = (byte)padding;
        }

        return size;
    }

    /// <summary>Packs status symbols into chunks; writes only when asked so the same code measures the size.</summary>
    private ref struct ChunkEncoder
    {
        private readonly Span<byte> _destination;
        private readonly bool _write;
        private ulong _symbols; // up to 14 two-bit symbols, oldest in the lowest bits
        private int _size;
        private bool _allSame;
        private bool _hasLarge;

        public ChunkEncoder(Span<byte> destination, bool write)
        {
            _destination = destination;
            _write = write;
            Position = 8; // after base sequence, status count, reference time and feedback count
            _symbols = 0;
            _size = 0;
            _allSame = true;
            _hasLarge = false;
        }

        /// <summary>Bytes used from the FCI start (fixed part included).</summary>
        public int Position { get; private set; }

        public void Add(TransportCcStatus status)
        {
            if (!CanAdd(status))
            {
                Emit();
            }

            if (_size < MaxOneBitSymbols)
            {
                _symbols |= (ulong)status << (2 * _size);
            }

            _allSame &= _size == 0 || First == status;
            _hasLarge |= status == TransportCcStatus.ReceivedLargeDelta;
            _size++;
        }

        public void Finish()
        {
            if (_size == 0)
            {
                return;
            }

            if (_allSame || _size == MaxOneBitSymbols)
            {
                Emit();
            }
            else if (_size <= MaxTwoBitSymbols)
            {
                WriteChunk(TwoBitChunk(_size));
            }
            else
            {
                WriteChunk(OneBitChunk(_size));
            }

            _size = 0;
        }

        private readonly TransportCcStatus First => (TransportCcStatus)(_symbols & 0x3);

        private readonly TransportCcStatus At(int index) => (TransportCcStatus)((_symbols >> (2 * index)) & 0x3);

        private readonly bool CanAdd(TransportCcStatus status)
        {
            if (_size < MaxTwoBitSymbols)
            {
                return true;
            }

            if (_size < MaxOneBitSymbols && !_hasLarge && status != TransportCcStatus.ReceivedLargeDelta)
            {
                return true;
            }

            return _size < MaxRunLength && _allSame && First == status;
        }

        private void Emit()
        {
            if (_allSame)
            {
                WriteChunk((ushort)(((int)First << 13) | _size));
                Clear();
                return;
            }

            if (_size == MaxOneBitSymbols)
            {
                WriteChunk(OneBitChunk(MaxOneBitSymbols));
                Clear();
                return;
            }

            // Seven or more mixed symbols with a large delta among them: ship the first seven as a two-bit vector.
            WriteChunk(TwoBitChunk(MaxTwoBitSymbols));
            _symbols >>= 2 * MaxTwoBitSymbols;
            _size -= MaxTwoBitSymbols;
            _allSame = true;
            _hasLarge = false;
            for (int i = 0; i < _size; i++)
            {
                _allSame &= At(i) == First;
                _hasLarge |= At(i) == TransportCcStatus.ReceivedLargeDelta;
            }
        }

        private readonly ushort OneBitChunk(int count)
        {
            int chunk = 0x8000;
            for (int i = 0; i < count; i++)
            {
                chunk |= ((int)At(i) & 0x1) << (13 - i);
            }

            return (ushort)chunk;
        }

        private readonly ushort TwoBitChunk(int count)
        {
            int chunk = 0xC000;
            for (int i = 0; i < count; i++)
            {
                chunk |= (int)At(i) << (12 - (2 * i));
            }

            return (ushort)chunk;
        }

        private void Clear()
        {
            _symbols = 0;
            _size = 0;
            _allSame = true;
            _hasLarge = false;
        }

        private void WriteChunk(ushort chunk)
        {
            if (_write)
            {
                BinaryPrimitives.WriteUInt16BigEndian(_destination.Slice(Position), chunk);
            }

            Position += 2;
        }
    }
}
