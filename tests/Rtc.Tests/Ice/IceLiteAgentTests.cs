using System.Net;
using System.Text;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Stun;

namespace MobZ.Rtc.Tests.Ice;

public class IceLiteAgentTests
{
    private static readonly TransportAddress RemoteA = TransportAddress.From(IPAddress.Parse("192.168.1.20"), 50000);
    private static readonly TransportAddress RemoteB = TransportAddress.From(IPAddress.Parse("10.0.0.7"), 61000);
    private readonly FakeTime _time = new();
    private readonly IceLiteAgent _agent;
    private readonly byte[] _response = new byte[512];

    public IceLiteAgentTests()
    {
        _agent = new IceLiteAgent(new IceCredentials("srvU", "serverpassword12345678"), new IceLiteOptions(), _time)
        {
            RemoteUfrag = "peer",
        };
    }

    private IceCheckResult Handle(byte[] request, TransportAddress from)
    {
        Assert.True(StunMessage.TryRead(request, out StunMessage message));
        return _agent.HandleBindingRequest(message, from, _response);
    }

    private StunMessage Response(IceCheckResult result)
    {
        Assert.True(StunMessage.TryRead(_response.AsSpan(0, result.ResponseLength), out StunMessage message));
        return message;
    }

    [Fact]
    public void Valid_check_gets_a_success_response_with_mapped_address_integrity_and_fingerprint()
    {
        byte[] request = StunRequests.Binding("srvU:peer", "serverpassword12345678");
        IceCheckResult result = Handle(request, RemoteA);

        Assert.Equal(IceCheckOutcome.Success, result.Outcome);
        StunMessage response = Response(result);
        Assert.Equal(StunMessageType.BindingSuccessResponse, response.MessageType);
        Assert.Equal(request.AsSpan(8, 12).ToArray(), response.TransactionId.ToArray());
        Assert.True(response.TryGetXorMappedAddress(out TransportAddress mapped));
        Assert.Equal(RemoteA, mapped);
        Assert.True(response.VerifyMessageIntegrity("serverpassword12345678"u8));
        Assert.True(response.VerifyFingerprint());
        Assert.Equal(IceConnectionState.Connected, _agent.State);
        Assert.True(_agent.TryGetSelectedAddress(out TransportAddress selected));
        Assert.Equal(RemoteA, selected);
    }

    [Theory]
    [InlineData("srvU:peer", "wrongpassword123456789", 401)]
    [InlineData("other:peer", "serverpassword12345678", 401)]
    [InlineData("srvU:someoneelse", "serverpassword12345678", 401)]
    [InlineData("srvUpeer", "serverpassword12345678", 401)]
    public void Bad_credentials_get_401_without_integrity(string username, string password, int code)
    {
        IceCheckResult result = Handle(StunRequests.Binding(username, password), RemoteA);
        Assert.Equal(IceCheckOutcome.Error, result.Outcome);
        Assert.Equal(code, result.ErrorCode);
        StunMessage response = Response(result);
        Assert.Equal(StunMessageType.BindingErrorResponse, response.MessageType);
        Assert.True(response.TryGetErrorCode(out int wireCode, out _));
        Assert.Equal(code, wireCode);
        Assert.False(response.HasMessageIntegrity);
        Assert.True(response.VerifyFingerprint());
        Assert.Equal(IceConnectionState.New, _agent.State);
        Assert.False(_agent.TryGetSelectedAddress(out _));
    }

    [Fact]
    public void Missing_message_integrity_gets_400()
    {
        IceCheckResult result = Handle(StunRequests.Binding("srvU:peer", "x", integrity: false), RemoteA);
        Assert.Equal(400, result.ErrorCode);
    }

    [Fact]
    public void Peer_claiming_the_controlled_role_gets_an_authenticated_487()
    {
        IceCheckResult result = Handle(
            StunRequests.Binding("srvU:peer", "serverpassword12345678", controlling: false),
            RemoteA
        );
        Assert.Equal(487, result.ErrorCode);
        StunMessage response = Response(result);
        Assert.True(response.VerifyMessageIntegrity("serverpassword12345678"u8));
        Assert.Equal(IceConnectionState.New, _agent.State);
    }

    [Fact]
    public void Unknown_comprehension_required_attribute_gets_420_listing_it()
    {
        IceCheckResult result = Handle(
            StunRequests.Binding("srvU:peer", "serverpassword12345678", extraAttribute: 0x0042),
            RemoteA
        );
        Assert.Equal(420, result.ErrorCode);
        Assert.True(Response(result).TryGetAttribute(StunAttributeType.UnknownAttributes, out ReadOnlySpan<byte> list));
        Assert.Equal(new byte[] { 0x00, 0x42 }, list.ToArray());
    }

    [Fact]
    public void Unknown_comprehension_optional_attribute_is_ignored()
    {
        IceCheckResult result = Handle(
            StunRequests.Binding("srvU:peer", "serverpassword12345678", extraAttribute: 0xC057),
            RemoteA
        );
        Assert.Equal(IceCheckOutcome.Success, result.Outcome);
    }

    [Fact]
    public void Corrupt_fingerprint_and_non_requests_are_dropped_silently()
    {
        byte[] request = StunRequests.Binding("srvU:peer", "serverpassword12345678");
        request[^1] ^= 0xFF;
        Assert.Equal(IceCheckOutcome.Dropped, Handle(request, RemoteA).Outcome);

        byte[] indication = StunRequests.Binding("srvU:peer", "serverpassword12345678");
        indication[1] = 0x11;
        indication = Rewrite(indication);
        Assert.Equal(IceCheckOutcome.Dropped, Handle(indication, RemoteA).Outcome);
    }

    [Fact]
    public void Use_candidate_nominates_and_the_latest_nomination_wins()
    {
        var selections = new List<TransportAddress>();
        var states = new List<IceConnectionState>();
        _agent.SelectedAddressChanged += (_, address) => selections.Add(address);
        _agent.StateChanged += (_, state) => states.Add(state);

        Handle(StunRequests.Binding("srvU:peer", "serverpassword12345678"), RemoteA);
        Handle(StunRequests.Binding("srvU:peer", "serverpassword12345678"), RemoteB);
        Assert.True(_agent.TryGetSelectedAddress(out TransportAddress selected));
        Assert.Equal(RemoteA, selected);

        IceCheckResult nominated = Handle(
            StunRequests.Binding("srvU:peer", "serverpassword12345678", useCandidate: true),
            RemoteB
        );
        Assert.True(nominated.Nominated);
        Assert.True(nominated.SelectedAddressChanged);
        Assert.True(_agent.TryGetSelectedAddress(out selected));
        Assert.Equal(RemoteB, selected);

        Handle(StunRequests.Binding("srvU:peer", "serverpassword12345678", useCandidate: true), RemoteA);
        Assert.True(_agent.TryGetSelectedAddress(out selected));
        Assert.Equal(RemoteA, selected);

        Assert.Equal(new[] { RemoteA, RemoteB, RemoteA }, selections);
        Assert.Equal(new[] { IceConnectionState.Connected, IceConnectionState.Completed }, states);
        Assert.True(_agent.IsKnownAddress(RemoteB));
        Assert.False(_agent.IsKnownAddress(TransportAddress.From(IPAddress.Loopback, 1)));
    }

    [Fact]
    public void Silence_leads_to_disconnected_then_recovers_on_the_next_check()
    {
        Handle(StunRequests.Binding("srvU:peer", "serverpassword12345678", useCandidate: true), RemoteA);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(IceConnectionState.Completed, _agent.CheckTimeouts());
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(IceConnectionState.Disconnected, _agent.CheckTimeouts());

        Handle(StunRequests.Binding("srvU:peer", "serverpassword12345678"), RemoteA);
        Assert.Equal(IceConnectionState.Completed, _agent.State);
    }

    [Fact]
    public void Consent_expires_after_30_seconds_and_the_agent_stops_answering()
    {
        Handle(StunRequests.Binding("srvU:peer", "serverpassword12345678", useCandidate: true), RemoteA);
        for (int i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            Handle(StunRequests.Binding("srvU:peer", "serverpassword12345678"), RemoteA);
            Assert.Equal(IceConnectionState.Completed, _agent.CheckTimeouts());
        }

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(IceConnectionState.Failed, _agent.CheckTimeouts());
        Assert.Equal(
            IceCheckOutcome.Dropped,
            Handle(StunRequests.Binding("srvU:peer", "serverpassword12345678"), RemoteA).Outcome
        );
        Assert.Equal(IceConnectionState.Failed, _agent.State);
    }

    [Fact]
    public void An_agent_that_never_gets_a_check_fails_after_the_consent_timeout()
    {
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(IceConnectionState.New, _agent.CheckTimeouts());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(IceConnectionState.Failed, _agent.CheckTimeouts());
    }

    [Fact]
    public void Closed_agent_drops_checks()
    {
        _agent.Close();
        Assert.Equal(
            IceCheckOutcome.Dropped,
            Handle(StunRequests.Binding("srvU:peer", "serverpassword12345678"), RemoteA).Outcome
        );
        Assert.Equal(IceConnectionState.Closed, _agent.State);
    }

    [Fact]
    public void Without_a_known_remote_ufrag_any_peer_suffix_is_accepted()
    {
        var agent = new IceLiteAgent(new IceCredentials("srvU", "serverpassword12345678"), timeProvider: _time);
        Assert.True(
            StunMessage.TryRead(
                StunRequests.Binding("srvU:anything", "serverpassword12345678"),
                out StunMessage message
            )
        );
        Assert.Equal(IceCheckOutcome.Success, agent.HandleBindingRequest(message, RemoteA, _response).Outcome);
    }

    /// <summary>Re-signs a request after editing its header so only the edit is under test.</summary>
    private static byte[] Rewrite(byte[] request)
    {
        Assert.True(StunMessage.TryRead(request, out StunMessage message));
        byte[] buffer = new byte[512];
        var writer = new StunMessageWriter(buffer, message.MessageType, message.TransactionId);
        foreach (StunAttribute attribute in message.Attributes)
        {
            if (attribute.Type is not StunAttributeType.MessageIntegrity and not StunAttributeType.Fingerprint)
            {
                writer.TryAddAttribute(attribute.Type, attribute.Value);
            }
        }

        writer.TryAddMessageIntegrity(Encoding.ASCII.GetBytes("serverpassword12345678"));
        writer.TryAddFingerprint();
        return writer.Written.ToArray();
    }
}
