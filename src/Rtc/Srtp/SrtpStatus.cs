namespace MobZ.Rtc.Srtp;

/// <summary>Why an SRTP/SRTCP packet was accepted or dropped; every drop has a name.</summary>
public enum SrtpStatus
{
    Ok = 0,

    /// <summary>Shorter than a header plus the profile's trailer, or a malformed RTP/RTCP header.</summary>
    Malformed,

    /// <summary>The buffer has no room for the trailer the profile appends.</summary>
    NoTailroom,
    AuthenticationFailed,
    ReplayDuplicate,

    /// <summary>Older than the replay window.</summary>
    ReplayTooOld,

    /// <summary>The context already tracks its maximum number of SSRCs.</summary>
    TooManyStreams,
}
