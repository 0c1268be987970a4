namespace MobZ.Rtc.Srtp;

/// <summary>Per-SSRC state inside one <see cref="SrtpContext"/>: RTP index and replay, SRTCP index and
/// replay.</summary>
internal sealed class SrtpStream
{
    public uint Roc;
    public ushort HighestSequence;
    public bool RtpStarted;
    public SrtpReplayWindow RtpReplay;

    /// <summary>
    /// Next SRTCP index to send. Starts at 1 like libsrtp, whose receivers treat index 0 as
    /// already seen.
    /// </summary>
    public uint NextRtcpIndex = 1;
    public SrtpReplayWindow RtcpReplay;
}
