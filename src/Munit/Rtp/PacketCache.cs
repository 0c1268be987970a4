using System.Numerics;
using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Rtp;

/// <summary>
/// The last N decrypted packets of one incoming stream, indexed by sequence number, so subscribers' NACKs are
/// answered from the Munit instead of going to the publisher. One copy per incoming packet is shared by
/// every subscriber; each subscriber rewrites its own copy when it retransmits.
/// A power-of-two ring (slot = seq &amp; mask) with wrap-aware freshness; slot storage is allocated once,
/// on the slot's first use, so an audio stream that never fills the ring stays small.
/// </summary>
public sealed class PacketCache
{
    public const int MaxPacketSize = 1500;

    private readonly Slot[] _slots;
    private readonly int _mask;
    private readonly long _maxAgeMs;
    private ushort _highest;
    private bool _any;

    private struct Slot
    {
        public byte[]? Data;
        public int Length;
        public ushort Seq;
        public bool Valid;
        public long StoredAtMs;
    }

    /// <param name="capacity">rounded up to a power of two; at most 32768 so a slot cannot alias across a wrap.</param>
    /// <param name="maxAgeMs">a packet older than this is not retransmitted (the receiver has given up on it).</param>
    public PacketCache(int capacity = 512, long maxAgeMs = 2000)
    {
        if (capacity is < 1 or > 32768)
            throw new ArgumentOutOfRangeException(nameof(capacity));
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)capacity);
        _slots = new Slot[size];
        _mask = size - 1;
        _maxAgeMs = maxAgeMs;
    }

    public int Capacity => _slots.Length;

    /// <summary>Copies <paramref name="packet"/> into the slot of <paramref name="seq"/>.</summary>
    /// <returns>false when the packet is too large or too old to keep.</returns>
    public bool Store(ushort seq, ReadOnlySpan<byte> packet, long nowMs)
    {
        if (packet.Length > MaxPacketSize)
            return false;
        if (!_any)
        {
            _any = true;
            _highest = seq;
        }
        else if (SequenceNumbers.IsNewer(seq, _highest))
        {
            int advance = (ushort)(seq - _highest);
            // Packets skipped over (lost upstream) must not leave an older packet answering for them.
            if (advance >= _slots.Length)
            {
                InvalidateAll();
            }
            else
            {
                for (int i = 1; i < advance; i++)
                    _slots[(_highest + i) & _mask].Valid = false;
            }

            _highest = seq;
        }
        else if ((ushort)(_highest - seq) >= _slots.Length)
        {
            return false; // reordered past the window
        }

        ref Slot slot = ref _slots[seq & _mask];
        slot.Data ??= new byte[MaxPacketSize];
        packet.CopyTo(slot.Data);
        slot.Length = packet.Length;
        slot.Seq = seq;
        slot.Valid = true;
        slot.StoredAtMs = nowMs;
        return true;
    }

    /// <summary>The stored packet with <paramref name="seq"/>, or empty when it is gone or too old.</summary>
    public ReadOnlySpan<byte> Get(ushort seq, long nowMs)
    {
        if (!_any || (ushort)(_highest - seq) >= _slots.Length)
            return default;
        ref Slot slot = ref _slots[seq & _mask];
        if (!slot.Valid || slot.Seq != seq || nowMs - slot.StoredAtMs > _maxAgeMs)
            return default;
        return slot.Data.AsSpan(0, slot.Length);
    }

    /// <summary>Forgets everything (a new source: the old numbers mean nothing any more).</summary>
    public void Clear()
    {
        InvalidateAll();
        _any = false;
    }

    private void InvalidateAll()
    {
        for (int i = 0; i < _slots.Length; i++)
            _slots[i].Valid = false;
    }
}
