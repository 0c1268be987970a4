using MobZ.Contracts;
using MobZ.Munit.Control;

namespace MobZ.Regulator;

/// <summary>Signaling's <see cref="MediaRequest"/> (op as text) to the Munit's <see cref="MediaCommand"/>.</summary>
internal static class MediaRequestMapper
{
    public static bool TryMap(MediaRequest request, out MediaCommand? command)
    {
        MediaOp? op = request.Op switch
        {
            MediaOps.Publish => MediaOp.Publish,
            MediaOps.Watch => MediaOp.Watch,
            MediaOps.Answer => MediaOp.Answer,
            MediaOps.Candidate => MediaOp.Candidate,
            MediaOps.Simulcast => MediaOp.Simulcast,
            MediaOps.Leave => MediaOp.Leave,
            _ => null,
        };
        if (op is null || string.IsNullOrEmpty(request.StationId) || string.IsNullOrEmpty(request.PeerId))
        {
            command = null;
            return false;
        }
        command = new MediaCommand(op.Value, request.StationId, request.PeerId)
        {
            Sdp = request.Sdp,
            Candidate = request.Candidate,
            SdpMid = request.SdpMid,
            SdpMLineIndex = request.SdpMLineIndex,
            Layer = request.Layer,
        };
        return true;
    }
}
