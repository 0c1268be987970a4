namespace MobZ.Munit.Buffers;

/// <summary>
/// Buffers the forwarder copies each outgoing packet into (SRTP encrypts in place, per subscriber, so the
/// shared decrypted packet cannot be sent as is). Every rented buffer goes back before the call returns.
/// </summary>
public interface IPacketBufferPool
{
    /// <summary>A buffer of at least <see cref="PacketBufferPool.BufferSize"/> bytes.</summary>
    byte[] Rent();

    void Return(byte[] buffer);
}
