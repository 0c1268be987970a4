using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Rtp;

/// <summary>
/// Maps one input sequence-number space onto one continuous output space (mediasoup's SeqManager idea).
/// <list type="bullet">
/// <item><see cref="Sync"/> re-bases after a source change (layer switch, publisher restart) so the next
/// input continues right after the highest output so far.</item>
/// <item><see cref="Drop"/> removes an input the forwarder chose not to send (padding, unselected layer)
/// so the receiver sees no gap and does not NACK it.</item>
/// <item><see cref="Input"/> maps an input, including reordered ones that arrive after later drops.</item>
/// </list>
/// Allocation-free: dropped inputs live in a fixed ring; an input older than the ring's window is mapped as
/// if no later drop had happened (it is too late to matter to a receiver's jitter buffer anyway).
/// </summary>
public sealed class SeqManager
{
    private const int DroppedCapacity = 256; // power of two

    // Dropped inputs in arrival (= ascending, since only in-order drops are kept) order.
    private readonly ushort[] _dropped = new ushort[DroppedCapacity];
    private int _droppedStart;
    private int _droppedCount;

    private ushort _base;
    private ushort _maxInput;
    private ushort _maxOutput;
    private bool _started;

    public ushort MaxOutput => _maxOutput;
    public ushort MaxInput => _maxInput;
    public bool Started => _started;

    /// <summary>The next input (<paramref name="firstInput"/>) will be output as MaxOutput + 1.</summary>
    public void Sync(ushort firstInput)
    {
        ClearDropped();
        if (!_started)
        {
            // Nothing output yet: keep the input numbering (output = input) until something is sent.
            _base = 0;
            _maxInput = (ushort)(firstInput - 1);
            return;
        }
        _base = (ushort)(_maxOutput + 1 - firstInput);
        _maxInput = (ushort)(firstInput - 1);
    }

    /// <summary>
    /// Marks an input as not forwarded. Only inputs newer than every input seen so far are recorded;
    /// dropping an old (reordered) input is meaningless because later outputs were already numbered.
    /// </summary>
    public void Drop(ushort input)
    {
        if (_started && !SequenceNumbers.IsNewer(input, _maxInput))
            return;
        _maxInput = input;
        if (!_started)
        {
            // Before the first output the drop just shifts where numbering starts.
            _base--;
            return;
        }
        if (_droppedCount == DroppedCapacity)
        {
            _droppedStart = (_droppedStart + 1) & (DroppedCapacity - 1);
            _droppedCount--;
        }
        _dropped[(_droppedStart + _droppedCount) & (DroppedCapacity - 1)] = input;
        _droppedCount++;
        _base--;
    }

    /// <returns>false when the input was dropped earlier and must not be sent.</returns>
    public bool Input(ushort input, out ushort output)
    {
        ushort baseForInput = _base;
        if (_droppedCount > 0)
        {
            ForgetStaleDrops(input);
            // Every recorded drop above this input already lowered _base; an older input predates them.
            for (int i = _droppedCount - 1; i >= 0; i--)
            {
                ushort d = _dropped[(_droppedStart + i) & (DroppedCapacity - 1)];
                if (d == input)
                {
                    output = 0;
                    return false;
                }
                if (SequenceNumbers.IsNewer(d, input))
                    baseForInput++;
                else
                    break;
            }
        }
        output = (ushort)(input + baseForInput);
        if (!_started)
        {
            _started = true;
            _maxInput = input;
            _maxOutput = output;
            return true;
        }
        if (SequenceNumbers.IsNewer(input, _maxInput))
            _maxInput = input;
        if (SequenceNumbers.IsNewer(output, _maxOutput))
            _maxOutput = output;
        return true;
    }

    private void ForgetStaleDrops(ushort input)
    {
        ushort newest = SequenceNumbers.IsNewer(input, _maxInput) ? input : _maxInput;
        while (_droppedCount > 0)
        {
            ushort oldest = _dropped[_droppedStart];
            // Keep drops within a quarter of the space behind the newest input; older ones can no longer be
            // told apart from wrapped-around numbers.
            if ((ushort)(newest - oldest) < 0x4000)
                break;
            _droppedStart = (_droppedStart + 1) & (DroppedCapacity - 1);
            _droppedCount--;
        }
    }

    private void ClearDropped()
    {
        _droppedStart = 0;
        _droppedCount = 0;
    }
}
