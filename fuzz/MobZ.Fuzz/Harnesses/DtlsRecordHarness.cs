using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Ice;
using static MobZ.Fuzz.FuzzInvariantException;

namespace MobZ.Fuzz.Harnesses;

/// <summary>
/// A DTLS datagram split into records the way <see cref="DtlsServerSession.OnDatagram"/> does: every record whole
/// and inside the datagram, the walk always moving forward and ending. Then the datagram goes to a fresh server
/// session, whose handshake parsers (record walk, fragment reassembly, ClientHello and its extensions) read input
/// from anyone who passed an ICE check: any input leaves it handshaking, failed, or answered — never throwing.
/// </summary>
internal static class DtlsRecordHarness
{
    private static readonly DtlsCertificate Certificate = DtlsCertificate.Generate();
    private static readonly DtlsFingerprint Expected = DtlsCertificate.Generate().Fingerprint;
    private static readonly DtlsSessionOptions Options = new();

    public static void Run(byte[] input)
    {
        _ = DatagramClassifier.Classify(input);
        int offset = 0;
        while (DtlsRecords.TryReadNext(input, ref offset, out int start, out int length))
        {
            Check(
                length >= DtlsRecords.HeaderLength && start >= 0 && start + length == offset && offset <= input.Length,
                "a record is whole, inside the datagram, and the walk moves past it"
            );
            ReadOnlySpan<byte> record = input.AsSpan(start, length);
            _ = DtlsRecords.Epoch(record);
            _ = record[0] is DtlsRecords.Handshake or DtlsRecords.Alert or DtlsRecords.ChangeCipherSpec;
        }

        Check(offset <= input.Length, "the walk stops inside the datagram");

        var sink = new Sink();
        using var session = new DtlsServerSession(Certificate, Expected, sink, sink, NullLogger.Instance, Options);
        session.Start();
        session.OnDatagram(input);
        Check(
            session.State is DtlsSessionState.Handshaking or DtlsSessionState.Failed or DtlsSessionState.Closed,
            "one datagram from a client that never showed its certificate cannot connect"
        );
    }

    private sealed class Sink : IDtlsDatagramSender, IDtlsSessionObserver
    {
        public void SendDtls(ReadOnlySpan<byte> datagram) =>
            Check(datagram.Length <= Options.SendLimit, "no datagram exceeds the send limit");

        public void OnDtlsConnected(DtlsServerSession session) => Check(false, "connected without a client flight");

        public void OnDtlsClosed(DtlsServerSession session, string reason) { }

        public void OnDtlsRecordRejected(DtlsServerSession session) { }
    }
}
