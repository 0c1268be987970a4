namespace MobZ.Rtc.Sdp;

/// <summary>Answering a publisher's simulcast offer (RFC 8853 §5.3): its send rids become our recv rids.</summary>
public static class SimulcastNegotiation
{
    /// <summary>
    /// The recv-side rids and a=simulcast for an answer to <paramref name="offer"/>, or empty / null when the offer
    /// sends no simulcast. Rids missing an a=rid line are dropped (RFC 8853 §5.3); paused streams stay paused.
    /// </summary>
    public static (List<SdpRid> Rids, SdpSimulcast? Simulcast) AnswerReceive(MediaDescription offer, int maxLayers = 3)
    {
        if (offer.Simulcast is null || offer.Simulcast.Send.Count == 0)
        {
            return ([], null);
        }

        var declared = offer
            .Rids.Where(r => r.Direction == SdpRidDirection.Send)
            .ToDictionary(r => r.Id, StringComparer.Ordinal);
        var streams = new List<IReadOnlyList<SdpSimulcastStream>>();
        var rids = new List<SdpRid>();
        foreach (IReadOnlyList<SdpSimulcastStream> alternatives in offer.Simulcast.Send)
        {
            SdpSimulcastStream? chosen = alternatives.FirstOrDefault(a => declared.ContainsKey(a.Rid));
            if (chosen is null || streams.Count >= maxLayers)
            {
                continue;
            }

            streams.Add([chosen]);
            rids.Add(new SdpRid(chosen.Rid, SdpRidDirection.Recv));
        }

        return rids.Count == 0 ? ([], null) : (rids, new SdpSimulcast([], streams));
    }
}
