using MobZ.Hls.Codecs;
using MobZ.Hls.Mp4;

namespace MobZ.Hls.Packaging;

/// <summary>
/// Opus packets waiting for the video part they fall into. The queue keeps the audio track gapless: a
/// packet overlapping audio already queued or sent is dropped, a short hole is absorbed by the previous
/// packet's duration, and a longer one (DTX, loss, a muted sender) is filled with 20 ms silence frames.
/// </summary>
internal sealed class AudioQueue : IDisposable
{
    private readonly record struct Frame(long Dts, int Offset, int Size, int Duration);

    private readonly List<Frame> _frames = new(64);
    private readonly PooledByteBuffer _data = new(16 * 1024);
    private readonly long _maxQueued;

    /// <param name="maxQueued">48 kHz ticks kept while no video part takes them; older audio is dropped.</param>
    public AudioQueue(long maxQueued)
    {
        _maxQueued = maxQueued;
    }

    /// <summary>Decode time right after the last queued (or already sent) audio.</summary>
    public long End { get; private set; }

    public long DroppedOverlapping { get; private set; }

    public void Enqueue(long dts, ReadOnlySpan<byte> packet, int duration)
    {
        if (dts < End)
        {
            DroppedOverlapping++;
            return;
        }

        FillTo(dts);
        if (dts > End && _frames.Count > 0)
        {
            Frame last = _frames[^1];
            _frames[^1] = last with { Duration = last.Duration + (int)(dts - End) };
        }

        Add(dts, packet, duration);
        TrimOverflow();
    }

    /// <summary>Fills silence from <see cref="End"/> up to <paramref name="dts"/> in whole 20 ms frames.</summary>
    public void FillTo(long dts)
    {
        while (dts - End >= OpusPacket.SilenceDuration)
        {
            Add(End, OpusPacket.Silence20Ms, OpusPacket.SilenceDuration);
        }
    }

    /// <summary>
    /// The track goes on at <paramref name="dts"/> after a hole in the video: queued audio from before it is
    /// dropped and nothing is filled in before it.
    /// </summary>
    public void Restart(long dts)
    {
        int drop = 0;
        while (drop < _frames.Count && _frames[drop].Dts < dts)
        {
            drop++;
        }

        if (drop > 0)
        {
            RemoveFirst(drop);
        }

        if (_frames.Count == 0)
        {
            End = Math.Max(End, dts);
        }
    }

    /// <summary>Moves every frame that starts before <paramref name="endDts"/> into the part's audio run.</summary>
    /// <returns>the first moved frame's decode time, or -1 when none.</returns>
    public long TakeUntil(long endDts, List<MediaSample> samples, PooledByteBuffer data)
    {
        int count = 0;
        while (count < _frames.Count && _frames[count].Dts < endDts)
        {
            count++;
        }

        if (count == 0)
        {
            return -1;
        }

        long first = _frames[0].Dts;
        for (int i = 0; i < count; i++)
        {
            Frame frame = _frames[i];
            samples.Add(new MediaSample(data.Length, frame.Size, (uint)frame.Duration, IsSync: true));
            data.Append(_data.WrittenSpan.Slice(frame.Offset, frame.Size));
        }

        RemoveFirst(count);
        return first;
    }

    private void Add(long dts, ReadOnlySpan<byte> packet, int duration)
    {
        _frames.Add(new Frame(dts, _data.Length, packet.Length, duration));
        _data.Append(packet);
        End = dts + duration;
    }

    private void TrimOverflow()
    {
        int drop = 0;
        while (drop < _frames.Count - 1 && End - _frames[drop].Dts > _maxQueued)
        {
            drop++;
        }

        if (drop > 0)
        {
            RemoveFirst(drop);
        }
    }

    private void RemoveFirst(int count)
    {
        if (count == _frames.Count)
        {
            _frames.Clear();
            _data.Reset();
            return;
        }

        int shift = _frames[count].Offset;
        Span<byte> bytes = _data.WrittenSpan;
        bytes[shift..].CopyTo(bytes);
        _data.Truncate(bytes.Length - shift);
        _frames.RemoveRange(0, count);
        for (int i = 0; i < _frames.Count; i++)
        {
            _frames[i] = _frames[i] with { Offset = _frames[i].Offset - shift };
        }
    }

    public void Dispose() => _data.Dispose();
}
