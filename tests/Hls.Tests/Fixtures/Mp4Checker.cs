using System.Buffers.Binary;
using System.Text;

namespace MobZ.Hls.Tests.Fixtures;

/// <summary>
/// Our own structural checker for the fMP4 we write, independent of the writer's code: box sizes nest
/// exactly, the init segment has the boxes a CMAF player needs, every moof's trun points into the mdat
/// that follows and covers it exactly, decode times never overlap, and every video sample is a clean
/// sequence of length-prefixed NAL units.
/// </summary>
public static class Mp4Checker
{
    public sealed class Result
    {
        public List<string> Problems { get; } = [];
        public int Fragments { get; set; }
        public int VideoSamples { get; set; }
        public int AudioSamples { get; set; }
        public int SyncSamples { get; set; }
        public long VideoDuration { get; set; }
        public long AudioDuration { get; set; }
        public List<ulong> VideoBaseTimes { get; } = [];
        public List<(ulong Dts, int Size)> Audio { get; } = [];

        public override string ToString() => string.Join("\n", Problems);
    }

    private static readonly HashSet<string> Containers =
    [
        "moov",
        "trak",
        "mdia",
        "minf",
        "dinf",
        "stbl",
        "mvex",
        "moof",
        "traf",
        "edts",
    ];

    public static Result Check(byte[] file, bool hasInit = true)
    {
        var result = new Result();
        var top = ReadBoxes(file, 0, file.Length, result, "file");
        int index = 0;
        if (hasInit)
        {
            if (top.Count < 2 || top[0].Type != "ftyp" || top[1].Type != "moov")
            {
                result.Problems.Add("the init segment is not ftyp followed by moov");
                return result;
            }

            CheckMoov(file, top[1], result);
            index = 2;
        }

        uint lastSequence = 0;
        var trackEnds = new Dictionary<uint, ulong>();
        for (; index < top.Count; index += 2)
        {
            if (top[index].Type != "moof" || index + 1 >= top.Count || top[index + 1].Type != "mdat")
            {
                result.Problems.Add($"box {index} ({top[index].Type}) is not a moof followed by an mdat");
                return result;
            }

            CheckFragment(file, top[index], top[index + 1], result, ref lastSequence, trackEnds);
            result.Fragments++;
        }

        return result;
    }

    private sealed record Box(string Type, int Start, int Size, int HeaderSize)
    {
        public int PayloadStart => Start + HeaderSize;
        public int End => Start + Size;
    }

    private static List<Box> ReadBoxes(byte[] data, int start, int end, Result result, string parent)
    {
        var boxes = new List<Box>();
        int offset = start;
        while (offset < end)
        {
            if (end - offset < 8)
            {
                result.Problems.Add($"{parent}: {end - offset} stray bytes at {offset}");
                break;
            }

            long size = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(offset));
            string type = Encoding.ASCII.GetString(data, offset + 4, 4);
            int header = 8;
            if (size == 1)
            {
                size = (long)BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(offset + 8));
                header = 16;
            }

            if (size < header || offset + size > end)
            {
                result.Problems.Add($"{parent}/{type}: size {size} at {offset} runs past its parent (ends {end})");
                break;
            }

            boxes.Add(new Box(type, offset, (int)size, header));
            offset += (int)size;
        }

        return boxes;
    }

    private static List<Box> Children(byte[] data, Box box, Result result, int skip = 0) =>
        ReadBoxes(data, box.PayloadStart + skip, box.End, result, box.Type);

    private static Box? Find(byte[] data, Box parent, string type, Result result, int skip = 0)
    {
        Box? box = Children(data, parent, result, skip).FirstOrDefault(b => b.Type == type);
        if (box is null)
        {
            result.Problems.Add($"{parent.Type} has no {type}");
        }

        return box;
    }

    private static void CheckMoov(byte[] data, Box moov, Result result)
    {
        var children = Children(data, moov, result);
        if (!children.Any(b => b.Type == "mvhd"))
        {
            result.Problems.Add("moov has no mvhd");
        }

        var traks = children.Where(b => b.Type == "trak").ToList();
        var handlers = new List<string>();
        foreach (Box trak in traks)
        {
            Find(data, trak, "tkhd", result);
            if (Find(data, trak, "mdia", result) is not { } mdia)
            {
                continue;
            }

            Box? mdhd = Find(data, mdia, "mdhd", result);
            Box? hdlr = Find(data, mdia, "hdlr", result);
            string handler = hdlr is null ? "?" : Encoding.ASCII.GetString(data, hdlr.PayloadStart + 8, 4);
            handlers.Add(handler);
            uint timescale = mdhd is null
                ? 0
                : BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(mdhd.PayloadStart + 12));
            if ((handler, timescale) is not (("vide", 90000) or ("soun", 48000)))
            {
                result.Problems.Add($"track {handler} has timescale {timescale}");
            }

            if (
                Find(data, mdia, "minf", result) is not { } minf
                || Find(data, minf, "stbl", result) is not { } stbl
                || Find(data, stbl, "stsd", result) is not { } stsd
            )
            {
                continue;
            }

            foreach (string table in new[] { "stts", "stsc", "stsz", "stco" })
            {
                Find(data, stbl, table, result);
            }

            Box? entry = Children(data, stsd, result, skip: 8).FirstOrDefault();
            if (handler == "vide")
            {
                if (entry?.Type != "avc1")
                {
                    result.Problems.Add($"video sample entry is {entry?.Type}");
                }
                else if (Find(data, entry, "avcC", result, skip: 78) is { } avcC && data[avcC.PayloadStart] != 1)
                {
                    result.Problems.Add("avcC configurationVersion is not 1");
                }
            }
            else if (handler == "soun")
            {
                if (entry?.Type != "Opus")
                {
                    result.Problems.Add($"audio sample entry is {entry?.Type}");
                }
                else
                {
                    Find(data, entry, "dOps", result, skip: 28);
                }
            }
        }

        if (!handlers.Contains("vide") || !handlers.Contains("soun"))
        {
            result.Problems.Add($"tracks are [{string.Join(",", handlers)}], want vide and soun");
        }

        if (
            children.FirstOrDefault(b => b.Type == "mvex") is not { } mvex
            || Children(data, mvex, result).Count(b => b.Type == "trex") != traks.Count
        )
        {
            result.Problems.Add("mvex lacks a trex per track");
        }
    }

    private static void CheckFragment(
        byte[] data,
        Box moof,
        Box mdat,
        Result result,
        ref uint lastSequence,
        Dictionary<uint, ulong> trackEnds
    )
    {
        var children = Children(data, moof, result);
        if (children.FirstOrDefault(b => b.Type == "mfhd") is not { } mfhd)
        {
            result.Problems.Add("moof has no mfhd");
            return;
        }

        uint sequence = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(mfhd.PayloadStart + 4));
        if (sequence <= lastSequence)
        {
            result.Problems.Add($"mfhd sequence {sequence} after {lastSequence}");
        }

        lastSequence = sequence;
        int covered = 0;
        foreach (Box traf in children.Where(b => b.Type == "traf"))
        {
            var parts = Children(data, traf, result);
            Box? tfhd = parts.FirstOrDefault(b => b.Type == "tfhd");
            Box? tfdt = parts.FirstOrDefault(b => b.Type == "tfdt");
            Box? trun = parts.FirstOrDefault(b => b.Type == "trun");
            if (tfhd is null || tfdt is null || trun is null)
            {
                result.Problems.Add("traf lacks tfhd, tfdt or trun");
                continue;
            }

            uint tfhdFlags = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(tfhd.PayloadStart)) & 0xFFFFFF;
            uint trackId = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(tfhd.PayloadStart + 4));
            if ((tfhdFlags & 0x020000) == 0)
            {
                result.Problems.Add("tfhd without default-base-is-moof");
            }

            if (data[tfdt.PayloadStart] != 1)
            {
                result.Problems.Add("tfdt is not version 1");
            }

            ulong baseTime = BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(tfdt.PayloadStart + 4));
            if (trackEnds.TryGetValue(trackId, out ulong previousEnd) && baseTime < previousEnd)
            {
                result.Problems.Add(
                    $"track {trackId}: tfdt {baseTime} overlaps the previous fragment ending {previousEnd}"
                );
            }

            int p = trun.PayloadStart;
            uint flags = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(p)) & 0xFFFFFF;
            uint count = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(p + 4));
            p += 8;
            int dataOffset = 0;
            if ((flags & 0x1) != 0)
            {
                dataOffset = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(p));
                p += 4;
            }
            else
            {
                result.Problems.Add("trun without data offset");
            }

            if ((flags & 0x4) != 0)
            {
                p += 4;
            }

            int position = moof.Start + dataOffset;
            if (position != mdat.PayloadStart + covered)
            {
                result.Problems.Add(
                    $"track {trackId}: data offset points to {position}, expected {mdat.PayloadStart + covered}"
                );
                position = mdat.PayloadStart + covered;
            }

            ulong duration = 0;
            for (int i = 0; i < count; i++)
            {
                uint sampleDuration = (flags & 0x100) != 0 ? Read(data, ref p) : 0;
                int size = (flags & 0x200) != 0 ? (int)Read(data, ref p) : 0;
                uint sampleFlags = (flags & 0x400) != 0 ? Read(data, ref p) : 0;
                if ((flags & 0x800) != 0)
                {
                    p += 4;
                }

                if (sampleDuration == 0)
                {
                    result.Problems.Add($"track {trackId}: sample of zero duration");
                }

                if (position + size > mdat.End)
                {
                    result.Problems.Add($"track {trackId}: sample runs past the mdat");
                    return;
                }

                if (trackId == 1)
                {
                    CheckAvcc(data.AsSpan(position, size), result);
                    result.VideoSamples++;
                    result.VideoDuration += sampleDuration;
                    if ((sampleFlags & 0x00010000) == 0)
                    {
                        result.SyncSamples++;
                    }
                }
                else
                {
                    result.AudioSamples++;
                    result.Audio.Add((baseTime + duration, size));
                    result.AudioDuration += sampleDuration;
                    if (size == 0)
                    {
                        result.Problems.Add("empty audio sample");
                    }
                }

                position += size;
                covered += size;
                duration += sampleDuration;
            }

            if (p != trun.End)
            {
                result.Problems.Add($"trun of track {trackId} has {trun.End - p} bytes left over");
            }

            if (trackId == 1)
            {
                result.VideoBaseTimes.Add(baseTime);
            }

            trackEnds[trackId] = baseTime + duration;
        }

        if (covered != mdat.Size - mdat.HeaderSize)
        {
            result.Problems.Add($"trun samples cover {covered} of the mdat's {mdat.Size - mdat.HeaderSize} bytes");
        }
    }

    private static uint Read(byte[] data, ref int p)
    {
        uint value = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(p));
        p += 4;
        return value;
    }

    private static void CheckAvcc(ReadOnlySpan<byte> sample, Result result)
    {
        bool slice = false;
        while (!sample.IsEmpty)
        {
            if (sample.Length < 5)
            {
                result.Problems.Add("video sample ends in a truncated NAL length");
                return;
            }

            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(sample);
            if (length == 0 || length > sample.Length - 4)
            {
                result.Problems.Add($"NAL length {length} does not fit the {sample.Length - 4} bytes left");
                return;
            }

            byte header = sample[4];
            int type = header & 0x1F;
            if ((header & 0x80) != 0 || type is 0 or > 23)
            {
                result.Problems.Add($"bad NAL header 0x{header:x2}");
            }

            slice |= type is >= 1 and <= 5;
            sample = sample[(4 + length)..];
        }

        if (!slice)
        {
            result.Problems.Add("video sample without a slice");
        }
    }
}
