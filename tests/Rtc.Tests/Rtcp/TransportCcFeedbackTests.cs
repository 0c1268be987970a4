using System.Buffers.Binary;
using MobZ.Rtc.Rtcp;

namespace MobZ.Rtc.Tests.Rtcp;

public class TransportCcFeedbackTests
{
    private static byte[] Write(TransportCcArrival[] arrivals, out int encoded)
    {
        var writer = new TransportCcFeedbackWriter
        {
            SenderSsrc = 1,
            MediaSsrc = 2,
            FeedbackPacketCount = 9,
            Arrivals = arrivals,
        };
        encoded = writer.GetEncodedCount();
        byte[] buffer = new byte[writer.GetSize()];
        Assert.True(writer.TryWrite(buffer, out int written));
        Assert.Equal(buffer.Length, written);
        Assert.Equal(0, written % 4);
        return buffer;
    }

    private static List<TransportCcPacketResult> ReadAll(byte[] packet)
    {
        Assert.True(TransportCcFeedback.TryRead(packet, out TransportCcFeedback feedback));
        var results = new List<TransportCcPacketResult>();
        foreach (TransportCcPacketResult result in feedback.Packets)
        {
            results.Add(result);
        }

        Assert.Equal(feedback.PacketStatusCount, results.Count);
        return results;
    }

    private static ushort[] Chunks(byte[] packet, int count) =>
        Enumerable
            .Range(0, count)
            .Select(i => BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(20 + (2 * i))))
            .ToArray();

    [Fact]
    public void Consecutive_small_deltas_become_one_run_length_chunk()
    {
        TransportCcArrival[] arrivals = Enumerable
            .Range(0, 20)
            .Select(i => new TransportCcArrival((ushort)(100 + i), 1_000_000 + (i * 1000)))
            .ToArray();
        byte[] packet = Write(arrivals, out _);
        Assert.Equal((ushort)((1 << 13) | 20), Chunks(packet, 1)[0]);
        List<TransportCcPacketResult> results = ReadAll(packet);
        Assert.All(results, r => Assert.Equal(TransportCcStatus.ReceivedSmallDelta, r.Status));
        Assert.Equal(Enumerable.Range(100, 20).Select(s => (ushort)s), results.Select(r => r.SequenceNumber));
    }

    [Fact]
    public void Losses_mixed_with_small_deltas_use_one_bit_status_vectors()
    {
        var arrivals = new[]
        {
            new TransportCcArrival(10, 64_000),
            new TransportCcArrival(12, 65_000),
            new TransportCcArrival(13, 66_000),
            new TransportCcArrival(16, 67_000),
            new TransportCcArrival(17, 68_000),
            new TransportCcArrival(23, 69_000),
        };
        byte[] packet = Write(arrivals, out int encoded);
        Assert.Equal(6, encoded);
        // 14 symbols: 10 R, 11 L, 12 R, 13 R, 14 L, 15 L, 16 R, 17 R, 18-22 L, 23 R => 1 0 1 1 0 0 1 1 0 0 0 0 0 1
        Assert.Equal((ushort)0b1_0_10110011000001, Chunks(packet, 1)[0]);
        List<TransportCcPacketResult> results = ReadAll(packet);
        Assert.Equal(
            new ushort[] { 10, 12, 13, 16, 17, 23 },
            results.Where(r => r.Received).Select(r => r.SequenceNumber)
        );
        Assert.Equal(
            new long[] { 64_000, 65_000, 66_000, 67_000, 68_000, 69_000 },
            results.Where(r => r.Received).Select(r => r.ArrivalMicroseconds)
        );
    }

    [Fact]
    public void Large_and_negative_deltas_use_two_bit_vectors_and_sixteen_bit_deltas()
    {
        var arrivals = new[]
        {
            new TransportCcArrival(1, 128_000),
            new TransportCcArrival(2, 228_000),
            new TransportCcArrival(3, 227_000),
            new TransportCcArrival(5, 228_250),
        };
        byte[] packet = Write(arrivals, out _);
        List<TransportCcPacketResult> results = ReadAll(packet);
        Assert.Equal(
            new[]
            {
                TransportCcStatus.ReceivedSmallDelta,
                TransportCcStatus.ReceivedLargeDelta,
                TransportCcStatus.ReceivedLargeDelta,
                TransportCcStatus.NotReceived,
                TransportCcStatus.ReceivedSmallDelta,
            },
            results.Select(r => r.Status)
        );
        Assert.Equal(new[] { 0, 400, -4, 0, 5 }, results.Select(r => r.DeltaTicks));
        Assert.Equal(0xC000, Chunks(packet, 1)[0] & 0xC000);
        Assert.Equal(2, (int)(128_000 / TransportCcFeedback.ReferenceTimeUnitMicroseconds));
    }

    [Fact]
    public void A_delta_beyond_sixteen_bits_ends_the_message_before_that_arrival()
    {
        var arrivals = new[]
        {
            new TransportCcArrival(1, 0),
            new TransportCcArrival(2, 1_000),
            new TransportCcArrival(3, 10_000_000),
        };
        var writer = new TransportCcFeedbackWriter { Arrivals = arrivals };
        Assert.Equal(2, writer.GetEncodedCount());
    }

    [Fact]
    public void Out_of_order_arrivals_end_the_message()
    {
        var writer = new TransportCcFeedbackWriter
        {
            Arrivals = new[]
            {
                new TransportCcArrival(5, 0),
                new TransportCcArrival(7, 100),
                new TransportCcArrival(6, 200),
            },
        };
        Assert.Equal(2, writer.GetEncodedCount());
    }

    [Fact]
    public void Sequence_numbers_wrapping_past_65535_are_encoded_in_order()
    {
        var arrivals = new[]
        {
            new TransportCcArrival(65534, 0),
            new TransportCcArrival(65535, 250),
            new TransportCcArrival(1, 500),
        };
        List<TransportCcPacketResult> results = ReadAll(Write(arrivals, out _));
        Assert.Equal(new ushort[] { 65534, 65535, 0, 1 }, results.Select(r => r.SequenceNumber));
        Assert.False(results[2].Received);
    }

    [Fact]
    public void Random_arrival_patterns_round_trip_exactly()
    {
        var random = new Random(1234);
        for (int round = 0; round < 300; round++)
        {
            var arrivals = new List<TransportCcArrival>();
            ushort seq = (ushort)random.Next(65536);
            long time = random.NextInt64(0, 1L << 40) / 250 * 250;
            int count = random.Next(1, 300);
            for (int i = 0; i < count; i++)
            {
                arrivals.Add(new TransportCcArrival(seq, time));
                seq += (ushort)(random.Next(10) < 8 ? 1 : random.Next(2, 40));
                time += random.Next(10) switch
                {
                    < 6 => random.Next(0, 20) * 250,
                    < 8 => random.Next(256, 2000) * 250,
                    _ => -random.Next(1, 100) * 250,
                };
            }

            byte[] packet = Write(arrivals.ToArray(), out int encoded);
            Assert.Equal(arrivals.Count, encoded);
            List<TransportCcPacketResult> results = ReadAll(packet);
            var received = results.Where(r => r.Received).ToList();
            Assert.Equal(arrivals.Select(a => a.SequenceNumber), received.Select(r => r.SequenceNumber));
            long reference = arrivals[0].ArrivalMicroseconds / 64_000 * 64_000;
            Assert.Equal(
                arrivals.Select(a => a.ArrivalMicroseconds - reference),
                received.Select(r => r.ArrivalMicroseconds - (reference % (64_000L << 24)))
            );
        }
    }

    [Fact]
    public void A_base_sequence_before_the_first_arrival_reports_the_packets_up_to_it_as_lost()
    {
        var writer = new TransportCcFeedbackWriter
        {
            SenderSsrc = 1,
            MediaSsrc = 2,
            BaseSequenceNumber = 65534,
            Arrivals = new[] { new TransportCcArrival(1, 1_000_000), new TransportCcArrival(2, 1_001_000) },
        };
        byte[] packet = new byte[writer.GetSize()];
        Assert.True(writer.TryWrite(packet, out _));

        List<TransportCcPacketResult> results = ReadAll(packet);
        Assert.Equal(new ushort[] { 65534, 65535, 0, 1, 2 }, results.Select(r => r.SequenceNumber));
        Assert.Equal([false, false, false, true, true], results.Select(r => r.Received));
    }

    [Fact]
    public void A_base_sequence_after_the_first_arrival_writes_nothing()
    {
        var writer = new TransportCcFeedbackWriter
        {
            BaseSequenceNumber = 5,
            Arrivals = new[] { new TransportCcArrival(4, 1_000_000) },
        };
        Assert.Equal(0, writer.GetEncodedCount());
        Assert.False(writer.TryWrite(new byte[64], out _));
    }

    [Theory]
    [InlineData("8FCD0004000000010000000200010000000000002001", "status count 0 is refused")]
    [InlineData("8FCD00040000000100000002000100020000000020020000", "two statuses need two delta bytes")]
    [InlineData("8FCD0004000000010000000200010001000000006001", "reserved status 3")]
    public void Inconsistent_feedback_is_rejected(string hex, string because)
    {
        Assert.False(TransportCcFeedback.TryRead(Convert.FromHexString(hex), out _), because);
    }
}
