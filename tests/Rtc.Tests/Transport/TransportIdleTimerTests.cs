using System.Net;
using System.Net.Sockets;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Transport;
using MobZ.TestKit;
using MobZ.TestKit.Time;

namespace MobZ.Rtc.Tests.Transport;

/// <summary>
/// The transport's housekeeping tick (consent freshness, ICE-TCP deadlines) costs wake-ups on every standby Munit, so
/// it exists only while a peer or an ICE-TCP connection does: an idle transport holds no timer, the first peer or
/// connection arms it, and the tick after the last one is gone drops it.
/// </summary>
public sealed class TransportIdleTimerTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_transport_with_no_peers_holds_no_timer()
    {
        var time = new TimerCountingTimeProvider();
        using var transport = new RtcUdpTransport(
            new RtcTransportOptions { TimeProvider = time, TimerInterval = Tick }
        );

        for (int i = 0; i < 60; i++)
            time.Advance(Tick);

        Assert.Equal(0, time.LiveTimers);
        Assert.Equal(0, time.FiredTimers);
    }

    [Fact]
    public void A_peer_arms_the_tick_which_expires_its_consent_and_then_goes_away()
    {
        var time = new TimerCountingTimeProvider();
        using var transport = new RtcUdpTransport(
            new RtcTransportOptions
            {
                TimeProvider = time,
                TimerInterval = Tick,
                Ice = new IceLiteOptions { ConsentTimeout = TimeSpan.FromSeconds(5) },
            }
        );
        var handler = new RecordingPeerHandler();
        var peer = transport.CreatePeer(Remote("cli1"), handler);
        Assert.Equal(1, time.LiveTimers);

        // Never checked: the tick on the transport's clock fails the peer when its consent timeout has passed.
        for (int i = 0; i < 4; i++)
            time.Advance(Tick);
        Assert.Equal(RtcPeerState.Checking, peer.State);
        time.Advance(Tick);

        Assert.Equal(RtcPeerState.Failed, peer.State);
        Assert.Equal(0, transport.PeerCount);
        Assert.Equal(0, time.LiveTimers);
        int fired = time.FiredTimers;
        for (int i = 0; i < 60; i++)
            time.Advance(Tick);
        Assert.Equal(fired, time.FiredTimers);

        // The next peer arms it again.
        transport.CreatePeer(Remote("cli2"), new RecordingPeerHandler());
        Assert.Equal(1, time.LiveTimers);
    }

    [Fact]
    public async Task An_ice_tcp_connection_arms_the_tick_that_enforces_its_binding_timeout()
    {
        var time = new TimerCountingTimeProvider();
        using var transport = new RtcUdpTransport(
            new RtcTransportOptions
            {
                BindAddress = IPAddress.Loopback,
                TimeProvider = time,
                TimerInterval = Tick,
                Tcp = new IceTcpOptions { TimeProvider = time, BindingTimeout = TimeSpan.FromSeconds(5) },
            }
        );
        Assert.Equal(0, time.LiveTimers);

        // A connection that never sends a binding request, and no peer at all.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await silent.ConnectAsync(transport.TcpEndPoint!);
        await Eventually.WaitUntilAsync(() => time.LiveTimers == 1, Deadline, "the accepted connection armed the tick");

        for (int i = 0; i < 6; i++)
            time.Advance(Tick);

        await Eventually.WaitUntilAsync(
            () => transport.Counters.TcpDropped(IceTcpDropReason.NoBinding) == 1,
            Deadline,
            "the tick closed the connection at its binding timeout"
        );
        Assert.Equal(0, transport.Counters.TcpOpen);
        time.Advance(Tick);
        Assert.Equal(0, time.LiveTimers);
    }

    private static RtcRemoteParameters Remote(string ufrag) =>
        new(ufrag, "clientpasswordclientpassword", MobZ.Rtc.Dtls.DtlsCertificate.Generate().Fingerprint, "actpass");
}
