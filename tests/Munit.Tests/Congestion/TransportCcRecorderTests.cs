using MobZ.Munit.Congestion;
using MobZ.Rtc.Rtcp;

namespace MobZ.Munit.Tests.Congestion;

/// <summary>
/// What the Munit tells a transport-cc publisher about its packets: every arrival once, with its time to 250 µs,
/// every loss once, in messages a sender's parser (here the Munit's own reader) accepts.
/// </summary>
public sealed class TransportCcRecorderTests
{
    private const uint Ssrc = 0x1234;

    private static List<(byte Count, List<TransportCcPacketResult> Packets)> Drain(TransportCcRecorder recorder)
    {
        var messages = new List<(byte, List<TransportCcPacketResult>)>();
        var buffer = new byte[1500];
        while (recorder.TryWriteFeedback(buffer, senderSsrc: 7, out int written))
        {
            Assert.True(TransportCcFeedback.TryRead(buffer.AsSpan(0, written), out var feedback));
            Assert.Equal(7u, feedback.SenderSsrc);
            Assert.Equal(Ssrc, feedback.MediaSsrc);
            var packets = new List<TransportCcPacketResult>();
            foreach (var p in feedback.Packets)
                packets.Add(p);
            messages.Add((feedback.FeedbackPacketCount, packets));
        }

        return messages;
    }

    [Fact]
    public void Each_arrival_is_reported_with_its_time_to_the_250_microsecond_tick_and_each_gap_as_lost()
    {
        var recorder = new TransportCcRecorder();
        // 10, 11, 13 arrive; 12 is lost. Arrival times are arbitrary microseconds on the Munit's clock.
        recorder.Record(10, 5_000_100, Ssrc);
        recorder.Record(11, 5_000_600, Ssrc);
        recorder.Record(13, 5_080_000, Ssrc);

        var (_, packets) = Assert.Single(Drain(recorder));
        Assert.Equal(new ushort[] { 10, 11, 12, 13 }, packets.Select(p => p.SequenceNumber));
        Assert.Equal([true, true, false, true], packets.Select(p => p.Received));
        // The sender sees arrival times relative to a 64 ms reference, truncated to 250 µs ticks: the differences
        // between packets are what its estimator uses.
        var received = packets.Where(p => p.Received).Select(p => p.ArrivalMicroseconds).ToArray();
        Assert.Equal(500, received[1] - received[0]);
        Assert.Equal(5_080_000 - 5_000_500, received[2] - received[1]);
        Assert.Equal(TransportCcStatus.ReceivedLargeDelta, packets[3].Status); // 79.5 ms does not fit one byte
    }

    [Fact]
    public void Numbers_continue_across_the_16_bit_wrap_in_one_message()
    {
        var recorder = new TransportCcRecorder();
        for (int i = 0; i < 12; i++)
        {
            ushort seq = (ushort)(65530 + i);
            if (seq != 65535 && seq != 1) // lost on either side of the wrap
                recorder.Record(seq, 1_000_000 + (i * 1000), Ssrc);
        }

        var (_, packets) = Assert.Single(Drain(recorder));
        Assert.Equal(65530, packets[0].SequenceNumber);
        Assert.Equal(12, packets.Count);
        Assert.Equal(new ushort[] { 65535, 1 }, packets.Where(p => !p.Received).Select(p => p.SequenceNumber));
    }

    [Fact]
    public void A_packet_lost_right_after_one_message_is_reported_lost_at_the_start_of_the_next()
    {
        var recorder = new TransportCcRecorder();
        recorder.Record(100, 1_000_000, Ssrc);
        recorder.Record(101, 1_001_000, Ssrc);
        Assert.Single(Drain(recorder));

        recorder.Record(103, 1_003_000, Ssrc); // 102 never comes
        var (_, packets) = Assert.Single(Drain(recorder));
        Assert.Equal(102, packets[0].SequenceNumber);
        Assert.False(packets[0].Received);
        Assert.True(packets[1].Received);
    }

    [Fact]
    public void A_reordered_packet_counts_as_received_until_its_number_has_been_reported()
    {
        var recorder = new TransportCcRecorder();
        recorder.Record(1, 1_000_000, Ssrc);
        recorder.Record(3, 1_001_000, Ssrc);
        recorder.Record(2, 1_002_000, Ssrc); // late but before the next message
        var (_, first) = Assert.Single(Drain(recorder));
        Assert.All(first, p => Assert.True(p.Received));

        recorder.Record(5, 1_003_000, Ssrc);
        Assert.Single(Drain(recorder)); // 4 reported lost
        recorder.Record(4, 1_004_000, Ssrc); // too late: not reported twice
        Assert.Empty(Drain(recorder));
        Assert.Equal(1, recorder.LateArrivals);
    }

    [Fact]
    public void The_feedback_packet_count_goes_up_by_one_per_message_and_wraps_at_256()
    {
        var recorder = new TransportCcRecorder();
        var counts = new List<byte>();
        for (int i = 0; i < 300; i++)
        {
            recorder.Record((ushort)i, 1_000_000 + (i * 1000), Ssrc);
            counts.AddRange(Drain(recorder).Select(m => m.Count));
        }

        Assert.Equal(Enumerable.Range(0, 300).Select(i => (byte)i), counts);
    }

    [Fact]
    public void A_backlog_longer_than_one_message_is_split_without_gaps_or_repeats()
    {
        var recorder = new TransportCcRecorder();
        for (int i = 0; i < 1000; i++)
        {
            if (i % 97 != 0)
                recorder.Record((ushort)(60000 + i), 1_000_000 + (i * 300), Ssrc);
        }

        var messages = Drain(recorder);
        Assert.Equal(4, messages.Count);
        var all = messages.SelectMany(m => m.Packets).ToList();
        Assert.Equal(Enumerable.Range(1, 999).Select(i => (ushort)(60000 + i)), all.Select(p => p.SequenceNumber));
        Assert.Equal(
            Enumerable.Range(1, 999).Where(i => i % 97 == 0).Select(i => (ushort)(60000 + i)),
            all.Where(p => !p.Received).Select(p => p.SequenceNumber)
        );
    }

    [Fact]
    public void A_pause_longer_than_a_delta_can_hold_starts_a_new_message()
    {
        var recorder = new TransportCcRecorder();
        recorder.Record(1, 1_000_000, Ssrc);
        recorder.Record(2, 1_000_000 + 9_000_000, Ssrc); // 9 s: beyond a signed 16-bit count of 250 µs ticks
        var messages = Drain(recorder);
        Assert.Equal(2, messages.Count);
        Assert.Equal(1, messages[0].Packets.Single().SequenceNumber);
        Assert.Equal(2, messages[1].Packets.Single().SequenceNumber);
    }
}
