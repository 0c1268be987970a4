using MobZ.Rtc.Dtls;
using MobZ.Rtc.Ice;
using static MobZ.Fuzz.FuzzInvariantException;

namespace MobZ.Fuzz.Harnesses;

/// <summary>
/// A DTLS datagram split into records the way <see cref="DtlsServerSession.OnDatagram"/> does once keys exist:
/// every record whole and inside the datagram, the walk always moving forward and ending.
/// </summary>
internal static class DtlsRecordHarness
{
    public static void Run(byte[] input)
    {
        _ = DatagramClassifier.Classify(input);
        int offset = 0;
        while (DtlsRecords.TryReadNext(input, ref offset, out int start, out int length))
        {
            Check(length >= DtlsRecords.HeaderLength && start >= 0 && start + length == offset && offset <= input.Length,
                "a record is whole, inside the datagram, and the walk moves past it");
            ReadOnlySpan<byte> record = input.AsSpan(start, length);
            _ = DtlsRecords.Epoch(record);
            _ = record[0] is DtlsRecords.Handshake or DtlsRecords.Alert or DtlsRecords.ChangeCipherSpec;
        }

        Check(offset <= input.Length, "the walk stops inside the datagram");
    }
}
