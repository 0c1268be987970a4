using System.Buffers;

namespace MobZ.Munit.Buffers;

/// <summary>The production pool: <see cref="ArrayPool{T}.Shared"/>, whose per-thread cache makes a rent/return pair
/// allocation-free.</summary>
public sealed class PacketBufferPool : IPacketBufferPool
{
    /// <summary>An MTU-sized packet plus SRTP's auth tag and RTX's two-byte OSN, with room to spare.</summary>
    public const int BufferSize = 2048;

    public static PacketBufferPool Shared { get; } = new();

    public byte[] Rent() => ArrayPool<byte>.Shared.Rent(BufferSize);

    public void Return(byte[] buffer) => ArrayPool<byte>.Shared.Return(buffer);
}
