using System.Globalization;
using System.Net;
using System.Text;
using MobZ.Rtc.Stun;

namespace MobZ.Rtc.Ice;

/// <summary>
/// Builds the host candidates an ICE-lite server announces: one per bound UDP address. When a public IP is
/// configured (ECS Fargate tasks know their public IP but bind a private one, 1:1 NAT), that IP is announced with the
/// bound port instead of the private address, like mediasoup's <c>announcedAddress</c>.
/// </summary>
public static class HostCandidateBuilder
{
    /// <param name="boundAddresses">Local addresses with the UDP port the transport listens on, in preference
    /// order.</param>
    /// <param name="publicAddress">Address to announce instead of every bound IPv4 address; null to announce them as
    /// they are.</param>
    public static IReadOnlyList<IceCandidate> Build(
        IReadOnlyList<IPEndPoint> boundAddresses,
        IPAddress? publicAddress = null,
        int componentId = 1
    )
    {
        var candidates = new List<IceCandidate>(boundAddresses.Count);
        foreach (var (bound, text) in Announced(boundAddresses, publicAddress))
        {
            // Local preference falls with the configured order so the first address is preferred.
            int localPreference = 65535 - candidates.Count;
            candidates.Add(
                new IceCandidate
                {
                    Foundation = Foundation(IceCandidateType.Host, bound.Address, "udp"),
                    Component = componentId,
                    Transport = "udp",
                    Priority = IceCandidateTypes.Priority(IceCandidateType.Host, localPreference, componentId),
                    Address = text,
                    Port = bound.Port,
                    Type = IceCandidateType.Host,
                }
            );
        }

        return candidates;
    }

    /// <summary>
    /// Each bound address with the address text to announce for it (the public IP of its family when one is set),
    /// once per announced address and port, in the configured order.
    /// </summary>
    private static IEnumerable<(IPEndPoint Bound, string Text)> Announced(
        IReadOnlyList<IPEndPoint> boundAddresses,
        IPAddress? publicAddress
    )
    {
        var announced = new HashSet<(string, int)>();
        foreach (IPEndPoint bound in boundAddresses)
        {
            IPAddress address =
                publicAddress is not null && publicAddress.AddressFamily == bound.AddressFamily
                    ? publicAddress
                    : bound.Address;
            string text = address.ToString();
            if (announced.Add((text, bound.Port)))
            {
                yield return (bound, text);
            }
        }
    }

    /// <summary>
    /// Type preference of our passive TCP host candidates: below UDP host (126) and server-reflexive (100), so a
    /// browser that can reach the UDP port uses it, above relayed (0), so a direct TCP path beats a TURN relay
    /// (libwebrtc ranks its own TCP host candidates the same way).
    /// </summary>
    public const int TcpHostTypePreference = 90;

    /// <summary>RFC 6544 §4.2 direction preference of a passive candidate on a host (active 6, passive 4, S-O
    /// 2).</summary>
    private const int PassiveDirectionPreference = 4;

    /// <summary>
    /// Passive TCP host candidates (RFC 6544 <c>tcptype passive</c>) for the ICE-TCP port, one per announced address
    /// like <see cref="Build"/>. Priority per RFC 6544 §4.2: local preference = 2^13 × direction preference + other
    /// preference, with <see cref="TcpHostTypePreference"/> as type preference.
    /// </summary>
    public static IReadOnlyList<IceCandidate> BuildTcpPassive(
        IReadOnlyList<IPEndPoint> boundAddresses,
        IPAddress? publicAddress = null,
        int componentId = 1
    )
    {
        var candidates = new List<IceCandidate>(boundAddresses.Count);
        foreach (var (bound, text) in Announced(boundAddresses, publicAddress))
        {
            int localPreference = (PassiveDirectionPreference << 13) + (8191 - candidates.Count);
            candidates.Add(
                new IceCandidate
                {
                    Foundation = Foundation(IceCandidateType.Host, bound.Address, "tcp"),
                    Component = componentId,
                    Transport = "tcp",
                    Priority =
                        ((uint)TcpHostTypePreference << 24) | ((uint)localPreference << 8) | (uint)(256 - componentId),
                    Address = text,
                    Port = bound.Port,
                    Type = IceCandidateType.Host,
                    TcpType = "passive",
                }
            );
        }

        return candidates;
    }

    /// <summary>
    /// Same type, base address and transport give the same foundation (RFC 8445 §5.1.1.3); a CRC keeps it a short
    /// stable ice-char string across restarts.
    /// </summary>
    public static string Foundation(IceCandidateType type, IPAddress baseAddress, string transport)
    {
        string key = string.Concat(IceCandidateTypes.ToSdp(type), "|", baseAddress.ToString(), "|", transport);
        return Crc32.Compute(Encoding.ASCII.GetBytes(key)).ToString(CultureInfo.InvariantCulture);
    }
}
