namespace MobZ.Rtc.Dtls;

/// <summary>Where a DTLS session writes its records: the shared UDP socket, addressed to the peer.</summary>
public interface IDtlsDatagramSender
{
    void SendDtls(ReadOnlySpan<byte> datagram);
}
