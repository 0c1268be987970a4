using System.Buffers.Binary;
using MobZ.Munit.Control;
using MobZ.Munit.Routing;
using MobZ.Munit.Tests.Routing;
using MobZ.Munit.WebRtc;
using MobZ.Rtc.Codecs;
using MobZ.Rtc.Rtcp;
using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Tests.Congestion;

/// <summary>
/// What a publisher hears about its bandwidth from the Munit: transport-cc feedback when it negotiated
/// transport-cc (Chromium does), otherwise REMB carrying the Munit's own estimate — never a made-up figure.
/// </summary>
public sealed class PublisherCongestionFeedbackTests
{
    private const int TransportCcId = 3;
    private const int AbsSendTimeId = 2;
    private const uint VideoSsrc = 0x4000;

    private static byte[] Video(ushort seq, ushort? transportSeq, uint? absSendTime, int payload = 1000)
    {
        Span<byte> ext = new byte[16];
        var extensions = new RtpHeaderExtensionWriter(ext);
        Span<byte> value = new byte[3];
        if (transportSeq is { } t)
        {
            BinaryPrimitives.WriteUInt16BigEndian(value, t);
            Assert.True(extensions.TryAdd(TransportCcId, value[..2]));
        }
        if (absSendTime is { } a)
        {
            Assert.True(RtpExtensionValues.TryWriteAbsSendTime(value, a));
            Assert.True(extensions.TryAdd(AbsSendTimeId, value));
        }
        var body = new byte[payload];
        body[0] = 0x10;
        body[1] = 0x01;
        var writer = new RtpPacketWriter
        {
            PayloadType = 96,
            SequenceNumber = seq,
            Timestamp = seq * 3000u,
            Ssrc = VideoSsrc,
            Payload = body,
            ExtensionProfile = extensions.Profile,
            ExtensionData = extensions.Written,
        };
        var buffer = new byte[writer.GetSize()];
        Assert.True(writer.TryWrite(buffer, out int written));
        return buffer[..written];
    }

    private static (MediaEngine Engine, StationRouter Station, Publisher Publisher, RecordingOutput Out) Publish(
        PublisherExtensions extensions
    )
    {
        var engine = new MediaEngine(new DiagnosticPacketPool());
        var station = new StationRouter(engine, new StationDescriptor("st-1", "room-1", "pub-1", "m2m", false));
        var output = new RecordingOutput();
        var publisher = station.AttachPublisher(
            "pub-1",
            output,
            [new PublishedTrack(MediaKind.Video, MediaCodec.Vp8, 96, 90000, 0, [null], "0")],
            extensions
        );
        return (engine, station, publisher, output);
    }

    private static List<TransportCcPacketResult> FeedbackPackets(RecordingOutput output) =>
        output
            .RtcpPackets()
            .Where(p => p.Type == (byte)RtcpPacketType.TransportFeedback && p.Count == 15)
            .SelectMany(p =>
            {
                Assert.True(TransportCcFeedback.TryRead(p.Bytes, out var feedback));
                var list = new List<TransportCcPacketResult>();
                foreach (var r in feedback.Packets)
                    list.Add(r);
                return list;
            })
            .ToList();

    private static int FeedbackMessages(RecordingOutput output) =>
        output.RtcpPackets().Count(p => p.Type == (byte)RtcpPacketType.TransportFeedback && p.Count == 15);

    private static List<ulong> Rembs(RecordingOutput output) =>
        output
            .RtcpPackets()
            .Select(p => ReceiverEstimatedMaxBitrate.TryRead(p.Bytes, out var remb) ? remb.Bitrate : 0)
            .Where(b => b > 0)
            .ToList();

    [Fact]
    public async Task The_answer_to_a_Chromium_publisher_negotiates_transport_cc_feedback_and_the_sequence_number()
    {
        var options = new MunitOptions { BindAddress = "127.0.0.1", Port = 0 };
        using var media = new WebRtcMedia(options);
        await using var munit = new MunitServer(options, media);
        Assert.True(munit.CreateStation(new StationDescriptor("st-1", "room", "pub", "m2m", false)));
        var offer = File.ReadAllText(
            Path.Combine(AppContext.BaseDirectory, "TestData", "chromium-simulcast-offer.sdp")
        );

        var published = await munit.HandleAsync(new MediaCommand(MediaOp.Publish, "st-1", "pub") { Sdp = offer });

        Assert.True(published.Ok, published.Error);
        var video = published.Sdp!.Split("\r\nm=")[2];
        Assert.StartsWith("video", video);
        Assert.Contains("a=rtcp-fb:96 transport-cc", video);
        Assert.Contains("a=extmap:3 " + RtpExtensionValues.TransportWideCcUri, video);
        var audio = published.Sdp!.Split("\r\nm=")[1];
        Assert.Contains("a=rtcp-fb:111 transport-cc", audio);
    }

    [Fact]
    public void A_transport_cc_publisher_hears_about_every_packet_about_every_100_ms_and_gets_REMB_only_as_the_cap()
    {
        var (engine, station, publisher, output) = Publish(new PublisherExtensions { TransportCc = TransportCcId });
        using var _ = engine;
        using var __ = station;
        ushort transport = 65500; // wraps during the test
        long now = 10_000;
        var feedbackTimes = new List<long>();
        for (int i = 0; i < 150; i++, now += 10)
        {
            if (i % 10 != 5) // one packet in ten lost upstream
                engine.OnPublisherRtp(publisher, Video((ushort)i, transport, null), now);
            transport++;
            if (i % 2 == 0)
            {
                int before = FeedbackMessages(output);
                engine.Tick(now, 0);
                if (FeedbackMessages(output) > before)
                    feedbackTimes.Add(now);
            }
        }
        engine.Tick(now + 100, 0);

        var packets = FeedbackPackets(output);
        Assert.Equal(Enumerable.Range(0, 150).Select(i => (ushort)(65500 + i)), packets.Select(p => p.SequenceNumber));
        Assert.Equal(
            Enumerable.Range(0, 150).Where(i => i % 10 == 5).Select(i => (ushort)(65500 + i)),
            packets.Where(p => !p.Received).Select(p => p.SequenceNumber)
        );
        var received = packets.Where(p => p.Received).ToList();
        Assert.All(received.Zip(received.Skip(1)), pair =>
            Assert.InRange(pair.Second.ArrivalMicroseconds - pair.First.ArrivalMicroseconds, 10_000, 20_000)
        );
        Assert.All(feedbackTimes.Zip(feedbackTimes.Skip(1)), pair => Assert.Equal(100, pair.Second - pair.First));
        Assert.Equal(engine.Forwarder.Totals.TransportCcFeedbackSent, FeedbackMessages(output));
        Assert.Null(publisher.Estimator);
        Assert.All(Rembs(output), b => Assert.Equal(engine.Reporter.PublisherMaxBitrate, b));
    }

    [Fact]
    public void A_publisher_without_transport_cc_gets_no_REMB_until_the_Munit_has_an_estimate_and_then_the_estimate()
    {
        var (engine, station, publisher, output) = Publish(new PublisherExtensions { AbsSendTime = AbsSendTimeId });
        using var _ = engine;
        using var __ = station;
        // 30 frames a second of 3 packets of about 1 kB: about 750 kbit/s, on an open path.
        long now = 10_000;
        ushort seq = 0;
        long firstRembAt = -1;
        for (int frame = 0; frame < 30 * 8; frame++)
        {
            for (int p = 0; p < 3; p++)
            {
                long sendUs = (frame * 33_333L) + (p * 1000);
                engine.OnPublisherRtp(
                    publisher,
                    Video(seq++, null, RtpExtensionValues.AbsSendTimeFromMicroseconds(sendUs)),
                    10_000 + (sendUs / 1000) + 15
                );
            }
            for (long end = 10_000 + ((frame + 1) * 33_333L / 1000); now < end; now += 20)
            {
                engine.Tick(now, 0);
                if (firstRembAt < 0 && Rembs(output).Count > 0)
                    firstRembAt = now;
            }
        }

        Assert.True(firstRembAt - 10_000 >= 4_000, $"the first REMB went out {firstRembAt - 10_000} ms in");
        long incoming = publisher.Estimator!.IncomingBitsPerSecond(now);
        Assert.InRange(incoming, 600_000, 800_000);
        Assert.All(Rembs(output), b => Assert.InRange((long)b, incoming * 9 / 10, (incoming * 3 / 2) + 10_000));
        Assert.Equal(publisher.RembSent, engine.Forwarder.Totals.RembEstimate); // the metric (REMB rounds it)
        Assert.InRange((long)Rembs(output)[^1], publisher.RembSent * 999 / 1000, publisher.RembSent);
    }
}
