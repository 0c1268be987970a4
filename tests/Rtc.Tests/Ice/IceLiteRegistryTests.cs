using System.Net;
using System.Net.Sockets;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Stun;

namespace MobZ.Rtc.Tests.Ice;

public class IceLiteRegistryTests
{
    private readonly IceLiteRegistry _registry = new();
    private readonly byte[] _response = new byte[512];

    [Fact]
    public void Stun_is_routed_by_the_local_ufrag_and_the_sender_address_is_then_mapped()
    {
        var first = new IceLiteAgent(new IceCredentials("aaaa", "passwordpasswordpassA1"));
        var second = new IceLiteAgent(new IceCredentials("bbbb", "passwordpasswordpassB2"));
        Assert.True(_registry.TryRegister(first));
        Assert.True(_registry.TryRegister(second));
        var remote = TransportAddress.From(IPAddress.Parse("127.0.0.1"), 40000);

        Assert.False(_registry.TryGetByAddress(remote, out _));
        IceCheckResult result = _registry.HandleStun(
            StunRequests.Binding("bbbb:x", "passwordpasswordpassB2"),
            remote,
            _response,
            out IceLiteAgent? agent
        );

        Assert.Equal(IceCheckOutcome.Success, result.Outcome);
        Assert.Same(second, agent);
        Assert.True(_registry.TryGetByAddress(remote, out IceLiteAgent? byAddress));
        Assert.Same(second, byAddress);
        Assert.Equal(IceConnectionState.New, first.State);
    }

    [Fact]
    public void Addresses_the_agent_forgot_are_unmapped_so_checks_from_many_sources_hold_only_its_bounded_list()
    {
        var agent = new IceLiteAgent(new IceCredentials("aaaa", "passwordpasswordpassA1"));
        _registry.TryRegister(agent);
        var sources = Enumerable
            .Range(0, 100)
            .Select(i => TransportAddress.From(IPAddress.Parse($"10.0.{i / 250}.{i % 250 + 1}"), (ushort)(50000 + i)))
            .ToList();

        foreach (var source in sources)
        {
            Assert.Equal(
                IceCheckOutcome.Success,
                _registry
                    .HandleStun(StunRequests.Binding("aaaa:x", "passwordpasswordpassA1"), source, _response, out _)
                    .Outcome
            );
        }

        var mapped = sources.Where(s => _registry.TryGetByAddress(s, out _)).ToList();
        Assert.Equal(new IceLiteOptions().MaxRemoteAddresses, mapped.Count);
        Assert.Equal(agent.RemoteAddresses.OrderBy(a => a.ToString()), mapped.OrderBy(a => a.ToString()));
        Assert.True(_registry.TryGetByAddress(sources[0], out _), "the selected address is never forgotten");

        _registry.Unregister(agent);
        Assert.DoesNotContain(sources, s => _registry.TryGetByAddress(s, out _));
    }

    [Fact]
    public void A_failed_check_does_not_map_the_address()
    {
        var agent = new IceLiteAgent(new IceCredentials("aaaa", "passwordpasswordpassA1"));
        _registry.TryRegister(agent);
        var remote = TransportAddress.From(IPAddress.Parse("127.0.0.1"), 40001);
        IceCheckResult result = _registry.HandleStun(
            StunRequests.Binding("aaaa:x", "not-the-password-at-all"),
            remote,
            _response,
            out _
        );
        Assert.Equal(401, result.ErrorCode);
        Assert.False(_registry.TryGetByAddress(remote, out _));
    }

    [Fact]
    public void Unknown_ufrag_is_dropped_without_a_response()
    {
        IceCheckResult result = _registry.HandleStun(
            StunRequests.Binding("zzzz:x", "passwordpasswordpassA1"),
            TransportAddress.From(IPAddress.Loopback, 1),
            _response,
            out IceLiteAgent? agent
        );
        Assert.Equal(IceCheckOutcome.Dropped, result.Outcome);
        Assert.False(result.HasResponse);
        Assert.Null(agent);
    }

    [Fact]
    public void Duplicate_ufrag_is_refused_and_unregister_forgets_ufrag_and_addresses()
    {
        var agent = new IceLiteAgent(new IceCredentials("aaaa", "passwordpasswordpassA1"));
        Assert.True(_registry.TryRegister(agent));
        Assert.False(_registry.TryRegister(new IceLiteAgent(new IceCredentials("aaaa", "passwordpasswordpassA2"))));
        var remote = TransportAddress.From(IPAddress.Parse("::1"), 40002);
        _registry.HandleStun(StunRequests.Binding("aaaa:x", "passwordpasswordpassA1"), remote, _response, out _);
        Assert.True(_registry.TryGetByUfrag("aaaa"u8, out _));

        _registry.Unregister(agent);
        Assert.False(_registry.TryGetByUfrag("aaaa"u8, out _));
        Assert.False(_registry.TryGetByAddress(remote, out _));
        Assert.Equal(0, _registry.Count);
    }

    [Fact]
    public void Ice_restart_swaps_credentials_keeps_the_selected_address_and_refuses_the_old_ones()
    {
        var agent = new IceLiteAgent(new IceCredentials("olduf", "oldpasswordoldpassword1")) { RemoteUfrag = "peer1" };
        Assert.True(_registry.TryRegister(agent));
        var remote = TransportAddress.From(IPAddress.Parse("127.0.0.1"), 40003);
        _registry.HandleStun(
            StunRequests.Binding("olduf:peer1", "oldpasswordoldpassword1", useCandidate: true),
            remote,
            _response,
            out _
        );

        Assert.True(_registry.TryRestart(agent, "peer2", out IceCredentials? fresh));
        Assert.NotEqual("olduf", fresh!.Ufrag);
        Assert.Same(fresh, agent.LocalCredentials);
        Assert.Equal("peer2", agent.RemoteUfrag);
        Assert.False(_registry.TryGetByUfrag("olduf"u8, out _));
        Assert.True(_registry.TryGetByUfrag(System.Text.Encoding.ASCII.GetBytes(fresh.Ufrag), out IceLiteAgent? found));
        Assert.Same(agent, found);
        Assert.True(_registry.TryGetByAddress(remote, out _));
        Assert.True(agent.TryGetSelectedAddress(out TransportAddress selected));
        Assert.Equal(remote, selected);

        Assert.Equal(
            IceCheckOutcome.Dropped,
            _registry
                .HandleStun(StunRequests.Binding("olduf:peer1", "oldpasswordoldpassword1"), remote, _response, out _)
                .Outcome
        );
        Assert.Equal(
            401,
            agent
                .HandleBindingRequest(
                    Parse(StunRequests.Binding($"{fresh.Ufrag}:peer1", fresh.Password)),
                    remote,
                    _response
                )
                .ErrorCode
        );
        Assert.Equal(
            IceCheckOutcome.Success,
            _registry
                .HandleStun(
                    StunRequests.Binding($"{fresh.Ufrag}:peer2", fresh.Password, useCandidate: true),
                    remote,
                    _response,
                    out _
                )
                .Outcome
        );
    }

    [Fact]
    public void Restarting_an_unregistered_or_closed_agent_fails()
    {
        var stranger = new IceLiteAgent();
        Assert.False(_registry.TryRestart(stranger, "x", out _));
        var closed = new IceLiteAgent();
        _registry.TryRegister(closed);
        closed.Close();
        string ufrag = closed.LocalCredentials.Ufrag;
        Assert.False(_registry.TryRestart(closed, "x", out _));
        Assert.Equal(ufrag, closed.LocalCredentials.Ufrag);
        Assert.Equal(1, _registry.Count);
    }

    private static StunMessage Parse(byte[] datagram)
    {
        Assert.True(StunMessage.TryRead(datagram, out StunMessage message));
        return message;
    }

    [Fact]
    public void Ufrag_lookup_rejects_non_ascii_bytes()
    {
        _registry.TryRegister(new IceLiteAgent(new IceCredentials("aaaa", "passwordpasswordpassA1")));
        Assert.False(_registry.TryGetByUfrag(new byte[] { 0x61, 0x61, 0x61, 0xE1 }, out _));
        Assert.True(_registry.TryGetByUfrag("aaaa"u8, out _));
    }

    [Fact]
    public void Transport_address_from_a_received_socket_address_equals_the_endpoint_form()
    {
        var endPoint = new IPEndPoint(IPAddress.Parse("127.0.0.1"), 5555);
        SocketAddress socketAddress = endPoint.Serialize();
        Assert.True(TransportAddress.TryFromSocketAddress(socketAddress, out TransportAddress fromSocket));
        Assert.Equal(TransportAddress.FromIPEndPoint(endPoint), fromSocket);
        Assert.True(fromSocket.IsIPv4);

        var mapped = new IPEndPoint(IPAddress.Parse("127.0.0.1").MapToIPv6(), 5555);
        Assert.True(TransportAddress.TryFromSocketAddress(mapped.Serialize(), out TransportAddress fromMapped));
        Assert.Equal(fromSocket, fromMapped);

        var v6 = new IPEndPoint(IPAddress.Parse("2001:db8::5"), 7);
        Assert.True(TransportAddress.TryFromSocketAddress(v6.Serialize(), out TransportAddress fromV6));
        Assert.Equal(v6, fromV6.ToIPEndPoint());
    }
}
