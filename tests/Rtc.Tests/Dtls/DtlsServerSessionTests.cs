using System.Buffers.Binary;
using MobZ.Rtc.Dtls;
using MobZ.TestKit;

namespace MobZ.Rtc.Tests.Dtls;

/// <summary>
/// The event-driven DTLS server against BouncyCastle's client (an independent implementation), with the
/// server's clock faked: retransmission and timeout happen when the test advances time, never by waiting.
/// </summary>
public class DtlsServerSessionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Handshake_completes_and_both_sides_export_the_same_srtp_keys()
    {
        using var pair = new DtlsTestPair();
        pair.Session.Start();
        await pair.StartClient().WaitAsync(Timeout);

        Assert.Null(pair.ClientError);
        Assert.Equal(DtlsSessionState.Connected, pair.Session.State);
        Assert.Equal(1, pair.Connected);
        var (client, server) = pair.ClientKeys!.Value;
        Assert.Equal(pair.Client.Profile, pair.Session.Profile);
        Assert.Equal(client.MasterKey.ToArray(), pair.Session.RemoteKeys!.MasterKey.ToArray());
        Assert.Equal(client.MasterSalt.ToArray(), pair.Session.RemoteKeys.MasterSalt.ToArray());
        Assert.Equal(server.MasterKey.ToArray(), pair.Session.LocalKeys!.MasterKey.ToArray());
        Assert.Equal(server.MasterSalt.ToArray(), pair.Session.LocalKeys.MasterSalt.ToArray());
    }

    [Fact]
    public async Task Our_flight_is_resent_when_the_retransmission_timer_fires_with_backoff()
    {
        using var pair = new DtlsTestPair();
        var clientHello = await CaptureClientHelloAsync(pair);
        pair.ServerToClient = (_, _) => false; // every flight is lost

        pair.DeliverToServer(clientHello);
        int flight = pair.ServerSent.Count;
        Assert.True(flight > 0);

        pair.Time.Advance(pair.Options.RetransmitInitial - TimeSpan.FromMilliseconds(1));
        Assert.Equal(flight, pair.ServerSent.Count);
        pair.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2 * flight, pair.ServerSent.Count);
        // The interval doubles: nothing one initial interval later, the third copy after two.
        pair.Time.Advance(pair.Options.RetransmitInitial);
        Assert.Equal(2 * flight, pair.ServerSent.Count);
        pair.Time.Advance(pair.Options.RetransmitInitial);
        Assert.Equal(3 * flight, pair.ServerSent.Count);
        Assert.Equal(DtlsSessionState.Handshaking, pair.Session.State);
    }

    [Fact]
    public async Task A_lost_server_flight_is_resent_by_the_timer_and_the_handshake_then_completes()
    {
        using var pair = new DtlsTestPair();
        // The first transmission of our first flight is lost; from the first datagram sent again, all get through.
        // A datagram is "sent again" when its records' bodies went out before (a resend keeps the handshake messages
        // and changes only the record headers' sequence numbers).
        var seen = new HashSet<string>();
        int resentDelivered = 0;
        pair.ServerToClient = (_, datagram) =>
        {
            lock (seen)
            {
                if (Volatile.Read(ref resentDelivered) > 0)
                    return true;
                if (seen.Add(RecordBodies(datagram)))
                    return false;
                Interlocked.Increment(ref resentDelivered);
                return true;
            }
        };
        pair.Session.Start();
        var client = pair.StartClient();
        await Eventually.WaitUntilAsync(() => !pair.ServerSent.IsEmpty, Timeout, "the server answers the ClientHello");

        // The timer is armed once the whole flight is out, on the thread that delivered the ClientHello: move the
        // clock an interval at a time until the flight goes again.
        await Eventually.WaitUntilAsync(
            () =>
            {
                pair.Time.Advance(pair.Options.RetransmitInitial);
                return Volatile.Read(ref resentDelivered) > 0;
            },
            Timeout,
            "the retransmission timer sends the lost flight again"
        );
        await client.WaitAsync(Timeout);

        Assert.Null(pair.ClientError);
        Assert.Equal(DtlsSessionState.Connected, pair.Session.State);
    }

    [Fact]
    public async Task A_handshake_that_does_not_finish_fails_at_the_timeout_and_is_reported()
    {
        using var pair = new DtlsTestPair(time => new DtlsSessionOptions
        {
            TimeProvider = time,
            HandshakeTimeout = TimeSpan.FromSeconds(10),
        });
        var clientHello = await CaptureClientHelloAsync(pair);
        pair.ServerToClient = (_, _) => false;
        pair.DeliverToServer(clientHello);

        pair.Time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(DtlsSessionState.Handshaking, pair.Session.State);
        Assert.Null(pair.ClosedReason);
        pair.Time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(DtlsSessionState.Failed, pair.Session.State);
        Assert.Equal("handshake timed out", pair.ClosedReason);
        int sent = pair.ServerSent.Count;
        pair.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(sent, pair.ServerSent.Count); // no retransmission after the end
    }

    [Fact]
    public async Task Small_datagrams_both_ways_and_a_client_flight_delivered_backwards_still_complete()
    {
        // Our 256-byte limit fragments the Certificate and the ServerKeyExchange for the client to reassemble;
        // the client's 150-byte limit fragments its Certificate for us, and we get its flight in reverse order:
        // its Finished (epoch 1) before the ClientKeyExchange that yields the keys, fragments last-first.
        using var pair = new DtlsTestPair(
            time => new DtlsSessionOptions { TimeProvider = time, SendLimit = 256 },
            clientSendLimit: 150
        );
        pair.Session.Start();
        pair.HoldClientDatagrams = true;
        var client = pair.StartClient();
        // At 150 bytes the ClientHello itself comes in fragments; the server answers once it has them all.
        await Eventually.WaitUntilAsync(
            () =>
            {
                while (pair.HeldFromClient.TryDequeue(out var hello))
                    pair.DeliverToServer(hello);
                return !pair.ServerSent.IsEmpty;
            },
            Timeout,
            "the client sends its ClientHello and the server answers"
        );
        Assert.All(pair.ServerSent, datagram => Assert.True(datagram.Length <= 256));
        Assert.True(pair.ServerSent.Count >= 3);

        await Eventually.WaitUntilAsync(
            () => pair.HeldFromClient.Any(HasProtectedRecord),
            Timeout,
            "the client sends its second flight"
        );
        var flight = new List<byte[]>();
        while (pair.HeldFromClient.TryDequeue(out var datagram))
        {
            if (!IsClientHello(datagram)) // a retransmitted hello (the client's own timer) is not part of the flight
                flight.Add(datagram);
        }
        Assert.True(flight.Count >= 4, $"the client's flight spans {flight.Count} datagrams");
        pair.HoldClientDatagrams = false;
        for (int i = flight.Count - 1; i >= 0; i--)
            pair.DeliverToServer(flight[i]);

        Assert.Equal(DtlsSessionState.Connected, pair.Session.State);
        await client.WaitAsync(Timeout);
        Assert.Null(pair.ClientError);
        Assert.Equal(pair.ClientKeys!.Value.Client.MasterKey.ToArray(), pair.Session.RemoteKeys!.MasterKey.ToArray());
    }

    [Fact]
    public async Task A_client_certificate_that_does_not_match_the_sdp_fingerprint_is_refused()
    {
        var someoneElse = DtlsCertificate.Generate().Fingerprint;
        using var pair = new DtlsTestPair(expectedClient: someoneElse);
        pair.Session.Start();
        await pair.StartClient().WaitAsync(Timeout);

        Assert.NotNull(pair.ClientError); // the client got our fatal alert
        Assert.Equal(DtlsSessionState.Failed, pair.Session.State);
        Assert.Contains("fingerprint", pair.ClosedReason);
        Assert.Equal(0, pair.Connected);
    }

    [Fact]
    public async Task Forged_post_handshake_alerts_are_counted_and_ignored_and_close_notify_closes()
    {
        using var pair = new DtlsTestPair(time => new DtlsSessionOptions
        {
            TimeProvider = time,
            PostHandshakeLinger = TimeSpan.Zero,
        });
        pair.Session.Start();
        await pair.StartClient().WaitAsync(Timeout);
        Assert.Equal(DtlsSessionState.Connected, pair.Session.State);

        pair.DeliverToServer([21, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 5, 0, 2, 2, 40]); // epoch 1, not authentic
        pair.DeliverToServer([21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 2, 2, 40]); // epoch 0, never after keys
        Assert.Equal(DtlsSessionState.Connected, pair.Session.State);
        Assert.Equal(2, pair.Rejected);

        pair.Session.Close();
        Assert.Equal(DtlsSessionState.Closed, pair.Session.State);
        // Our close_notify is protected: one epoch-1 alert record of 13 + 8 + 2 + 16 bytes.
        var last = pair.ServerSent.Last();
        Assert.Equal(21, last[0]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(last.AsSpan(3)));
        Assert.Equal(39, last.Length);
    }

    private static async Task<byte[]> CaptureClientHelloAsync(DtlsTestPair pair)
    {
        pair.HoldClientDatagrams = true;
        _ = pair.StartClient();
        await Eventually.WaitUntilAsync(
            () => !pair.HeldFromClient.IsEmpty,
            Timeout,
            "the client sends its ClientHello"
        );
        Assert.True(pair.HeldFromClient.TryPeek(out var hello));
        Assert.True(IsClientHello(hello));
        return hello;
    }

    private static bool IsClientHello(byte[] datagram) =>
        datagram.Length > 13
        && datagram[0] == 22
        && datagram[13] == 1
        && BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(3)) == 0;

    private static bool HasProtectedRecord(byte[] datagram)
    {
        int offset = 0;
        while (offset + 13 <= datagram.Length)
        {
            if (BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(offset + 3)) == 1)
                return true;
            offset += 13 + BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(offset + 11));
        }
        return false;
    }

    private static string RecordBodies(byte[] datagram)
    {
        var bodies = new System.Text.StringBuilder();
        int offset = 0;
        while (DtlsRecords.TryReadNext(datagram, ref offset, out int start, out int length))
        {
            bodies.Append(
                Convert.ToHexString(
                    datagram.AsSpan(start + DtlsRecords.HeaderLength, length - DtlsRecords.HeaderLength)
                )
            );
        }

        return bodies.ToString();
    }
}
