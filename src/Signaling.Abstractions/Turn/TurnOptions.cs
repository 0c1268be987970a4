namespace MobZ.Signaling.Abstractions.Turn;

/// <summary>
/// A TURN server that shares a secret with signaling (coturn's use-auth-secret): "MobZ:Rooms:Turn" for rooms,
/// "PixelStreaming:Turn" for Pixel Streaming.
/// </summary>
public sealed class TurnOptions
{
    /// <summary>turn:/turns: URLs of the TURN server, e.g. "turn:turn.example.org:3478?transport=udp",
    /// "turns:turn.example.org:5349?transport=tcp". Empty: no TURN entry is handed out.</summary>
    public List<string> Urls { get; set; } = [];

    /// <summary>The secret the TURN server was started with (coturn: static-auth-secret). Required with Urls.</summary>
    public string? SharedSecret { get; set; }

    /// <summary>How long a handed-out credential works. The TURN server checks it on every allocation and refresh,
    /// so it must outlast a call.</summary>
    public TimeSpan CredentialLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>False when URLs are set without the secret: the host must refuse to start rather than hand out
    /// credentials no TURN server accepts.</summary>
    public bool IsComplete => Urls.Count == 0 || !string.IsNullOrEmpty(SharedSecret);
}
