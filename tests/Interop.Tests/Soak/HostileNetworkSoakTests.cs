using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MobZ.TestKit;
using MobZ.TestKit.Redis;
using MobZ.TestKit.WebSockets;
using Xunit.Abstractions;

namespace MobZ.Interop.Tests.Soak;

/// <summary>The soak runs alone: its bounds are about the server under attack, not about other suites sharing two
/// cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoakCollection
{
    public const string Name = "soak";
}

/// <summary>
/// Issue 10, "Hostile and unlucky networks": a live call (aiortc publisher → Munit → aiortc viewer) runs on the local
/// stack — its own process, so /proc measures the server alone — while an attacker on loopback sends DTLS alerts and
/// forged SRTP spoofed from both call peers' addresses (raw socket), random garbage to the Munit's port, opens 1,000
/// half-open viewers (real offers answered over signaling, ICE passed, DTLS started and abandoned) and a WebSocket
/// client that never reads; a second room's round trip is measured throughout. docs/soak.md explains the bounds.
/// </summary>
[Trait("Category", "Interop")]
[Collection(SoakCollection.Name)]
public sealed class HostileNetworkSoakTests(ITestOutputHelper output)
{
    /// <summary>The call keeps this share of the packet rate it had before the attack (the issue's 95 %).</summary>
    private const double MinPacketRateShare = 0.95;

    /// <summary>
    /// Another room's Heartbeat round trip (signaling and Redis, no media) never exceeds this: a user notices a second;
    /// an attacker must not be able to buy that delay for everybody else.
    /// </summary>
    private static readonly TimeSpan MaxOtherRoomRoundTrip = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Peak resident memory of the server: idle it is about 110 MB; 500 idle sockets and 1,000 half-open peers measured
    /// about 160 MB more (bench/RESULTS.md, "Soak suite"). 512 MB leaves room for GC timing and still catches a leak
    /// of 300 KB per attacker connection.
    /// </summary>
    private const long MaxRssBytes = 512L * 1024 * 1024;

    /// <summary>
    /// Peak threads of the server: idle it runs about 25 (Kestrel, the thread pool, the Munit's socket thread,
    /// Redis). Handshakes in progress must not own a thread each — with one thread per handshake, 1,000 half-open
    /// peers bought 1,028 threads.
    /// </summary>
    private const int MaxThreads = 64;

    /// <summary>1,000 by the issue; MOBZ_SOAK_HALF_OPEN_PEERS changes it for a quick look at the suite
    /// itself.</summary>
    private static readonly int HalfOpenPeers =
        int.TryParse(Environment.GetEnvironmentVariable("MOBZ_SOAK_HALF_OPEN_PEERS"), out var n) && n > 0 ? n : 1000;
    private const int IdleWebSockets = 500;
    private const int HalfOpenConcurrency = 32;
    private static readonly TimeSpan Baseline = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FullAttack = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Under_attack_the_call_keeps_its_rate_and_the_server_its_memory_threads_and_round_trips()
    {
        var clock = Stopwatch.StartNew();
        Report("---- start");
        await using var redis = await RedisServer.StartPrivateAsync();
        // 1,000 half-open viewers in the call's room: the attacker holds a token for it, as any invitee does.
        using var stack = await StackProcess.StartAsync(redis.Configuration, "--MobZ:Rooms:MaxM2mViewers=2000");
        var samples = new ConcurrentQueue<(TimeSpan At, long Rss, int Threads)>();
        using var stopSampling = new CancellationTokenSource();
        var sampling = SampleAsync(stack, clock, samples, stopSampling.Token);
        await Task.Delay(TimeSpan.FromSeconds(2)); // let start-up work (JIT, first GCs) settle before the idle figure
        var idle = stack.Sample();
        Report($"idle: RSS {Mb(idle.RssBytes)}, {idle.Threads} threads");

        // The live call, and another room's round trip measured from now to the end.
        string room = "soak-" + Guid.NewGuid().ToString("N")[..8];
        using var call = new SoakCall(
            await stack.RoomsUrlAsync(room),
            await stack.RoomsUrlAsync(room),
            room,
            clock,
            output
        );
        var (publisherAddress, viewerAddress, munitAddress) = await call.Addresses.WaitAsync(Generous);
        Report(
            $"call up at {clock.Elapsed.TotalSeconds:F1} s: publisher {publisherAddress}, viewer {viewerAddress}, Munit {munitAddress}"
        );
        await using var probe = await RoundTripProbe
            .StartAsync(await stack.RoomsUrlAsync("rtt-" + room), "rtt-" + room)
            .WaitAsync(Generous);
        Report("probe up");

        // RSS per idle WebSocket connection (admitted at $connect, nothing more).
        var beforeSockets = stack.Sample();
        var idleSockets = new List<ClientWebSocket>();
        var idleUrl = await stack.RoomsUrlAsync("idle-" + room);
        for (int i = 0; i < IdleWebSockets; i += 50)
        {
            idleSockets.AddRange(
                await Task.WhenAll(
                    Enumerable
                        .Range(0, 50)
                        .Select(async _ =>
                        {
                            var socket = new ClientWebSocket();
                            using var timeout = new CancellationTokenSource(Generous);
                            await socket.ConnectAsync(idleUrl, timeout.Token);
                            return socket;
                        })
                )
            );
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        var afterSockets = stack.Sample();
        double perSocket = (afterSockets.RssBytes - beforeSockets.RssBytes) / (double)IdleWebSockets;
        Report(
            $"{IdleWebSockets} idle WebSockets: RSS {Mb(beforeSockets.RssBytes)} → {Mb(afterSockets.RssBytes)} ({Kb(perSocket)} each), threads {beforeSockets.Threads} → {afterSockets.Threads}"
        );

        // The call's packet rate before the attack.
        var baselineFrom = clock.Elapsed;
        await Task.Delay(Baseline);
        var before = call.RatesBetween(baselineFrom, clock.Elapsed);
        Report(
            $"call before the attack: publisher sends {before.Sent:F1} packets/s, viewer receives {before.Received:F1}"
        );
        double unauthenticatedBefore = await stack.MetricAsync(
            "mobz_munit_transport_dropped_total",
            "dtls_unauthenticated"
        );
        double srtpRejectedBefore = await stack.MetricAsync("mobz_munit_transport_dropped_total", "srtp_rejected");

        // The attack.
        var attackFrom = clock.Elapsed;
        using var stopAttack = new CancellationTokenSource();
        var spoofing = Task.Factory.StartNew(
            () => Spoof([publisherAddress, viewerAddress], munitAddress, stopAttack.Token),
            TaskCreationOptions.LongRunning
        );
        var garbage = Task.Factory.StartNew(
            () => SendGarbage(munitAddress, stopAttack.Token),
            TaskCreationOptions.LongRunning
        );
        using var nonReader = await NonReadingWebSocket.ConnectAsync(await stack.RoomsUrlAsync(room));
        var flooding = FloodAsync(nonReader, room, stopAttack.Token);

        Report("attack started");
        var beforeHalfOpen = stack.Sample();
        var peers = new ConcurrentBag<HalfOpenPeer>();
        var failures = new ConcurrentBag<string>();
        var halfOpenUrl = await stack.RoomsUrlAsync(room);
        using (var gate = new SemaphoreSlim(HalfOpenConcurrency))
        {
            await Task.WhenAll(
                Enumerable
                    .Range(0, HalfOpenPeers)
                    .Select(async _ =>
                    {
                        await gate.WaitAsync();
                        try
                        {
                            peers.Add(await HalfOpenPeer.OpenAsync(halfOpenUrl, room, clock, TimeSpan.FromSeconds(20)));
                        }
                        catch (Exception e)
                            when (e
                                    is InvalidOperationException
                                        or OperationCanceledException
                                        or WebSocketException
                                        or SocketException
                            )
                        {
                            failures.Add(e.GetType().Name + ": " + e.Message);
                        }
                        finally
                        {
                            gate.Release();
                        }
                    })
            );
        }
        var afterHalfOpen = stack.Sample();
        var hellos = peers.Where(p => p.ServerHelloAt is not null).Select(p => p.ServerHelloAt!.Value).Order().ToList();
        double handshakesPerSecond = hellos.Count < 2 ? 0 : hellos.Count / (hellos[^1] - attackFrom).TotalSeconds;
        double perHalfOpen = (afterHalfOpen.RssBytes - beforeHalfOpen.RssBytes) / (double)HalfOpenPeers;
        Report(
            $"{peers.Count} half-open peers in {(clock.Elapsed - attackFrom).TotalSeconds:F1} s ({failures.Count} failed: {string.Join("; ", failures.Distinct().Take(3))}); "
                + $"{hellos.Count} ServerHello flights, {handshakesPerSecond:F0} handshakes started/s; RSS {Mb(beforeHalfOpen.RssBytes)} → {Mb(afterHalfOpen.RssBytes)} "
                + $"({Kb(perHalfOpen)} per half-open peer with its WebSocket), threads {beforeHalfOpen.Threads} → {afterHalfOpen.Threads}"
        );

        // Everything at once for a while longer: the spoofer, the garbage, the non-reader and 1,000 abandoned
        // handshakes.
        var fullFrom = clock.Elapsed;
        await Task.Delay(FullAttack);
        var attackTo = clock.Elapsed;
        await stopAttack.CancelAsync();
        long spoofed = await spoofing,
            garbageSent = await garbage;
        await flooding;
        var during = call.RatesBetween(attackFrom, attackTo);
        var full = call.RatesBetween(fullFrom, attackTo);
        double unauthenticated =
            await stack.MetricAsync("mobz_munit_transport_dropped_total", "dtls_unauthenticated")
            - unauthenticatedBefore;
        double srtpRejected =
            await stack.MetricAsync("mobz_munit_transport_dropped_total", "srtp_rejected") - srtpRejectedBefore;
        await stopSampling.CancelAsync();
        await sampling;
        var attackSamples = samples.Where(s => s.At >= attackFrom).ToList();
        long peakRss = attackSamples.Max(s => s.Rss);
        int peakThreads = attackSamples.Max(s => s.Threads);
        var roundTrips = probe.Stop();
        Report(
            $"attack {(attackTo - attackFrom).TotalSeconds:F1} s: {spoofed} spoofed datagrams ({unauthenticated} DTLS records refused as unauthenticated, "
                + $"{srtpRejected} SRTP packets refused), {garbageSent} garbage datagrams"
        );
        Report(
            $"call during the attack: sends {during.Sent:F1} packets/s, receives {during.Received:F1} ({during.Received / before.Received:P1} of before); "
                + $"with all 1,000 half-open: receives {full.Received:F1} ({full.Received / before.Received:P1})"
        );
        Report($"peak during the attack: RSS {Mb(peakRss)}, {peakThreads} threads");
        Report(
            $"other room: {roundTrips.Count} Heartbeat round trips, worst {roundTrips.Max().TotalMilliseconds:F0} ms, "
                + $"median {roundTrips.Order().ElementAt(roundTrips.Count / 2).TotalMilliseconds:F0} ms"
        );
        Report($"load: {File.ReadAllText("/proc/loadavg").Trim()}");

        Assert.False(stack.HasExited, "the server survived:\n" + stack.RecentLog);
        Assert.False(call.HasExited, "the call is still running");
        Assert.Equal(HalfOpenPeers, peers.Count);
        Assert.True(hellos.Count > 0, "the half-open peers made the server start DTLS handshakes");
        Assert.True(unauthenticated > 0, "the spoofed alerts reached the call's DTLS sessions (and were refused)");
        Assert.True(
            during.Received >= MinPacketRateShare * before.Received,
            $"the call kept {during.Received / before.Received:P1} of its packet rate; at least {MinPacketRateShare:P0} expected"
        );
        Assert.True(
            full.Received >= MinPacketRateShare * before.Received,
            $"with every half-open peer in place the call kept {full.Received / before.Received:P1} of its packet rate"
        );
        Assert.True(
            roundTrips.Max() < MaxOtherRoomRoundTrip,
            $"another room's round trip reached {roundTrips.Max().TotalMilliseconds:F0} ms"
        );
        Assert.NotNull(await nonReader.CloseStatusAsync(TimeSpan.FromSeconds(10))); // cut off, not left to grow
        Assert.True(peakRss < MaxRssBytes, $"peak RSS {Mb(peakRss)} over the bound of {Mb(MaxRssBytes)}");
        Assert.True(
            peakThreads < MaxThreads,
            $"peak of {peakThreads} threads; at most {MaxThreads - 1} expected (one per handshake in progress?)"
        );

        foreach (var peer in peers)
            await peer.DisposeAsync();
        foreach (var socket in idleSockets)
            socket.Dispose();
    }

    /// <summary>
    /// From both call peers' own addresses: fatal alerts in the clear (epoch 0) and "protected" alerts of random bytes
    /// (epoch 1) — after the handshake only an authentic alert may end a session — and forged SRTP. About 600 a second.
    /// </summary>
    private static long Spoof(IPEndPoint[] victims, IPEndPoint munit, CancellationToken stop)
    {
        using var raw = new SpoofedDatagrams();
        byte[] clearAlert = [21, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0x63, 0, 2, 2, 40]; // fatal handshake_failure
        var protectedAlert = new byte[13 + 26];
        var srtp = new byte[200];
        return Paced(600, stop, n =>
        {
            var victim = victims[n % victims.Length];
            switch (n / victims.Length % 3)
            {
                case 0:
                    raw.Send(victim, munit, clearAlert);
                    break;
                case 1:
                    RandomNumberGenerator.Fill(protectedAlert);
                    protectedAlert[0] = 21;
                    (protectedAlert[1], protectedAlert[2], protectedAlert[3], protectedAlert[4]) = (
                        (byte)0xFE,
                        (byte)0xFD,
                        (byte)0,
                        (byte)1
                    );
                    (protectedAlert[11], protectedAlert[12]) = ((byte)0, (byte)26);
                    raw.Send(victim, munit, protectedAlert);
                    break;
                default:
                    RandomNumberGenerator.Fill(srtp);
                    (srtp[0], srtp[1]) = ((byte)0x80, (byte)(srtp[1] & 0x7F | 0x60));
                    raw.Send(victim, munit, srtp);
                    break;
            }
        });
    }

    /// <summary>Random datagrams of random lengths (every first byte: STUN, DTLS, RTP and nothing) from an unknown
    /// address, 1,000 a second.</summary>
    private static long SendGarbage(IPEndPoint munit, CancellationToken stop)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var datagram = new byte[1200];
        return Paced(1000, stop, _ =>
        {
            int length = RandomNumberGenerator.GetInt32(1, datagram.Length);
            RandomNumberGenerator.Fill(datagram.AsSpan(0, length));
            socket.SendTo(datagram, 0, length, SocketFlags.None, munit);
        });
    }

    /// <summary>Calls <paramref name="send"/> <paramref name="perSecond"/> times a second until stopped; returns how
    /// many times.</summary>
    private static long Paced(int perSecond, CancellationToken stop, Action<int> send)
    {
        var started = Stopwatch.StartNew();
        int sent = 0;
        while (!stop.IsCancellationRequested)
        {
            while (sent < started.Elapsed.TotalSeconds * perSecond)
                send(sent++);
            Thread.Sleep(1); // a traffic generator's pacing, not a wait for a condition
        }
        return sent;
    }

    /// <summary>The client that never reads: joins the call's room and asks for large replies (its requestId comes back
    /// in each HeartbeatAck) until the gateway cuts it off.</summary>
    private static async Task FloodAsync(NonReadingWebSocket client, string room, CancellationToken stop)
    {
        await client.SendTextAsync(
            JsonSerializer.Serialize(
                new
                {
                    action = "Join",
                    requestId = "j",
                    roomId = room,
                    roomKind = "m2m",
                    role = "viewer",
                }
            )
        );
        string heartbeat = JsonSerializer.Serialize(
            new { action = "Heartbeat", requestId = new string('x', 16 * 1024) }
        );
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
                await client.SendTextAsync(heartbeat, stop);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // Stopped, or the server closed the connection: both expected.
        }
    }

    private static async Task SampleAsync(
        StackProcess stack,
        Stopwatch clock,
        ConcurrentQueue<(TimeSpan, long, int)> samples,
        CancellationToken stop
    )
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var (rss, threads) = stack.Sample();
                samples.Enqueue((clock.Elapsed, rss, threads));
            }
        }
        catch (OperationCanceledException)
        {
            // Done.
        }
    }

    /// <summary>To the test's output, and to artifacts/soak.log as it happens (the figures of the last run; progress
    /// while it runs).</summary>
    private void Report(string line)
    {
        output.WriteLine($"[soak] {line}");
        File.AppendAllText(
            Path.Combine(MobZ.TestKit.Repository.Repo.Artifacts, "soak.log"),
            $"{DateTime.UtcNow:HH:mm:ss.f} {line}\n"
        );
    }

    private static string Mb(double bytes) => $"{bytes / (1024 * 1024):F0} MB";

    private static string Kb(double bytes) => $"{bytes / 1024:F1} KB";

    /// <summary>A member of another room that sends a Heartbeat every 100 ms and times each HeartbeatAck.</summary>
    private sealed class RoundTripProbe : IAsyncDisposable
    {
        private readonly ClientWebSocket _socket = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TimeSpan> _roundTrips = [];
        private Task _running = Task.CompletedTask;

        public static async Task<RoundTripProbe> StartAsync(Uri url, string room)
        {
            var probe = new RoundTripProbe();
            await probe._socket.ConnectAsync(url, CancellationToken.None);
            await probe.RoundTripAsync(
                JsonSerializer.Serialize(
                    new
                    {
                        action = "Join",
                        requestId = "join",
                        roomId = room,
                        roomKind = "p2p",
                        role = "publisher",
                    }
                ),
                "join"
            );
            probe._running = probe.RunAsync();
            return probe;
        }

        public List<TimeSpan> Stop()
        {
            _stop.Cancel();
            _running.GetAwaiter().GetResult();
            lock (_roundTrips)
                return [.. _roundTrips];
        }

        private async Task RunAsync()
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            try
            {
                for (int i = 0; await timer.WaitForNextTickAsync(_stop.Token); i++)
                {
                    string id = "hb" + i;
                    var took = await RoundTripAsync(
                        JsonSerializer.Serialize(new { action = "Heartbeat", requestId = id }),
                        id
                    );
                    lock (_roundTrips)
                        _roundTrips.Add(took);
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        /// <summary>Sends a request and reads until the reply carrying its requestId (an Error fails the
        /// probe).</summary>
        private async Task<TimeSpan> RoundTripAsync(string request, string requestId)
        {
            var started = Stopwatch.GetTimestamp();
            await _socket.SendAsync(
                Encoding.UTF8.GetBytes(request),
                WebSocketMessageType.Text,
                true,
                CancellationToken.None
            );
            var buffer = new byte[64 * 1024];
            while (true)
            {
                int length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                } while (!result.EndOfMessage);
                using var reply = JsonDocument.Parse(buffer.AsMemory(0, length));
                if (reply.RootElement.TryGetProperty("requestId", out var id) && id.GetString() == requestId)
                {
                    if (reply.RootElement.GetProperty("action").GetString() == "Error")
                    {
                        throw new InvalidOperationException(
                            "the probe's request failed: " + reply.RootElement.GetRawText()
                        );
                    }

                    return Stopwatch.GetElapsedTime(started);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stop.IsCancellationRequested)
                Stop();
            _socket.Abort();
            _socket.Dispose();
            await Task.CompletedTask;
        }
    }
}
