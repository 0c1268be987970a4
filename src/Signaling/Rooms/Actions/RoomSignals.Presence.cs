using MobZ.Signaling.Rooms.Delivery;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.State;

namespace MobZ.Signaling.Rooms.Actions;

public sealed partial class RoomSignals
{
    public async Task LeaveAsync(Invocation inv, LeaveMessage msg)
    {
        var outcome = await RemoveAsync(inv, inv.ConnectionId, ChangeReasons.Left).ConfigureAwait(false);
        if (outcome is null)
        {
            await ThrowIfStateLostAsync(inv).ConfigureAwait(false);
            throw new SignalException(ErrorCodes.NotInRoom, "You are not in a room");
        }
        await sender
            .SendAsync(inv, inv.ConnectionId, new LeaveAckReply(outcome.RoomId) { RequestId = msg.RequestId })
            .ConfigureAwait(false);
    }

    /// <summary>Every client heartbeats, so a store that lost its data is noticed by each client within one
    /// interval.</summary>
    public async Task HeartbeatAsync(Invocation inv, HeartbeatMessage msg)
    {
        await ThrowIfStateLostAsync(inv).ConfigureAwait(false);
        await rooms.TouchHeartbeatAsync(inv.ConnectionId).ConfigureAwait(false);
        await sender
            .SendAsync(
                inv,
                inv.ConnectionId,
                new HeartbeatAckReply(time.GetUtcNow().ToUnixTimeMilliseconds(), inv.ConnectionId)
                {
                    RequestId = msg.RequestId,
                }
            )
            .ConfigureAwait(false);
    }

    /// <summary>Stores the sender's audio/video flags and tells everyone else in the room.</summary>
    public async Task UpdateVideoAsync(Invocation inv, UpdateVideoMessage msg)
    {
        if (msg.Audio is null && msg.Video is null)
            throw new SignalException(ErrorCodes.MissingField, "\"audio\" or \"video\" is required");
        var me = await RequireMembershipAsync(inv).ConfigureAwait(false);
        using var scope = RoomScope(me.RoomId);
        var entry = await rooms
            .UpdateMediaAsync(me.RoomId, me.Role, inv.ConnectionId, msg.Audio, msg.Video)
            .ConfigureAwait(false);
        // the sender's requestId is its own
        var notice = new UpdateVideoNotice(inv.ConnectionId, entry.Audio, entry.Video);
        await sender
            .BroadcastAsync(inv, await MembersAsync(me.RoomId).ConfigureAwait(false), notice, except: inv.ConnectionId)
            .ConfigureAwait(false);
    }
}
