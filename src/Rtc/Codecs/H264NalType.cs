namespace MobZ.Rtc.Codecs;

/// <summary>NAL unit types (ITU-T H.264 Table 7-1) and RTP packetization types (RFC 6184 §5.4).</summary>
public static class H264NalType
{
    public const int NonIdrSlice = 1;
    public const int IdrSlice = 5;
    public const int Sei = 6;
    public const int Sps = 7;
    public const int Pps = 8;
    public const int AccessUnitDelimiter = 9;
    public const int EndOfSequence = 10;
    public const int EndOfStream = 11;
    public const int FillerData = 12;
    public const int StapA = 24;
    public const int StapB = 25;
    public const int Mtap16 = 26;
    public const int Mtap24 = 27;
    public const int FuA = 28;
    public const int FuB = 29;
}
