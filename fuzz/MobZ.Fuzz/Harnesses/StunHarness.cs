using System.Net;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Stun;
using static MobZ.Fuzz.FuzzInvariantException;

namespace MobZ.Fuzz.Harnesses;

/// <summary>A datagram on the media port as the ICE-lite path sees it: classified, routed by ufrag, answered.</summary>
internal static class StunHarness
{
    /// <summary>The seed corpus's requests are signed with these (see <see cref="SeedCorpus"/>).</summary>
    public const string Ufrag = "fuzz";
    public const string Password = "fuzzpasswordfuzzpassword";

    private static readonly TransportAddress Remote = TransportAddress.From(IPAddress.Loopback, 5000);

    public static void Run(byte[] input)
    {
        // A fresh agent per input, so what an input does never depends on the inputs before it.
        var agent = new IceLiteAgent(new IceCredentials(Ufrag, Password));
        var registry = new IceLiteRegistry();
        registry.TryRegister(agent);
        byte[] response = new byte[1024];
        _ = DatagramClassifier.Classify(input);
        IceCheckResult routed = registry.HandleStun(input, Remote, response, out _);
        Check(routed.ResponseLength >= 0 && routed.ResponseLength <= response.Length, "a response fits its buffer");
        if (!StunMessage.TryRead(input, out StunMessage message))
            return;

        foreach (StunAttribute attribute in message.Attributes)
            Check(attribute.Value.Length <= input.Length, "an attribute lies inside the message");
        _ = message.TryGetUsername(out _);
        _ = message.TryGetPriority(out _);
        _ = message.TryGetErrorCode(out _, out _);
        _ = message.TryGetXorMappedAddress(out _);
        _ = message.TryGetMappedAddress(out _);
        _ = message.TryGetIceControlling(out _);
        _ = message.VerifyFingerprint();
        _ = message.VerifyMessageIntegrity("fuzzpasswordfuzzpassword"u8);
        IceCheckResult result = agent.HandleBindingRequest(message, Remote, response);
        if (result.HasResponse)
        {
            Check(
                StunMessage.TryRead(response.AsSpan(0, result.ResponseLength), out StunMessage reply),
                "our response parses"
            );
            Check(reply.VerifyFingerprint(), "our response's fingerprint verifies");
        }
    }
}
