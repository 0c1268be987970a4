using MobZ.Rtc.Codecs;

namespace MobZ.Munit.Rtp;

/// <summary>
/// The per-viewer numbering of a VP8 stream's payload descriptor (RFC 7741 §4.2): PictureID, TL0PICIDX and
/// KEYIDX, continuous across source changes as <see cref="RtpRewriter"/> keeps sequence numbers and timestamps.
/// Each simulcast layer counts its pictures on its own, so without this a viewer's decoder sees PictureID jump
/// (and TL0PICIDX, which it uses to tell a lost base-layer frame) at every layer switch. Values are written in
/// place in the outgoing copy, in the width the packet has.
/// </summary>
public sealed class Vp8Munger
{
    private Field _pictureId = default;
    private Field _tl0PicIdx = default;
    private Field _keyIdx = default;

    /// <summary>The next packet comes from a new source: its first picture follows the last one sent.</summary>
    public void RequestResync()
    {
        _pictureId.Synced = false;
        _tl0PicIdx.Synced = false;
        _keyIdx.Synced = false;
    }

    /// <summary>Renumbers the descriptor at the start of <paramref name="payload"/> in place.</summary>
    /// <returns>false when the payload has no readable descriptor (the packet goes out as it came).</returns>
    public bool Munge(Span<byte> payload, out Vp8Numbers written)
    {
        written = default;
        if (!Vp8PayloadDescriptor.TryRead(payload, out var d))
            return false;
        int pictureId = d.HasPictureId ? _pictureId.Map(d.PictureId, d.HasLongPictureId ? 15 : 7) : 0;
        int tl0 = d.HasTl0PicIdx ? _tl0PicIdx.Map(d.Tl0PicIdx, 8) : 0;
        int keyIdx = d.HasKeyIdx ? _keyIdx.Map(d.KeyIdx, 5) : 0;
        written = new Vp8Numbers((ushort)pictureId, (byte)tl0, (byte)keyIdx);
        Vp8PayloadDescriptor.Rewrite(payload, d, pictureId, (byte)tl0, keyIdx);
        return true;
    }

    /// <summary>Writes numbers chosen before (a retransmission must carry what the original carried).</summary>
    public static void Restore(Span<byte> payload, Vp8Numbers numbers)
    {
        if (Vp8PayloadDescriptor.TryRead(payload, out var d))
            Vp8PayloadDescriptor.Rewrite(payload, d, numbers.PictureId, numbers.Tl0PicIdx, numbers.KeyIdx);
    }

    /// <summary>
    /// One number space. The input is unwrapped (by the width the packet carries it in) into a running count, so
    /// the output is that count plus an offset; a resync picks the offset that puts the new source's first value
    /// one past the highest value sent so far.
    /// </summary>
    private struct Field
    {
        private long _extended;
        private int _lastIn;
        private long _offset;
        private long _maxOut;
        private bool _haveOut;

        /// <summary>False until the first value, and again after a source change.</summary>
        public bool Synced;

        /// <returns>the output value, masked to <paramref name="width"/> bits.</returns>
        public int Map(int value, int width)
        {
            if (!Synced)
            {
                _extended = value;
                _offset = _haveOut ? _maxOut + 1 - value : 0;
                Synced = true;
            }
            else
            {
                int mask = (1 << width) - 1;
                int delta = (value - _lastIn) & mask;
                if (delta >= 1 << (width - 1))
                    delta -= 1 << width; // an older value (reordered, or a retransmission from the publisher)
                _extended += delta;
            }
            _lastIn = value;
            long output = _extended + _offset;
            if (!_haveOut || output > _maxOut)
                _maxOut = output;
            _haveOut = true;
            return (int)(output & ((1L << width) - 1));
        }
    }
}

/// <summary>The VP8 descriptor numbers one packet was sent with (fields the packet lacks are 0).</summary>
public readonly record struct Vp8Numbers(ushort PictureId, byte Tl0PicIdx, byte KeyIdx);
