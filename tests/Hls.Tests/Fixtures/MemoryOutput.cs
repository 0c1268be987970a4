using MobZ.Hls.Packaging;

namespace MobZ.Hls.Tests.Fixtures;

/// <summary>Keeps what a packager produces, for checking the bytes and the part/segment structure.</summary>
public sealed class MemoryOutput : IHlsPackagerOutput
{
    public sealed record Part(HlsPartInfo Info, byte[] Data, int Segment, int Session);

    public List<(HlsInitInfo Info, byte[] Data)> Inits { get; } = [];
    public List<Part> Parts { get; } = [];
    public int SegmentsEnded { get; private set; }
    public bool Ended { get; private set; }

    public void OnInit(HlsInitInfo info, HlsChunk init)
    {
        Inits.Add((info, init.Memory.ToArray()));
        init.Dispose();
    }

    public void OnPart(HlsPartInfo info, HlsChunk part)
    {
        Parts.Add(new Part(info, part.Memory.ToArray(), SegmentsEnded, Inits.Count - 1));
        part.Dispose();
    }

    public void OnSegmentEnd() => SegmentsEnded++;

    public void OnEnd() => Ended = true;

    public ValueTask FlushAsync() => ValueTask.CompletedTask;

    /// <summary>An init segment followed by every part of its session: a playable fragmented MP4.</summary>
    public byte[] File(int session = 0)
    {
        using var stream = new MemoryStream();
        stream.Write(Inits[session].Data);
        foreach (Part part in Parts.Where(p => p.Session == session))
        {
            stream.Write(part.Data);
        }

        return stream.ToArray();
    }

    public IEnumerable<IGrouping<int, Part>> Segments => Parts.GroupBy(p => p.Segment);
}
