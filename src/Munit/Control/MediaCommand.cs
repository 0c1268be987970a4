namespace MobZ.Munit.Control;

public enum MediaOp
{
    /// <summary>Publisher's offer → Munit's answer.</summary>
    Publish,

    /// <summary>Viewer asks to watch → Munit's offer.</summary>
    Watch,

    /// <summary>Viewer's answer to the Watch offer.</summary>
    Answer,

    /// <summary>Trickled ICE candidate of a publisher or viewer.</summary>
    Candidate,

    /// <summary>Viewer picks a simulcast layer.</summary>
    Simulcast,

    /// <summary>Publisher or viewer leaves.</summary>
    Leave,
}

/// <summary>One media request for a station, as the Regulator hands it to the Munit.</summary>
public sealed record MediaCommand(MediaOp Op, string StationId, string PeerId)
{
    public string? Sdp { get; init; }
    public string? Candidate { get; init; }
    public string? SdpMid { get; init; }
    public int? SdpMLineIndex { get; init; }

    /// <summary>rid ("f", "h", "q", …) or spatial index as text, for <see cref="MediaOp.Simulcast"/>.</summary>
    public string? Layer { get; init; }
}

/// <summary>The outcome of a <see cref="MediaCommand"/>: an SDP for Publish (answer) and Watch (offer), or an
/// error.</summary>
public sealed record MediaResult(bool Ok, string? Sdp = null, string? Error = null)
{
    public static MediaResult Success(string? sdp = null) => new(true, sdp);

    public static MediaResult Failure(string error) => new(false, null, error);
}
