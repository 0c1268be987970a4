namespace MobZ.Rtc.Dtls.Handshake;

/// <summary>
/// Puts the peer's handshake fragments back into whole messages, in message_seq order (RFC 6347 §4.2.2,
/// §4.2.3): fragments may overlap, repeat, or arrive out of order inside a small window ahead of the next
/// expected message; anything behind it is a retransmission, which the caller answers by resending its flight.
/// </summary>
internal sealed class HandshakeReassembler
{
    /// <summary>Messages buffered ahead of the next expected one: a whole client flight is four.</summary>
    public const int Window = 4;

    /// <summary>Largest message accepted: a certificate chain browsers send is well under this.</summary>
    public const int MaxMessageLength = 16 * 1024;

    private readonly Slot?[] _slots = new Slot?[Window];

    public ushort NextSequence { get; private set; }

    public enum Outcome
    {
        Buffered,

        /// <summary>A fragment of a message already processed: the peer retransmits its previous flight.</summary>
        Old,

        /// <summary>Too far ahead, too large, or inconsistent with earlier fragments; dropped.</summary>
        Dropped,
    }

    public Outcome Add(in HandshakeFragment fragment, bool protectedEpoch)
    {
        int distance = fragment.Sequence - NextSequence;
        if (distance < 0)
            return Outcome.Old;
        if (distance >= Window || fragment.MessageLength > MaxMessageLength)
            return Outcome.Dropped;
        ref var slot = ref _slots[(fragment.Sequence) % Window];
        slot ??= new Slot(fragment.Type, fragment.MessageLength, protectedEpoch);
        if (
            slot.Type != fragment.Type
            || slot.Body.Length != fragment.MessageLength
            || slot.Protected != protectedEpoch
        )
        {
            return Outcome.Dropped;
        }

        slot.Add(fragment.Offset, fragment.Body);
        return Outcome.Buffered;
    }

    /// <summary>The next message when all its bytes are in; the caller owns the body afterwards.</summary>
    public bool TryTakeNext(out byte type, out byte[] body, out bool protectedEpoch)
    {
        ref var slot = ref _slots[NextSequence % Window];
        if (slot is null || !slot.IsComplete)
        {
            type = 0;
            body = [];
            protectedEpoch = false;
            return false;
        }
        type = slot.Type;
        body = slot.Body;
        protectedEpoch = slot.Protected;
        slot = null;
        NextSequence++;
        return true;
    }

    private sealed class Slot(byte type, int length, bool protectedEpoch)
    {
        private readonly byte[] _received = new byte[(length + 7) / 8]; // one bit per body byte
        private int _missing = length;

        public byte Type { get; } = type;
        public byte[] Body { get; } = new byte[length];
        public bool Protected { get; } = protectedEpoch;
        public bool IsComplete => _missing == 0;

        public void Add(int offset, ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(Body.AsSpan(offset));
            for (int i = offset; i < offset + bytes.Length; i++)
            {
                int mask = 1 << (i & 7);
                if ((_received[i >> 3] & mask) == 0)
                {
                    _received[i >> 3] |= (byte)mask;
                    _missing--;
                }
            }
        }
    }
}
