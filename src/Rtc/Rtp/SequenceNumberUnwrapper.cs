namespace MobZ.Rtc.Rtp;

/// <summary>
/// Extends 16-bit sequence numbers to a monotonic 64-bit space by tracking wrap-arounds
/// (each value is placed nearest to the last one seen, so reordering across a wrap is handled).
/// </summary>
public struct SequenceNumberUnwrapper
{
    private long _last;
    private bool _started;

    public long Unwrap(ushort sequenceNumber)
    {
        if (!_started)
        {
            _started = true;
            _last = sequenceNumber;
            return _last;
        }

        _last += SequenceNumbers.Distance((ushort)_last, sequenceNumber);
        return _last;
    }

    /// <summary>The last unwrapped value, without updating; 0 before the first call.</summary>
    public readonly long Last => _last;

    public readonly bool Started => _started;
}
