using System.Globalization;

namespace MobZ.LoadTool;

/// <summary>Command line: --publishers N --subscribers M --seconds S --video-kbps K [--webrtc [--rooms R]
/// [--workers W]]. Bounded so a typo cannot run away. --webrtc makes every publisher and viewer a real WebRTC client
/// (ICE, DTLS, SRTP); --rooms splits them into R rooms (publisher and viewer i in room i mod R, a viewer watching every
/// publisher of its room); --workers sets the Munit's media workers (default: one per core).</summary>
internal sealed record LoadOptions(
    int Publishers,
    int Subscribers,
    int Seconds,
    int VideoKbps,
    bool WebRtc = false,
    int Rooms = 1,
    int? Workers = null
)
{
    public const int MaxPublishers = 50,
        MaxSubscribers = 500,
        MaxSeconds = 120;

    public static LoadOptions Parse(string[] args)
    {
        int Get(string name, int fallback, int max)
        {
            int i = Array.IndexOf(args, "--" + name);
            int value = i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
            if (value < 1 || value > max)
                throw new ArgumentOutOfRangeException(name, $"--{name} must be 1..{max}");
            return value;
        }
        var options = new LoadOptions(
            Get("publishers", 4, MaxPublishers),
            Get("subscribers", 10, MaxSubscribers),
            Get("seconds", 10, MaxSeconds),
            Get("video-kbps", 800, 5000),
            args.Contains("--webrtc"),
            Get("rooms", 1, MaxPublishers),
            args.Contains("--workers") ? Get("workers", 1, MobZ.Munit.MunitOptions.MaxWorkers) : null
        );
        if (options.Rooms > options.Publishers)
            throw new ArgumentOutOfRangeException("rooms", "--rooms must not exceed --publishers");
        return options;
    }
}
