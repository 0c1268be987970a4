using System.Buffers;
using System.Runtime.CompilerServices;

namespace MobZ.Hls.Packaging;

/// <summary>
/// A growable byte buffer on <see cref="ArrayPool{T}.Shared"/>. Once it has grown to the stream's working
/// size, appending and resetting allocate nothing. Public for the store writer (src/Hls.Serving), which buffers a
/// segment in one.
/// </summary>
public sealed class PooledByteBuffer : IDisposable
{
    private byte[] _array;
    private int _length;

    public PooledByteBuffer(int initialCapacity = 4096)
    {
        _array = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    public int Length => _length;

    public Span<byte> WrittenSpan => _array.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, _length);

    public void Reset() => _length = 0;

    /// <summary>Drops everything after <paramref name="length"/>.</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _length);
        _length = length;
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        Reserve(data.Length);
        data.CopyTo(_array.AsSpan(_length));
        _length += data.Length;
    }

    public void AppendByte(byte value)
    {
        Reserve(1);
        _array[_length++] = value;
    }

    /// <summary>Advances by <paramref name="count"/> bytes and returns them for the caller to fill.</summary>
    public Span<byte> AppendSpan(int count)
    {
        Reserve(count);
        Span<byte> span = _array.AsSpan(_length, count);
        _length += count;
        return span;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Reserve(int count)
    {
        if (_array.Length - _length < count)
        {
            Grow(count);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int count)
    {
        byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_array.Length * 2, _length + count));
        _array.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = bigger;
    }

    public void Dispose()
    {
        if (_array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = [];
            _length = 0;
        }
    }
}
