namespace MobZ.Rtc.Srtp;

/// <summary>
/// RFC 3711 §3.3.2 sliding replay window over 48-bit SRTP (or 31-bit SRTCP) indices, 128 packets
/// wide like libsrtp's so that reordered video bursts survive. <see cref="Check"/> is pure;
/// <see cref="Accept"/> is called only after the packet authenticated, so a forged packet can
/// never advance the window.
/// </summary>
public struct SrtpReplayWindow
{
    public const int Size = 128;

    private UInt128 _bits;
    private ulong _highest;
    private bool _started;

    public readonly ulong Highest => _highest;
    public readonly bool Started => _started;

    public readonly SrtpStatus Check(ulong index)
    {
        if (!_started || index > _highest)
            return SrtpStatus.Ok;
        ulong behind = _highest - index;
        if (behind >= Size)
            return SrtpStatus.ReplayTooOld;
        return (_bits & (UInt128.One << (int)behind)) != UInt128.Zero ? SrtpStatus.ReplayDuplicate : SrtpStatus.Ok;
    }

    public void Accept(ulong index)
    {
        if (!_started)
        {
            _started = true;
            _highest = index;
            _bits = UInt128.One;
            return;
        }
        if (index > _highest)
        {
            ulong ahead = index - _highest;
            _bits = ahead >= Size ? UInt128.One : (_bits << (int)ahead) | UInt128.One;
            _highest = index;
            return;
        }
        ulong behind = _highest - index;
        if (behind < Size)
            _bits |= UInt128.One << (int)behind;
    }
}
