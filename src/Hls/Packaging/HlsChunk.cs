using System.Buffers;

namespace MobZ.Hls.Packaging;

/// <summary>
/// Bytes of one init segment, part or segment on a pooled array. Whoever ends up holding it disposes it,
/// which gives the array back.
/// </summary>
public sealed class HlsChunk : IDisposable
{
    private byte[]? _array;

    internal HlsChunk(byte[] array, int length)
    {
        _array = array;
        Length = length;
    }

    internal static HlsChunk Rent(int capacity) => new(ArrayPool<byte>.Shared.Rent(capacity), 0);

    internal static HlsChunk CopyOf(ReadOnlySpan<byte> data)
    {
        HlsChunk chunk = Rent(Math.Max(1, data.Length));
        data.CopyTo(chunk._array);
        chunk.Length = data.Length;
        return chunk;
    }

    public int Length { get; internal set; }

    public ReadOnlyMemory<byte> Memory =>
        (_array ?? throw new ObjectDisposedException(nameof(HlsChunk))).AsMemory(0, Length);

    internal Span<byte> WritableSpan => (_array ?? throw new ObjectDisposedException(nameof(HlsChunk))).AsSpan();

    public void Dispose()
    {
        byte[]? array = Interlocked.Exchange(ref _array, null);
        if (array is not null)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
