namespace MobZ.Munit.Routing;

/// <summary>
/// The send side of one peer connection as the forwarder sees it. The transport encrypts in place
/// (SRTP/SRTCP) and sends on the shared UDP socket; <paramref name="buffer"/> has room after
/// <paramref name="length"/> for the authentication tag.
/// </summary>
public interface IPeerOutput
{
    void SendRtp(Span<byte> buffer, int length);

    void SendRtcp(Span<byte> buffer, int length);
}
