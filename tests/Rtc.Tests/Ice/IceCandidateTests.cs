using System.Net;
using MobZ.Rtc.Ice;

namespace MobZ.Rtc.Tests.Ice;

public class IceCandidateTests
{
    [Theory]
    [InlineData("candidate:1467250027 1 udp 2122260223 192.168.0.196 46243 typ host generation 0 network-id 1")]
    [InlineData(
        "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.2 rport 46154 generation 0 ufrag EsAw network-cost 999"
    )]
    [InlineData(
        "candidate:3205369023 1 udp 2122262783 2df1a0f6-07f3-47a8-8b1c-6e8a1d3d0a1f.local 53981 typ host generation 0 network-id 2"
    )]
    [InlineData("candidate:1 1 tcp 1518280447 192.168.0.196 9 typ host tcptype active generation 0")]
    [InlineData("candidate:4 1 udp 16777215 198.51.100.1 3478 typ relay raddr 0.0.0.0 rport 0")]
    public void Browser_candidate_lines_round_trip(string line)
    {
        Assert.True(IceCandidate.TryParse(line, out IceCandidate? candidate, out string? error), error);
        Assert.Equal(line, candidate!.ToSdpValue());
        Assert.True(IceCandidate.TryParse("a=" + line, out IceCandidate? withPrefix, out _));
        Assert.Equal(candidate.Address, withPrefix!.Address);
    }

    [Fact]
    public void Parsed_fields_are_typed()
    {
        Assert.True(
            IceCandidate.TryParse(
                "candidate:842163049 1 UDP 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.2 rport 46155",
                out IceCandidate? c,
                out _
            )
        );
        Assert.Equal("842163049", c!.Foundation);
        Assert.Equal(1, c.Component);
        Assert.Equal("udp", c.Transport);
        Assert.Equal(1677729535u, c.Priority);
        Assert.Equal("203.0.113.7", c.Address);
        Assert.Equal(46154, c.Port);
        Assert.Equal(IceCandidateType.ServerReflexive, c.Type);
        Assert.Equal("10.0.0.2", c.RelatedAddress);
        Assert.Equal(46155, c.RelatedPort);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("candidate:1 1 udp 100 1.2.3.4 5000", "needs")]
    [InlineData("candidate:1 x udp 100 1.2.3.4 5000 typ host", "component")]
    [InlineData("candidate:1 1 udp -5 1.2.3.4 5000 typ host", "priority")]
    [InlineData("candidate:1 1 udp 100 1.2.3.4 70000 typ host", "port")]
    [InlineData("candidate:1 1 udp 100 1.2.3.4 5000 type host", "type")]
    [InlineData("candidate:1 1 udp 100 1.2.3.4 5000 typ bogus", "type")]
    [InlineData("candidate:1 1 udp 100 1.2.3.4 5000 typ host generation", "no value")]
    public void Malformed_candidates_report_why(string line, string expectedWord)
    {
        Assert.False(IceCandidate.TryParse(line, out _, out string? error));
        Assert.Contains(expectedWord, error);
    }

    [Theory]
    [InlineData(IceCandidateType.Host, 65535, 1, 2130706431u)]
    [InlineData(IceCandidateType.Host, 65535, 2, 2130706430u)]
    [InlineData(IceCandidateType.ServerReflexive, 65535, 1, 1694498815u)]
    [InlineData(IceCandidateType.PeerReflexive, 0, 1, 1845494015u)]
    [InlineData(IceCandidateType.Relayed, 65535, 1, 16777215u)]
    public void Priority_follows_the_rfc_8445_formula(
        IceCandidateType type,
        int localPreference,
        int component,
        uint expected
    )
    {
        Assert.Equal(expected, IceCandidateTypes.Priority(type, localPreference, component));
    }

    [Fact]
    public void Host_candidates_announce_the_public_ip_with_the_bound_port()
    {
        var bound = new[]
        {
            new IPEndPoint(IPAddress.Parse("10.0.1.5"), 40000),
            new IPEndPoint(IPAddress.Parse("fd00::5"), 40000),
        };
        IReadOnlyList<IceCandidate> candidates = HostCandidateBuilder.Build(bound, IPAddress.Parse("54.1.2.3"));
        Assert.Equal(2, candidates.Count);
        Assert.Equal("54.1.2.3", candidates[0].Address);
        Assert.Equal(40000, candidates[0].Port);
        Assert.Equal(2130706431u, candidates[0].Priority);
        Assert.Equal("fd00::5", candidates[1].Address);
        Assert.True(candidates[1].Priority < candidates[0].Priority);
        Assert.StartsWith("candidate:", candidates[0].ToSdpValue());
        Assert.Contains(" 54.1.2.3 40000 typ host", candidates[0].ToSdpValue());
    }

    [Fact]
    public void Foundation_is_stable_and_differs_by_base_address()
    {
        string a = HostCandidateBuilder.Foundation(IceCandidateType.Host, IPAddress.Parse("10.0.0.1"), "udp");
        Assert.Equal(a, HostCandidateBuilder.Foundation(IceCandidateType.Host, IPAddress.Parse("10.0.0.1"), "udp"));
        Assert.NotEqual(a, HostCandidateBuilder.Foundation(IceCandidateType.Host, IPAddress.Parse("10.0.0.2"), "udp"));
        Assert.All(a, c => Assert.True(IceCredentials.IsIceChar(c)));
    }

    [Fact]
    public void Duplicate_announced_addresses_are_listed_once()
    {
        var bound = new[]
        {
            new IPEndPoint(IPAddress.Parse("10.0.1.5"), 40000),
            new IPEndPoint(IPAddress.Parse("10.0.2.5"), 40000),
        };
        Assert.Single(HostCandidateBuilder.Build(bound, IPAddress.Parse("54.1.2.3")));
    }

    [Fact]
    public void Generated_credentials_use_ice_chars_and_rfc_lengths_and_differ()
    {
        var seen = new HashSet<string>();
        for (int i = 0; i < 200; i++)
        {
            IceCredentials credentials = IceCredentials.Generate();
            Assert.True(IceCredentials.IsValid(credentials.Ufrag, 4));
            Assert.True(IceCredentials.IsValid(credentials.Password, 22));
            Assert.True(seen.Add(credentials.Ufrag));
        }

        Assert.Throws<ArgumentException>(() => new IceCredentials("ab", "passwordpasswordpassword"));
        Assert.Throws<ArgumentException>(() => new IceCredentials("abcd", "short"));
        Assert.Throws<ArgumentException>(() => new IceCredentials("ab:c", "passwordpasswordpassword"));
    }
}
