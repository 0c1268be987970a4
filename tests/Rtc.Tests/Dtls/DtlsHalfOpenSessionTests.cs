using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Tests.Transport;
using MobZ.TestKit;
using Xunit.Abstractions;

namespace MobZ.Rtc.Tests.Dtls;

/// <summary>
/// Issue 10 item 4: anyone who sends an offer and a ClientHello used to get a handshake thread. Now a
/// half-open session is a few objects and two timers; it costs no thread and is gone after the timeout.
/// Runs alone (the process's thread count is the measurement).
/// </summary>
[Collection(nameof(AllocationMeasurement))]
public sealed class DtlsHalfOpenSessionTests(ITestOutputHelper output)
{
    private const int Sessions = 500;

    /// <summary>Room for the thread pool or the runtime starting a worker of its own meanwhile.</summary>
    private const int ThreadSlack = 8;

    /// <summary>Managed bytes a half-open session may keep (its flight is about 1 KB, the key and hash live
    /// natively).</summary>
    private const long MaxRetainedPerSession = 8 * 1024;

    [Fact]
    public async Task Five_hundred_half_open_sessions_start_no_threads_and_are_released_at_the_timeout()
    {
        byte[] clientHello;
        using (var capture = new DtlsTestPair())
        {
            capture.HoldClientDatagrams = true;
            _ = capture.StartClient();
            await Eventually.WaitUntilAsync(
                () => !capture.HeldFromClient.IsEmpty,
                TimeSpan.FromSeconds(30),
                "the client sends its ClientHello"
            );
            Assert.True(capture.HeldFromClient.TryPeek(out clientHello!));
        }
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var options = new DtlsSessionOptions { TimeProvider = time, HandshakeTimeout = TimeSpan.FromSeconds(30) };
        var certificate = DtlsCertificate.Generate();
        var observer = new CountingObserver();
        int threadsBefore = ThreadCount();

        var sessions = StartHalfOpen(certificate, options, observer, clientHello, out long retainedPerSession);
        output.WriteLine($"per half-open session: {retainedPerSession} managed bytes retained");
        Assert.InRange(retainedPerSession, 0, MaxRetainedPerSession);

        Assert.Equal(Sessions, observer.FlightsSent);
        Assert.InRange(ThreadCount() - threadsBefore, int.MinValue, ThreadSlack);
        time.Advance(TimeSpan.FromSeconds(5)); // retransmissions run on the timer queue, not on threads of their own
        Assert.InRange(ThreadCount() - threadsBefore, int.MinValue, ThreadSlack);

        time.Advance(TimeSpan.FromSeconds(25));
        Assert.Equal(Sessions, observer.Failed);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.All(sessions, session =>
            Assert.False(session.TryGetTarget(out _), "a timed-out session is unreachable")
        );
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<WeakReference<DtlsServerSession>> StartHalfOpen(
        DtlsCertificate certificate,
        DtlsSessionOptions options,
        CountingObserver observer,
        byte[] clientHello,
        out long retainedPerSession
    )
    {
        // Each expects a client nobody has: none will ever finish.
        var fingerprints = Enumerable.Range(0, Sessions).Select(_ => DtlsCertificate.Generate().Fingerprint).ToArray();
        var strong = new List<DtlsServerSession>(Sessions);
        long managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < Sessions; i++)
        {
            var session = new DtlsServerSession(
                certificate,
                fingerprints[i],
                observer,
                observer,
                NullLogger.Instance,
                options
            );
            session.Start();
            session.OnDatagram(clientHello);
            strong.Add(session);
        }
        retainedPerSession = (GC.GetTotalMemory(forceFullCollection: true) - managedBefore) / Sessions;
        return strong.Select(session => new WeakReference<DtlsServerSession>(session)).ToList();
    }

    private static int ThreadCount()
    {
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }

    private sealed class CountingObserver : IDtlsSessionObserver, IDtlsDatagramSender
    {
        public int FlightsSent;
        public int Failed;

        public void SendDtls(ReadOnlySpan<byte> datagram)
        {
            if (datagram[0] == 22 && datagram[13] == 2) // a datagram opening with ServerHello: one per session
                Interlocked.Increment(ref FlightsSent);
        }

        public void OnDtlsConnected(DtlsServerSession session) =>
            throw new InvalidOperationException("no half-open session connects");

        public void OnDtlsClosed(DtlsServerSession session, string reason)
        {
            if (session.State == DtlsSessionState.Failed && reason == "handshake timed out")
                Interlocked.Increment(ref Failed);
        }

        public void OnDtlsRecordRejected(DtlsServerSession session) { }
    }
}
