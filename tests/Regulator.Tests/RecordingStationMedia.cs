using System.Collections.Concurrent;
using MobZ.Munit.Control;

namespace MobZ.Regulator.Tests;

/// <summary>
/// Station media that answers every command and remembers it: the Regulator's job is to relay, not to do
/// WebRTC, so these tests watch what reaches the Munit.
/// </summary>
internal sealed class RecordingMediaFactory : IStationMediaFactory, IPeerLossSource
{
    public ConcurrentQueue<MediaCommand> Commands { get; } = new();

    public event Action<PeerLost>? PeerLost;

    /// <summary>As the WebRTC media reports a publisher peer that ended by itself.</summary>
    public void Lose(string stationId, string peerId, string reason) =>
        PeerLost?.Invoke(new PeerLost(stationId, peerId, reason));

    public IStationMedia Create(StationDescriptor station) => new Media(this, station.StationId);

    private sealed class Media(RecordingMediaFactory owner, string stationId) : IStationMedia
    {
        public Task<MediaResult> HandleAsync(MediaCommand command, CancellationToken cancellationToken)
        {
            owner.Commands.Enqueue(command);
            return Task.FromResult(
                command.Op switch
                {
                    MediaOp.Publish => MediaResult.Success("v=0 answer-for-" + command.PeerId),
                    MediaOp.Watch => MediaResult.Success("v=0 offer-for-" + command.PeerId),
                    MediaOp.Simulcast when command.Layer == "bogus" => MediaResult.Failure("unknown layer"),
                    _ => MediaResult.Success(),
                }
            );
        }

        public StationStats GetStats() => StationStats.Empty(stationId);

        public void Dispose() { }
    }
}
