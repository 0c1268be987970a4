using MobZ.Hls.Packaging;

namespace MobZ.Hls.Tests.Fixtures;

/// <summary>Keeps what each rendition of a ladder produces (see <see cref="MemoryOutput"/>).</summary>
public sealed class MemoryLadderOutput : IHlsLadderOutput
{
    private readonly MemoryOutput[] _renditions = [new(), new(), new()];

    public IEnumerable<MemoryOutput> Renditions => _renditions.Where(r => r.Inits.Count > 0);

    public bool Ended { get; private set; }

    public IHlsPackagerOutput Rendition(int index) => _renditions[index];

    public void OnEnd() => Ended = true;

    public ValueTask FlushAsync() => ValueTask.CompletedTask;
}
