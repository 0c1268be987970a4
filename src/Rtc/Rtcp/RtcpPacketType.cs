namespace MobZ.Rtc.Rtcp;

/// <summary>RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611).</summary>
public static class RtcpPacketType
{
    public const byte SenderReport = 200;
    public const byte ReceiverReport = 201;
    public const byte SourceDescription = 202;
    public const byte Goodbye = 203;
    public const byte ApplicationDefined = 204;

    /// <summary>Transport-layer feedback (RFC 4585): FMT 1 generic NACK, FMT 15 transport-wide CC.</summary>
    public const byte TransportFeedback = 205;

    /// <summary>Payload-specific feedback (RFC 4585): FMT 1 PLI, FMT 4 FIR (RFC 5104), FMT 15 application layer
    /// (REMB).</summary>
    public const byte PayloadFeedback = 206;

    public const byte ExtendedReport = 207;
}

/// <summary>FMT values of the feedback packet types.</summary>
public static class RtcpFeedbackFormat
{
    public const byte GenericNack = 1;
    public const byte TransportWideCc = 15;
    public const byte PictureLossIndication = 1;
    public const byte FullIntraRequest = 4;
    public const byte ApplicationLayer = 15;
}
