namespace MobZ.Rtc.Transport;

/// <summary>
/// ICE over TCP (RFC 6544) beside the UDP port: one listening socket whose connections carry RFC 4571 frames, for
/// clients on networks that block UDP. Every bound is per connection, so one client cannot hold memory or the socket.
/// </summary>
public sealed class IceTcpOptions
{
    /// <summary>TCP port to listen on; null takes the UDP port's number, 0 any free port.</summary>
    public int? Port { get; init; }

    /// <summary>Largest frame accepted from a client; a WebRTC peer never sends more than an MTU-sized
    /// packet.</summary>
    public int MaxFrameLength { get; init; } = 1500;

    /// <summary>A connection whose first frames bring no binding request with our credentials in this time is
    /// closed.</summary>
    public TimeSpan BindingTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Bytes waiting for a client that reads slower than we send; packets beyond are dropped and
    /// counted.</summary>
    public int SendQueueBytes { get; init; } = 256 * 1024;

    /// <summary>A connection with queued bytes and no send progress for this long (a client that stopped reading) is
    /// closed.</summary>
    public TimeSpan SendStallTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Open connections at most; further ones are closed on accept and counted.</summary>
    public int MaxConnections { get; init; } = 2048;

    /// <summary>Clock of <see cref="BindingTimeout"/> and <see cref="SendStallTimeout"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
