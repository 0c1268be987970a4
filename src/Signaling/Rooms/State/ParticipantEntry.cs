namespace MobZ.Signaling.Rooms.State;

/// <summary>One participant as stored in a room's publishers or viewers hash.</summary>
public sealed record ParticipantEntry
{
    public string? UserId { get; init; }
    public bool Audio { get; init; } = true;
    public bool Video { get; init; } = true;

    /// <summary>Unix ms; the earliest-joined remaining participant inherits ownership.</summary>
    public long JoinedAt { get; init; }
    public string? StationId { get; init; }

    /// <summary>The Munit the station was first assigned to. It can move (a Regulator reassigns the stations of a
    /// dead Munit), so talk to the Munit named in the station hash, never to this one.</summary>
    public string? MunitId { get; init; }

    /// <summary>The publisher's Munit has answered its first offer: its station has media to watch. Before that a
    /// Watch fails, so clients wait for the PublishListChangeAck (reason "published") that sets it.</summary>
    public bool Live { get; init; }

    /// <summary>Joined with the admin grant: may own the room, and inherits ownership before anyone without
    /// it.</summary>
    public bool Admin { get; init; }
}

/// <summary>A participant together with its connection id.</summary>
public readonly record struct Participant(string ConnectionId, ParticipantEntry Entry);
