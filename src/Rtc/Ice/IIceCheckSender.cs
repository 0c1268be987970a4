namespace MobZ.Rtc.Ice;

/// <summary>Where a controlling agent writes its binding requests: the socket towards the remote candidate.</summary>
public interface IIceCheckSender
{
    void SendStun(ReadOnlySpan<byte> datagram);
}
