using MobZ.State;

namespace MobZ.PixelStreaming.Matching;

public sealed record StreamerView(string StreamerId, string? State, string? PlayerId);

public sealed record PsOverviewView(IReadOnlyList<string> Queue, IReadOnlyList<StreamerView> Streamers);

/// <summary>The waiting queue (oldest first) and every registered streamer with its state and player, for the admin
/// API.</summary>
public sealed class PsOverview(IStateStore store, PsKeys keys)
{
    public async Task<PsOverviewView> ReadAsync()
    {
        var queue = await store.ListRangeAsync(keys.Queue).ConfigureAwait(false);
        var ids = await store.SetMembersAsync(keys.Streamers).ConfigureAwait(false);
        var streamers = new List<StreamerView>(ids.Count);
        foreach (var id in ids.Order(StringComparer.Ordinal))
        {
            var fields = await store.HashGetAllAsync(keys.Streamer(id)).ConfigureAwait(false);
            streamers.Add(
                new StreamerView(
                    id,
                    fields.GetValueOrDefault(PsFields.State),
                    fields.GetValueOrDefault(PsFields.Player)
                )
            );
        }
        return new PsOverviewView(queue, streamers);
    }
}
