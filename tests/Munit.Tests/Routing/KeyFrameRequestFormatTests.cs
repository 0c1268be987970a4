using MobZ.Munit.Routing;
using MobZ.Rtc.Rtcp;

namespace MobZ.Munit.Tests.Routing;

/// <summary>A publisher that negotiated only "ccm fir" is asked for keyframes with FIR; everyone else with
/// PLI.</summary>
public class KeyFrameRequestFormatTests
{
    [Fact]
    public void A_publisher_that_negotiated_only_FIR_gets_FIR_with_a_new_sequence_number_per_request()
    {
        var output = new RecordingOutput();
        var publisher = new Publisher("pub", output, new DiagnosticPacketPool()) { KeyFramesByFir = true };

        publisher.RequestKeyFrame(0xC0FFEE);
        publisher.RequestKeyFrame(0xC0FFEE);

        var firs = output
            .RtcpPackets()
            .Where(p => p.Type == RtcpPacketType.PayloadFeedback && p.Count == RtcpFeedbackFormat.FullIntraRequest)
            .Select(p => ReadEntry(p.Bytes))
            .ToList();
        Assert.Equal(2, firs.Count);
        Assert.All(firs, e => Assert.Equal(0xC0FFEEu, e.Ssrc));
        Assert.Equal(firs[0].SequenceNumber + 1, firs[1].SequenceNumber);
        Assert.Equal(0, output.Plis(0xC0FFEE));
    }

    [Fact]
    public void A_publisher_that_negotiated_PLI_gets_PLI()
    {
        var output = new RecordingOutput();
        var publisher = new Publisher("pub", output, new DiagnosticPacketPool());

        publisher.RequestKeyFrame(0xC0FFEE);

        Assert.Equal(1, output.Plis(0xC0FFEE));
        Assert.DoesNotContain(output.RtcpPackets(), p =>
            p.Type == RtcpPacketType.PayloadFeedback && p.Count == RtcpFeedbackFormat.FullIntraRequest
        );
    }

    private static FirEntry ReadEntry(byte[] packet)
    {
        Assert.True(FullIntraRequest.TryRead(packet, out var fir), "the Munit sent a malformed FIR");
        Assert.Equal(1, fir.EntryCount);
        return fir.GetEntry(0);
    }
}
