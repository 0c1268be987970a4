using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace MobZ.Bench.Signaling;

/// <summary>
/// <c>dotnet MobZ.Bench.dll join-storm [--viewers 200] [--publishers 3] [--redis host:port[,…]] [--redis-prefix p]</c>:
/// the real local stack as a child process on Redis (a throwaway redis-server unless <c>--redis</c> names one, e.g.
/// a cluster's nodes), one m2m room, every client connected first over a real WebSocket with a development access
/// token, then all of them send Join at once. Prints the JoinAck latency distribution (Join sent → JoinAck
/// received), the errors, and whether every member's view of the publisher list — of its JoinAck and each
/// PublishListChangeAck, the list with the highest version, as a client keeps it — ends equal to the room's publishers
/// in the store, at the store's version (both read through the admin API once the room is quiet).
/// </summary>
internal static class JoinStorm
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(string[] args)
    {
        int viewers = IntOption(args, "--viewers", 200);
        int publishers = IntOption(args, "--publishers", 3);
        string? redis = Option(args, "--redis");
        string? prefix = Option(args, "--redis-prefix");
        using var ownRedis = redis is null ? RedisProcess.Start() : null;
        using var stack = LocalStackProcess.Start(redis ?? ownRedis!.Configuration, prefix);
        Console.WriteLine(
            $"redis {redis ?? ownRedis!.Configuration} (prefix {prefix ?? "none"}); load average {LoadAverage()}"
        );

        // Warm-up in another room: the stack's first joins pay for JIT and connection set-up, not for the storm.
        await RunRoomAsync(stack, "warmup-" + Guid.NewGuid().ToString("N")[..8], 2, 20);

        var result = await RunRoomAsync(stack, "storm-" + Guid.NewGuid().ToString("N")[..8], publishers, viewers);
        var sorted = result.Latencies.Order().ToArray();
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"{publishers} publishers + {viewers} viewers joined at once: JoinAck p50 {Percentile(sorted, 0.50):0.0} ms, "
                    + $"p90 {Percentile(sorted, 0.90):0.0} ms, p99 {Percentile(sorted, 0.99):0.0} ms, "
                    + $"max {(sorted.Length == 0 ? 0 : sorted[^1]):0.0} ms; storm {result.StormMs:0} ms"
            )
        );
        Console.WriteLine($"errors {result.Errors}; JoinAcks {sorted.Length} of {publishers + viewers}");
        Console.WriteLine(
            $"publisher list: {result.Inconsistent} of {publishers + viewers} members hold a newest list other than the "
                + $"store's {result.Publishers} publishers at its version {result.Version}; {result.Reordered} members "
                + "heard an older list after a newer one"
        );
        Console.WriteLine($"load average {LoadAverage()}");
        return result.Errors == 0 && result.Inconsistent == 0 && sorted.Length == publishers + viewers ? 0 : 1;
    }

    private sealed record StormResult(
        double[] Latencies,
        int Errors,
        int Inconsistent,
        int Reordered,
        int Publishers,
        long Version,
        double StormMs
    );

    private static async Task<StormResult> RunRoomAsync(
        LocalStackProcess stack,
        string room,
        int publishers,
        int viewers
    )
    {
        var url = await stack.RoomsUrlAsync(room);
        int total = publishers + viewers;
        var members = new Member[total];
        var connecting = new List<Task>();
        for (int i = 0; i < total; i++)
        {
            int index = i;
            connecting.Add(Task.Run(async () => members[index] = await Member.ConnectAsync(url, index < publishers)));
            if (connecting.Count == 20)
            {
                await Task.WhenAll(connecting);
                connecting.Clear();
            }
        }
        await Task.WhenAll(connecting);

        var clock = Stopwatch.StartNew();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var joins = members.Select(m => Task.Run(async () => await m.JoinAsync(room, start.Task))).ToArray();
        start.SetResult();
        var acks = members.Select(m => m.JoinAck.Task.WaitAsync(Patience)).ToArray();
        try
        {
            await Task.WhenAll(joins);
            await Task.WhenAll(acks);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            Console.WriteLine($"not every member got a JoinAck: {ex.Message}");
        }
        double stormMs = clock.Elapsed.TotalMilliseconds;

        // Settled once no member heard a PublishListChangeAck for a while.
        while (
            members.Max(m => m.LastListChange)
            > Stopwatch.GetTimestamp() - Stopwatch.Frequency * (long)Quiet.TotalSeconds
        )
        {
            await Task.Delay(200);
        }

        var (stored, version) = await stack.PublishersAsync(room);
        int inconsistent = members.Count(m => m.ParticipantId is not null && !m.View(stored, version));
        int reordered = members.Count(m => m.Reordered);
        int errors = members.Sum(m => m.Errors) + members.Count(m => !m.JoinAck.Task.IsCompletedSuccessfully);
        var latencies = members
            .Where(m => m.JoinAck.Task.IsCompletedSuccessfully)
            .Select(m => m.JoinAck.Task.Result)
            .ToArray();
        foreach (var m in members)
            await m.DisposeAsync();
        return new StormResult(latencies, errors, inconsistent, reordered, stored.Count, version, stormMs);
    }

    private sealed class Member : IAsyncDisposable
    {
        private readonly BenchClient _client;
        private readonly Lock _gate = new();
        private HashSet<string> _view = [];
        private long _version = -1;
        private long _sentAt;
        private int _errors;

        private Member(BenchClient client, bool publisher)
        {
            _client = client;
            IsPublisher = publisher;
            client.Kept.UnionWith(["JoinAck", "PublishListChangeAck", "Error"]);
            client.Message += OnMessage;
        }

        public bool IsPublisher { get; }
        public string? ParticipantId { get; private set; }
        public long LastListChange { get; private set; }

        /// <summary>A list arrived with a lower version than one heard before it (a client drops it).</summary>
        public bool Reordered { get; private set; }
        public int Errors => Volatile.Read(ref _errors);

        /// <summary>Milliseconds from Join sent to JoinAck received.</summary>
        public TaskCompletionSource<double> JoinAck { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static async Task<Member> ConnectAsync(Uri url, bool publisher) =>
            new(await BenchClient.ConnectAsync(url), publisher);

        public async Task JoinAsync(string room, Task start)
        {
            string role = IsPublisher ? "publisher" : "viewer";
            string json = $$"""{"action":"Join","roomId":"{{room}}","roomKind":"m2m","role":"{{role}}"}""";
            await start;
            _sentAt = Stopwatch.GetTimestamp();
            await _client.SendAsync(json);
        }

        /// <summary>Whether this member's newest list is of <paramref name="version"/> and names exactly
        /// <paramref name="joined"/> (itself included when it publishes, whether or not its own lists name
        /// it).</summary>
        public bool View(IReadOnlySet<string> joined, long version)
        {
            lock (_gate)
            {
                if (_version != version)
                    return false;
                var view = new HashSet<string>(_view);
                if (IsPublisher)
                    view.Add(ParticipantId!);
                return view.SetEquals(joined);
            }
        }

        private void OnMessage(string action, string json)
        {
            long now = Stopwatch.GetTimestamp();
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            switch (action)
            {
                case "Error":
                    Interlocked.Increment(ref _errors);
                    Console.WriteLine($"error: {json}");
                    return;
                case "JoinAck":
                    lock (_gate)
                    {
                        ParticipantId = root.GetProperty("participantId").GetString();
                        Keep(root);
                    }
                    JoinAck.TrySetResult(Stopwatch.GetElapsedTime(_sentAt, now).TotalMilliseconds);
                    return;
                case "PublishListChangeAck":
                    lock (_gate)
                    {
                        Keep(root);
                        LastListChange = now;
                    }
                    return;
            }
        }

        /// <summary>Keeps a list unless it is older than the one held (two announcements can arrive reordered).
        /// Called under the gate.</summary>
        private void Keep(JsonElement message)
        {
            long version = message.GetProperty("version").GetInt64();
            if (version < _version)
            {
                Reordered = true;
                return;
            }

            (_version, _view) = (version, Names(message));
        }

        private static HashSet<string> Names(JsonElement message) =>
            message
                .GetProperty("publishers")
                .EnumerateArray()
                .Select(p => p.GetProperty("participantId").GetString()!)
                .ToHashSet();

        public ValueTask DisposeAsync() => _client.DisposeAsync();
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int IntOption(string[] args, string name, int fallback) =>
        Option(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Trim();
}
