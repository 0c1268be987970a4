using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using MobZ.Munit.Tests.Routing;
using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Tests.Congestion;

/// <summary>
/// Every packet toward a viewer that negotiated transport-cc carries that viewer's own transport-wide sequence
/// number (audio, video, retransmissions alike, one counter per peer connection), and the Munit remembers when it
/// sent each and how large it was, to match the viewer's feedback against.
/// </summary>
public class ViewerTransportCcTests
{
    private const uint VideoSsrc = 0xBEEF01,
        AudioSsrc = 0xBEEF02,
        RtxSsrc = 0xBEEF03;
    private const int ViewerId = 3;

    /// <summary>A publisher's packet carrying its own transport-wide number under <paramref name="id"/>.</summary>
    private static byte[] WithPublisherNumber(byte[] packet, int id, ushort number)
    {
        var buffer = new byte[packet.Length + 64];
        packet.CopyTo(buffer, 0);
        Span<byte> value = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(value, number);
        Assert.True(RtpPacketRewriter.TryWriteExtension(buffer, packet.Length, id, value, out int length));
        return buffer[..length];
    }

    private static long Microseconds(TimeProvider time) => time.GetTimestamp() / (time.TimestampFrequency / 1_000_000);

    private static ushort? NumberIn(byte[] packet, int id)
    {
        Assert.True(RtpPacket.TryRead(packet, out var rtp));
        return rtp.TryGetExtension(id, out var value) && value.Length == 2
            ? BinaryPrimitives.ReadUInt16BigEndian(value)
            : null;
    }

    [Fact]
    public void Audio_video_and_RTX_to_the_viewer_carry_its_own_consecutive_numbers_and_each_send_is_recorded()
    {
        var time = new FakeTimeProvider();
        using var rig = new ForwardingRig(simulcast: false, time: time);
        var (viewer, a) = rig.AddViewer("a", AudioSsrc, VideoSsrc, RtxSsrc);
        rig.Engine.SetTransportCc(viewer, ViewerId, feedback: true);
        var sendTimes = new List<long>();
        for (int i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            long nowUs = Microseconds(time);
            // The publisher numbered its packets too, under the same id: the viewer must see ours instead.
            rig.Send(
                WithPublisherNumber(
                    Packets.Vp8(ForwardingRig.SingleSsrc, (ushort)(500 + i), (uint)(i * 3000), i == 0),
                    ViewerId,
                    (ushort)(40_000 + i)
                ),
                i * 10
            );
            sendTimes.Add(nowUs);
            rig.Send(Packets.Opus(ForwardingRig.AudioSsrc, (ushort)(100 + i), (uint)(i * 960)), i * 10);
            sendTimes.Add(nowUs);
        }
        var video = a.Packets(VideoSsrc).ToList();
        time.Advance(TimeSpan.FromMilliseconds(50));
        rig.Engine.OnSubscriberRtcp(viewer, Packets.Nack(1, VideoSsrc, video[4].Seq), 150, 0);
        sendTimes.Add(Microseconds(time));

        Assert.Equal(21, a.Rtp.Count);
        Assert.True(RtpPacket.TryRead(a.Rtp[^1], out var rtx));
        Assert.Equal(RtxSsrc, rtx.Ssrc);
        var sender = viewer.TransportCc!;
        for (int i = 0; i < a.Rtp.Count; i++)
        {
            Assert.Equal((ushort)i, NumberIn(a.Rtp[i], ViewerId));
            Assert.True(sender.TryGetSent((ushort)i, out long sentUs, out int size));
            Assert.Equal(sendTimes[i], sentUs);
            Assert.Equal(a.Rtp[i].Length, size);
        }
        Assert.Equal(21, sender.PacketsSent);
        Assert.Equal(0, sender.StampFailures);
        Assert.False(sender.TryGetSent(21, out _, out _)); // not sent yet
    }

    [Fact]
    public void Media_keeps_its_payload_when_the_number_is_added_to_a_packet_that_had_no_extension()
    {
        var time = new FakeTimeProvider();
        using var rig = new ForwardingRig(simulcast: false, time: time);
        var (viewer, a) = rig.AddViewer("a", AudioSsrc, VideoSsrc);
        rig.Engine.SetTransportCc(viewer, ViewerId, feedback: true);
        var opus = Packets.Opus(ForwardingRig.AudioSsrc, 7, 960);
        Assert.True(RtpPacket.TryRead(opus, out var original));
        Assert.False(original.HasExtension);

        rig.Send(opus, 0);

        var sent = Assert.Single(a.Rtp);
        Assert.Equal((ushort)0, NumberIn(sent, ViewerId));
        Assert.True(RtpPacket.TryRead(sent, out var rtp));
        Assert.Equal(original.Payload.ToArray(), rtp.Payload.ToArray());
    }

    [Fact]
    public void A_viewer_that_kept_the_extension_but_not_the_feedback_gets_no_number_not_even_the_publishers()
    {
        using var rig = new ForwardingRig(simulcast: false);
        var (viewer, a) = rig.AddViewer("a", AudioSsrc, VideoSsrc);
        rig.Engine.SetTransportCc(viewer, ViewerId, feedback: false);

        rig.Send(WithPublisherNumber(Packets.Opus(ForwardingRig.AudioSsrc, 7, 960), ViewerId, 1234), 0);

        Assert.Null(viewer.TransportCc);
        Assert.Null(NumberIn(Assert.Single(a.Rtp), ViewerId));
    }

    [Fact]
    public void A_new_answer_with_the_same_id_keeps_the_count_going()
    {
        using var rig = new ForwardingRig(simulcast: false);
        var (viewer, a) = rig.AddViewer("a", AudioSsrc, VideoSsrc);
        rig.Engine.SetTransportCc(viewer, ViewerId, feedback: true);
        rig.Send(Packets.Opus(ForwardingRig.AudioSsrc, 7, 960), 0);
        rig.Engine.SetTransportCc(viewer, ViewerId, feedback: true);
        rig.Send(Packets.Opus(ForwardingRig.AudioSsrc, 8, 1920), 20);

        Assert.Equal([(ushort?)0, 1], a.Rtp.Select(p => NumberIn(p, ViewerId)));
    }

    [Fact]
    public void The_viewers_feedback_reaches_its_estimator_and_a_malformed_message_is_a_counted_drop()
    {
        var time = new FakeTimeProvider();
        using var rig = new ForwardingRig(simulcast: false, time: time);
        var (viewer, a) = rig.AddViewer("a", AudioSsrc, VideoSsrc);
        rig.Engine.SetTransportCc(viewer, ViewerId, feedback: true);
        var browser = new MobZ.Munit.Congestion.TransportCcRecorder(); // the viewer's side of transport-cc
        for (int i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            rig.Send(Packets.Opus(ForwardingRig.AudioSsrc, (ushort)(100 + i), (uint)(i * 960)), i * 20);
            if (i != 4) // one lost on the way
                browser.Record(NumberIn(a.Rtp[^1], ViewerId)!.Value, 5_000 + (i * 20_000), AudioSsrc);
        }
        var feedback = new byte[200];
        Assert.True(browser.TryWriteFeedback(feedback, 0x5EED, out int written));
        byte[] malformed = [0x8F, 205, 0, 3, 0, 0, 0x5E, 0xED, 0, 0, 0, 0, 0, 0, 0, 9]; // FCI cut short

        rig.Engine.OnSubscriberRtcp(viewer, feedback.AsSpan(0, written), 200, 0);
        rig.Engine.OnSubscriberRtcp(viewer, malformed, 220, 0);

        var sender = viewer.TransportCc!;
        Assert.Equal(1, sender.FeedbackReceived);
        Assert.Equal(1, sender.MalformedFeedback);
        Assert.Equal(0, sender.UnknownReports);
        Assert.Equal(1, rig.Engine.Forwarder.Totals.ViewerTransportCcFeedback);
        Assert.Equal(1, rig.Engine.Forwarder.Totals.ViewerTransportCcFeedbackMalformed);
        Assert.True(sender.Estimator.AcknowledgedBitsPerSecond(220) > 0);
    }
}
