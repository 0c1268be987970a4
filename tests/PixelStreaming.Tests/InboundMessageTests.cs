using MobZ.PixelStreaming.Protocol;

namespace MobZ.PixelStreaming.Tests;

/// <summary>Inputs the ps-json fuzz harness found (docs/fuzzing.md): each threw out of the parse or the relay, which
/// the handler answered with "internal error".</summary>
public sealed class InboundMessageTests
{
    [Theory]
    [InlineData("""{"type":"tisr","playerId":"tisr","playerId":"pr"}""")]
    [InlineData("""{"type":"ping","type":"offer"}""")]
    [InlineData("""{"type":"\ud800dihr","playerId":"pr-1","reason":"idle"}""")]
    [InlineData("""{"type":"disr","pfayerId":"pr-1\ud800","reason":"idle"}""")]
    [InlineData("""{"type":"offer","sdp":"v=0","candidate":{"\udc00":1}}""")]
    public void A_repeated_property_or_a_string_that_is_not_unicode_is_refused(string body)
    {
        Assert.False(InboundMessage.TryParse(body, out _, out _));
    }

    [Fact]
    public void What_is_accepted_reads_and_relays()
    {
        Assert.True(
            InboundMessage.TryParse(
                """{"type":"offer","playerId":"p1","sdp":"v=0 \u00e9 \ud83d\ude00"}""",
                out var message,
                out var type
            )
        );

        Assert.Equal("offer", type);
        Assert.Equal("p1", InboundMessage.String(message, "playerId"));
        message.Remove("playerId");
        Assert.True(InboundMessage.TryParse(message.ToJsonString(), out var relayed, out _));
        Assert.Null(InboundMessage.String(relayed, "playerId"));
        Assert.Equal("v=0 \u00e9 \ud83d\ude00", InboundMessage.String(relayed, "sdp"));
    }
}
