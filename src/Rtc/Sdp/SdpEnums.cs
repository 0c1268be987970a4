namespace MobZ.Rtc.Sdp;

/// <summary>Media direction attributes (RFC 8866 §6.7).</summary>
public enum SdpDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

/// <summary>a=setup roles (RFC 4145 §4): who starts the DTLS handshake.</summary>
public enum SdpSetupRole
{
    ActPass,
    Active,
    Passive,
    HoldConn,
}

public static class SdpEnumText
{
    public static string ToSdp(this SdpDirection direction) =>
        direction switch
        {
            SdpDirection.SendOnly => "sendonly",
            SdpDirection.RecvOnly => "recvonly",
            SdpDirection.Inactive => "inactive",
            _ => "sendrecv",
        };

    public static bool TryParseDirection(string text, out SdpDirection direction)
    {
        switch (text)
        {
            case "sendrecv":
                direction = SdpDirection.SendRecv;
                return true;
            case "sendonly":
                direction = SdpDirection.SendOnly;
                return true;
            case "recvonly":
                direction = SdpDirection.RecvOnly;
                return true;
            case "inactive":
                direction = SdpDirection.Inactive;
                return true;
            default:
                direction = default;
                return false;
        }
    }

    /// <summary>The direction an answerer mirrors: what the offerer sends, it receives.</summary>
    public static SdpDirection Reverse(this SdpDirection direction) =>
        direction switch
        {
            SdpDirection.SendOnly => SdpDirection.RecvOnly,
            SdpDirection.RecvOnly => SdpDirection.SendOnly,
            _ => direction,
        };

    public static bool Sends(this SdpDirection direction) =>
        direction is SdpDirection.SendRecv or SdpDirection.SendOnly;

    public static bool Receives(this SdpDirection direction) =>
        direction is SdpDirection.SendRecv or SdpDirection.RecvOnly;

    public static string ToSdp(this SdpSetupRole role) =>
        role switch
        {
            SdpSetupRole.Active => "active",
            SdpSetupRole.Passive => "passive",
            SdpSetupRole.HoldConn => "holdconn",
            _ => "actpass",
        };

    public static bool TryParseSetup(string text, out SdpSetupRole role)
    {
        switch (text)
        {
            case "actpass":
                role = SdpSetupRole.ActPass;
                return true;
            case "active":
                role = SdpSetupRole.Active;
                return true;
            case "passive":
                role = SdpSetupRole.Passive;
                return true;
            case "holdconn":
                role = SdpSetupRole.HoldConn;
                return true;
            default:
                role = default;
                return false;
        }
    }
}
