using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Rtp;

/// <summary>
/// The per-subscriber numbering of one outgoing stream: sequence numbers through a <see cref="SeqManager"/>
/// and timestamps through an offset, both continuous across source changes (a simulcast layer switch, a
/// publisher that restarts with a new SSRC and random initial numbers).
/// </summary>
public sealed class RtpRewriter
{
    private readonly SeqManager _seq = new();
    private uint _tsOffset;
    private uint _maxOutputTs;
    private long _maxOutputTsAtMs;
    private bool _haveOutput;
    private bool _resyncPending = true;
    private uint _clockRate;

    public RtpRewriter(uint clockRate) => _clockRate = clockRate;

    public uint TimestampOffset => _tsOffset;
    public ushort MaxOutputSeq => _seq.MaxOutput;
    public uint MaxOutputTimestamp => _maxOutputTs;
    public bool HasOutput => _haveOutput;

    /// <summary>
    /// The next packet comes from a new source. Its numbers are chosen at the first packet (see
    /// <see cref="Rewrite"/>), so a switch decided ahead of the keyframe costs nothing.
    /// </summary>
    public void RequestResync() => _resyncPending = true;

    /// <summary>Marks a packet of the current source as intentionally not forwarded (no gap for the
    /// receiver).</summary>
    public void Drop(ushort inputSeq) => _seq.Drop(inputSeq);

    /// <returns>false when the packet must not be sent (it was dropped before).</returns>
    public bool Rewrite(ushort inputSeq, uint inputTs, long nowMs, out ushort outputSeq, out uint outputTs)
    {
        if (_resyncPending)
        {
            _seq.Sync(inputSeq);
            if (_haveOutput)
            {
                // No common clock with the old source: advance by the wall-clock time since the last output
                // (at least one tick, so the new frame is a new frame).
                long elapsedMs = Math.Max(0, nowMs - _maxOutputTsAtMs);
                uint advance = (uint)Math.Max(1, elapsedMs * _clockRate / 1000);
                _tsOffset = _maxOutputTs + advance - inputTs;
            }
            else
            {
                _tsOffset = 0;
            }
            _resyncPending = false;
        }
        if (!_seq.Input(inputSeq, out outputSeq))
        {
            outputTs = 0;
            return false;
        }
        outputTs = inputTs + _tsOffset;
        if (!_haveOutput || SequenceNumbers.IsNewer(outputTs, _maxOutputTs))
        {
            _maxOutputTs = outputTs;
            _maxOutputTsAtMs = nowMs;
        }
        _haveOutput = true;
        return true;
    }

    /// <summary>Where the source's timestamp <paramref name="inputTs"/> lands in the output timeline.</summary>
    public uint MapTimestamp(uint inputTs) => inputTs + _tsOffset;

    /// <summary>For a codec change on the same stream (rare); keeps continuity rules.</summary>
    public void SetClockRate(uint clockRate) => _clockRate = clockRate;
}
