namespace MobZ.Rtc.Sdp;

public enum SdpRidDirection
{
    Send,
    Recv,
}

/// <summary>a=rid (RFC 8851): an RTP stream id with direction and optional restrictions
/// ("pt=96;max-width=640").</summary>
public sealed record SdpRid(string Id, SdpRidDirection Direction, string? Restrictions = null)
{
    public override string ToString()
    {
        string direction = Direction == SdpRidDirection.Send ? "send" : "recv";
        return Restrictions is null ? $"{Id} {direction}" : $"{Id} {direction} {Restrictions}";
    }
}

/// <summary>One simulcast stream in a=simulcast: a rid, possibly paused ("~q").</summary>
public sealed record SdpSimulcastStream(string Rid, bool Paused = false)
{
    public override string ToString() => Paused ? "~" + Rid : Rid;
}

/// <summary>
/// a=simulcast (RFC 8853 §5.1): <c>send q;h;f recv x</c>. Each list entry is one stream, whose alternatives are
/// comma-separated rids.
/// </summary>
public sealed record SdpSimulcast(
    IReadOnlyList<IReadOnlyList<SdpSimulcastStream>> Send,
    IReadOnlyList<IReadOnlyList<SdpSimulcastStream>> Recv
)
{
    public override string ToString()
    {
        var parts = new List<string>(2);
        if (Send.Count > 0)
        {
            parts.Add("send " + Format(Send));
        }

        if (Recv.Count > 0)
        {
            parts.Add("recv " + Format(Recv));
        }

        return string.Join(' ', parts);
    }

    /// <summary>The first alternative of each send stream, in order (what a publisher will send).</summary>
    public IReadOnlyList<string> SendRids => Send.Select(alternatives => alternatives[0].Rid).ToArray();

    public IReadOnlyList<string> RecvRids => Recv.Select(alternatives => alternatives[0].Rid).ToArray();

    /// <summary>Parses "send a;b recv c" (also the older "send rid=a;b" draft form); null with an error when
    /// malformed.</summary>
    public static SdpSimulcast? TryParse(string value, out string? error)
    {
        error = null;
        var send = new List<IReadOnlyList<SdpSimulcastStream>>();
        var recv = new List<IReadOnlyList<SdpSimulcastStream>>();
        string[] tokens = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < tokens.Length; i += 2)
        {
            if (i + 1 >= tokens.Length)
            {
                error = $"simulcast direction '{tokens[i]}' has no streams";
                return null;
            }

            List<IReadOnlyList<SdpSimulcastStream>> target = tokens[i] switch
            {
                "send" => send,
                "recv" => recv,
                _ => null!,
            };
            if (target is null)
            {
                error = $"simulcast direction must be send or recv, got '{tokens[i]}'";
                return null;
            }

            string list = tokens[i + 1].StartsWith("rid=", StringComparison.Ordinal)
                ? tokens[i + 1][4..]
                : tokens[i + 1];
            foreach (string stream in list.Split(';'))
            {
                var alternatives = new List<SdpSimulcastStream>();
                foreach (string alternative in stream.Split(','))
                {
                    bool paused = alternative.StartsWith('~');
                    string rid = paused ? alternative[1..] : alternative;
                    if (rid.Length == 0)
                    {
                        error = $"empty rid in simulcast '{value}'";
                        return null;
                    }

                    alternatives.Add(new SdpSimulcastStream(rid, paused));
                }

                target.Add(alternatives);
            }
        }

        if (send.Count == 0 && recv.Count == 0)
        {
            error = "simulcast without streams";
            return null;
        }

        return new SdpSimulcast(send, recv);
    }

    private static string Format(IReadOnlyList<IReadOnlyList<SdpSimulcastStream>> streams) =>
        string.Join(';', streams.Select(alternatives => string.Join(',', alternatives)));
}
