using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Stun;

namespace MobZ.Rtc.Tests.Ice;

/// <summary>The controlling agent's checks, retransmissions and consent, on a fake clock.</summary>
public class IceControllingAgentTests
{
    private const string RemoteUfrag = "srvufrag";
    private const string RemotePassword = "serverpasswordserverpass";
    private static readonly byte[] RemoteKey = Encoding.ASCII.GetBytes(RemotePassword);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);
    private readonly RecordingSender _sender = new();
    private readonly List<IceConnectionState> _states = [];
    private readonly IceControllingAgent _agent;

    public IceControllingAgentTests()
    {
        _agent = new IceControllingAgent(
            new IceCredentials("cliufrag", "clientpasswordclientpass"),
            RemoteUfrag,
            RemotePassword,
            _sender,
            new IceControllingOptions(),
            _time
        );
        _agent.StateChanged += (_, state) => _states.Add(state);
    }

    [Fact]
    public void A_check_carries_username_priority_controlling_use_candidate_integrity_and_fingerprint()
    {
        _agent.Start();

        var sent = Assert.Single(_sender.Sent);
        Assert.True(StunMessage.TryRead(sent, out var request));
        Assert.Equal(StunMessageType.BindingRequest, request.MessageType);
        Assert.True(request.TryGetUsername(out var username));
        Assert.Equal("srvufrag:cliufrag", Encoding.ASCII.GetString(username));
        Assert.True(request.TryGetPriority(out uint priority));
        Assert.Equal(IceControllingAgent.PeerReflexivePriority, priority);
        Assert.True(request.TryGetIceControlling(out _));
        Assert.True(request.UseCandidate);
        Assert.True(request.VerifyMessageIntegrity(RemoteKey));
        Assert.True(request.VerifyFingerprint());
    }

    [Fact]
    public void Checks_are_retransmitted_with_a_doubling_timeout_and_the_agent_fails_at_the_connect_timeout()
    {
        _agent.Start();
        var sentAt = new List<TimeSpan> { TimeSpan.Zero };
        for (int ms = 10; ms <= 10_000; ms += 10)
        {
            int before = _sender.Sent.Count;
            _time.Advance(TimeSpan.FromMilliseconds(10));
            if (_sender.Sent.Count > before)
                sentAt.Add(TimeSpan.FromMilliseconds(ms));
        }

        // 250 ms, doubling, capped at 2 s.
        Assert.Equal([0, 250, 750, 1750, 3750, 5750, 7750, 9750], sentAt.Select(t => (int)t.TotalMilliseconds));
        Assert.Equal([IceConnectionState.Failed], _states);
        Assert.Equal(IceConnectionState.Failed, _agent.State);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(8, _sender.Sent.Count);
    }

    [Fact]
    public void A_valid_response_connects_and_consent_is_asked_every_interval_without_nomination()
    {
        _agent.Start();
        _time.Advance(TimeSpan.FromMilliseconds(250)); // one retransmission: a response to either counts

        Assert.True(_agent.HandleResponse(Response(_sender.Sent[0])));
        Assert.Equal([IceConnectionState.Connected], _states);

        int before = _sender.Sent.Count;
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(before + 1, _sender.Sent.Count);
        Assert.True(StunMessage.TryRead(_sender.Sent[^1], out var consent));
        Assert.False(consent.UseCandidate);
        Assert.True(consent.VerifyMessageIntegrity(RemoteKey));
        Assert.False(consent.TransactionId.SequenceEqual(Response(_sender.Sent[0]).TransactionId));
    }

    [Fact]
    public void Without_consent_responses_the_agent_disconnects_then_fails_after_thirty_seconds()
    {
        _agent.Start();
        Assert.True(_agent.HandleResponse(Response(_sender.Sent[0])));

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(IceConnectionState.Connected, _agent.State);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(IceConnectionState.Disconnected, _agent.State);

        // A late answer to the last consent request brings it back, and the 30 s start again from there.
        Assert.True(_agent.HandleResponse(Response(_sender.Sent[^1])));
        Assert.Equal(IceConnectionState.Connected, _agent.State);
        _time.Advance(TimeSpan.FromSeconds(25));
        Assert.NotEqual(IceConnectionState.Failed, _agent.State);
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(
            [
                IceConnectionState.Connected,
                IceConnectionState.Disconnected,
                IceConnectionState.Connected,
                IceConnectionState.Disconnected,
                IceConnectionState.Failed,
            ],
            _states
        );
    }

    [Fact]
    public void Responses_with_a_wrong_key_an_unknown_transaction_or_an_error_class_are_ignored()
    {
        _agent.Start();
        var request = _sender.Sent[0];

        Assert.False(
            _agent.HandleResponse(Response(request, key: Encoding.ASCII.GetBytes("wrongpasswordwrongpasswd")))
        );
        Assert.False(_agent.HandleResponse(Response(request, transaction: new byte[12])));
        Assert.False(_agent.HandleResponse(Response(request, type: StunMessageType.BindingErrorResponse)));

        Assert.Equal(IceConnectionState.New, _agent.State);
        Assert.Equal(3, _agent.ResponsesRejected);
        Assert.Empty(_states);
    }

    [Fact]
    public void Close_stops_the_checks()
    {
        _agent.Start();
        _agent.Close();
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Single(_sender.Sent);
        Assert.Equal([IceConnectionState.Closed], _states);
    }

    /// <summary>A binding response to <paramref name="request"/> as an ICE-lite server writes it.</summary>
    private static StunMessage Response(
        byte[] request,
        byte[]? key = null,
        byte[]? transaction = null,
        ushort type = StunMessageType.BindingSuccessResponse
    )
    {
        Assert.True(StunMessage.TryRead(request, out var message));
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, type, transaction ?? message.TransactionId.ToArray());
        writer.TryAddXorMappedAddress(TransportAddress.FromIPEndPoint(new IPEndPoint(IPAddress.Loopback, 5000)));
        writer.TryAddMessageIntegrity(key ?? RemoteKey);
        writer.TryAddFingerprint();
        Assert.True(StunMessage.TryRead(buffer.AsSpan(0, writer.Length).ToArray(), out var response));
        return response;
    }

    private sealed class RecordingSender : IIceCheckSender
    {
        public List<byte[]> Sent { get; } = [];

        public void SendStun(ReadOnlySpan<byte> datagram) => Sent.Add(datagram.ToArray());
    }
}
