using System.Net;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Stun;
using MobZ.Rtc.Tests.Ice;

namespace MobZ.Rtc.Tests.Fuzz;

public class StunFuzzTests
{
    [Fact]
    public void Stun_reader_and_ice_lite_agent_never_throw_on_mutated_or_random_input()
    {
        var agent = new IceLiteAgent(new IceCredentials("fuzz", "fuzzpasswordfuzzpassword"));
        var registry = new IceLiteRegistry();
        registry.TryRegister(agent);
        var remote = TransportAddress.From(IPAddress.Loopback, 5000);
        byte[] response = new byte[1024];
        byte[][] seeds =
        [
            StunRequests.Binding("fuzz:peer", "fuzzpasswordfuzzpassword", useCandidate: true),
            StunRequests.Binding("fuzz:peer", "fuzzpasswordfuzzpassword", controlling: false),
            Convert.FromHexString("0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220002000080001a147e112a643000800142b91f599fd9e90c38c7489f92af9ba53f06be7d780280004c07d4c96"),
        ];

        int parsed = 0;
        foreach (byte[] input in Mutations.Of(seeds, seed: 3, firstBytes: [0x00, 0x01]))
        {
            _ = DatagramClassifier.Classify(input);
            IceCheckResult routed = registry.HandleStun(input, remote, response, out _);
            Assert.InRange(routed.ResponseLength, 0, response.Length);
            if (!StunMessage.TryRead(input, out StunMessage message))
            {
                continue;
            }

            parsed++;
            foreach (StunAttribute attribute in message.Attributes)
            {
                Assert.InRange(attribute.Value.Length, 0, input.Length);
            }

            _ = message.TryGetUsername(out _);
            _ = message.TryGetPriority(out _);
            _ = message.TryGetErrorCode(out _, out _);
            _ = message.TryGetXorMappedAddress(out _);
            _ = message.TryGetMappedAddress(out _);
            _ = message.TryGetIceControlling(out _);
            _ = message.VerifyFingerprint();
            _ = message.VerifyMessageIntegrity("fuzzpasswordfuzzpassword"u8);
            IceCheckResult result = agent.HandleBindingRequest(message, remote, response);
            if (result.HasResponse)
            {
                Assert.True(StunMessage.TryRead(response.AsSpan(0, result.ResponseLength), out StunMessage reply));
                Assert.True(reply.VerifyFingerprint());
            }
        }

        Assert.True(parsed > 500, $"only {parsed} inputs parsed as STUN");
    }
}
