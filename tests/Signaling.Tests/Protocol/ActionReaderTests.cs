using System.Text;
using MobZ.Signaling.Rooms.Protocol;

namespace MobZ.Signaling.Tests.Protocol;

public sealed class ActionReaderTests
{
    /// <summary>Inputs the rooms-json fuzz harness found (fuzz/corpus, docs/fuzzing.md): GetString and ValueTextEquals
    /// threw InvalidOperationException.</summary>
    [Theory]
    [InlineData(
        "7b226361617465223a2263616f7374222c227364223a2230222c2273223a302c22746f223a227065222c22616374696f6e223a224963652f616e6469ffffffff227d"
    )]
    [InlineData(
        "7b225c75643830306361617465223a2263616f7374222c227364223a22637432313437343833363438616e646964657465227d"
    )]
    public void A_string_that_is_not_unicode_is_malformed(string hex)
    {
        Assert.Equal(ActionReader.Result.Malformed, ActionReader.TryRead(Convert.FromHexString(hex), out _, out _));
    }

    [Theory]
    [InlineData("""{"action":"Join"}""", ActionReader.Result.Found, "Join", null)]
    [InlineData("""{"requestId":"r1","action":"Offer","sdp":"v=0"}""", ActionReader.Result.Found, "Offer", "r1")]
    [InlineData("""{"nested":{"action":"Nope"},"action":"Leave"}""", ActionReader.Result.Found, "Leave", null)]
    [InlineData(
        """{"list":[{"action":"x"}],"requestId":"q","action":"Heartbeat"}""",
        ActionReader.Result.Found,
        "Heartbeat",
        "q"
    )]
    [InlineData("""{"action":"A","action":"B"}""", ActionReader.Result.Found, "A", null)]
    [InlineData("""{"action":null,"requestId":"n"}""", ActionReader.Result.Missing, null, "n")]
    [InlineData("""{"action":["Join"]}""", ActionReader.Result.Missing, null, null)]
    [InlineData("""{}""", ActionReader.Result.Missing, null, null)]
    [InlineData("""[{"action":"Join"}]""", ActionReader.Result.Malformed, null, null)]
    [InlineData("""  "Join"  """, ActionReader.Result.Malformed, null, null)]
    [InlineData("""{"action":"Join"}{}""", ActionReader.Result.Malformed, "Join", null)]
    [InlineData("""{"action":"Join\u0022""", ActionReader.Result.Malformed, null, null)]
    [InlineData("", ActionReader.Result.Malformed, null, null)]
    public void Reads_the_top_level_action_and_requestId(
        string json,
        ActionReader.Result expected,
        string? action,
        string? requestId
    )
    {
        var result = ActionReader.TryRead(Encoding.UTF8.GetBytes(json), out var a, out var r);
        Assert.Equal(expected, result);
        if (expected != ActionReader.Result.Malformed)
        {
            Assert.Equal(action, a);
            Assert.Equal(requestId, r);
        }
    }

    [Fact]
    public void Every_truncation_of_a_valid_message_is_reported_malformed_without_throwing()
    {
        byte[] full = Encoding.UTF8.GetBytes(
            """{"action":"IceCandidate","requestId":"r","candidate":"candidate:1 1 udp 1 1.2.3.4 5 typ host","sdpMLineIndex":0,"x":[true,false,null,{"y":1.5e3}]}"""
        );
        Assert.Equal(ActionReader.Result.Found, ActionReader.TryRead(full, out _, out _));
        for (int length = 0; length < full.Length; length++)
            Assert.Equal(ActionReader.Result.Malformed, ActionReader.TryRead(full.AsSpan(0, length), out _, out _));
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(42);
        var buffer = new byte[256];
        for (int i = 0; i < 20_000; i++)
        {
            var span = buffer.AsSpan(0, random.Next(buffer.Length));
            random.NextBytes(span);
            if (span.Length > 0 && i % 2 == 0)
                span[0] = (byte)'{';
            var result = ActionReader.TryRead(span, out var action, out _);
            Assert.True(result != ActionReader.Result.Found || action is not null);
        }
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_malformed_not_a_stack_overflow()
    {
        string deep = "{\"a\":" + new string('[', 10_000) + new string(']', 10_000) + ",\"action\":\"Join\"}";
        Assert.Equal(ActionReader.Result.Malformed, ActionReader.TryRead(Encoding.UTF8.GetBytes(deep), out _, out _));
    }
}
