using MobZ.Rtc.Ice;

namespace MobZ.Rtc.Sdp;

/// <summary>What the server brings to an answer: its ICE-lite credentials and candidates, DTLS fingerprint,
/// capabilities.</summary>
public sealed class SdpAnswerOptions
{
    public required IceCredentials IceCredentials { get; init; }
    public required SdpFingerprint Fingerprint { get; init; }
    public IReadOnlyList<IceCandidate> Candidates { get; init; } = [];
    public bool IceLite { get; init; } = true;

    /// <summary>Our DTLS role when the offerer leaves the choice (actpass); passive makes the browser the DTLS
    /// client.</summary>
    public SdpSetupRole PreferredSetup { get; init; } = SdpSetupRole.Passive;

    public IReadOnlyList<SdpCodec> AudioCodecs { get; init; } = WebRtcCapabilities.AudioCodecs;
    public IReadOnlyList<SdpCodec> VideoCodecs { get; init; } = WebRtcCapabilities.VideoCodecs;
    public IReadOnlyCollection<string> AudioHeaderExtensionUris { get; init; } =
        WebRtcCapabilities.AudioHeaderExtensionUris.ToArray();
    public IReadOnlyCollection<string> VideoHeaderExtensionUris { get; init; } =
        WebRtcCapabilities.VideoHeaderExtensionUris.ToArray();

    /// <summary>Keep the offer's codec order (false) or reorder by ours (true).</summary>
    public bool PreferOwnCodecOrder { get; init; }

    public bool AcceptDataChannel { get; init; }
    public int MaxMessageSize { get; init; } = 262144;

    /// <summary>Most simulcast layers accepted from a publisher.</summary>
    public int MaxSimulcastLayers { get; init; } = 3;

    /// <summary>
    /// Our direction per offered section; by default we only receive what the offerer sends (an SFU's publisher
    /// connection): sendrecv/sendonly → recvonly, recvonly/inactive → inactive.
    /// </summary>
    public Func<MediaDescription, SdpDirection>? ChooseDirection { get; init; }

    /// <summary>Last hook per accepted section (offer, answer), e.g. to add our SSRCs and msid when we also
    /// send.</summary>
    public Action<MediaDescription, MediaDescription>? Customize { get; init; }

    public string SessionId { get; init; } =
        Random.Shared.NextInt64(1, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture);
    public ulong SessionVersion { get; init; } = 2;
}
