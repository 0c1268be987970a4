using MobZ.State.Atomic;

namespace MobZ.State.Tests.Conformance;

public abstract partial class StateConformanceTests
{
    private static readonly string[] SeatKeys = ["{room}:publishers", "{room}:log"];

    /// <summary>
    /// Seats a publisher while fewer than ARGV[2] are seated and logs it; a test double of the operations the product
    /// defines (Pixel Streaming's in src/PixelStreaming/Matching/PsOperations.cs), small enough to read at a glance.
    /// </summary>
    internal sealed class TakeSeat : AtomicOperation<(bool Seated, long Count)>
    {
        public static readonly TakeSeat Instance = new();

        public override string Name => "test.take-seat";

        public override string Script =>
            """
                local id, limit = ARGV[1], tonumber(ARGV[2])
                if redis.call('HEXISTS', KEYS[1], id) == 1 then return {'seated', tostring(redis.call('HLEN', KEYS[1]))} end
                if redis.call('HLEN', KEYS[1]) >= limit then return {false, tostring(redis.call('HLEN', KEYS[1]))} end
                redis.call('HSET', KEYS[1], id, 'publisher')
                redis.call('RPUSH', KEYS[2], id)
                return {'seated', tostring(redis.call('HLEN', KEYS[1]))}
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace keyspace,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            var seated = keyspace.HashGetAll(keys[0]);
            if (seated.ContainsKey(args[0]))
                return ["seated", seated.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            if (seated.Count >= int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture))
                return [null, seated.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            keyspace.HashSet(keys[0], args[0], "publisher");
            keyspace.ListRightPush(keys[1], args[0]);
            return ["seated", (seated.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)];
        }

        public override (bool Seated, long Count) Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args) =>
            (reply[0] == "seated", long.Parse(reply[1]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Pops the head of the queue KEYS[1] and marks the record KEYS[2] .. id, a key known only once the head is read:
    /// built from a declared key, so the backend's prefix and the hash tag apply to it.
    /// </summary>
    internal sealed class ServeHead : AtomicOperation<string?>
    {
        public static readonly ServeHead Instance = new();

        public override string Name => "test.serve-head";

        public override string Script =>
            """
                local id = redis.call('LPOP', KEYS[1])
                if not id then return {false} end
                redis.call('HSET', KEYS[2] .. id, 'state', 'served')
                return {id}
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace keyspace,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            var id = keyspace.ListLeftPop(keys[0]);
            if (id is not null)
                keyspace.HashSet(keys[1] + id, "state", "served");
            return [id];
        }

        public override string? Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args) => reply[0];
    }

    /// <summary>Deletes the string KEYS[1] if it holds ARGV[1]; true when it did (as Pixel Streaming takes its told
    /// record).</summary>
    internal sealed class TakeIfEqual : AtomicOperation<bool>
    {
        public static readonly TakeIfEqual Instance = new();

        public override string Name => "test.take-if-equal";

        public override string Script =>
            """
                if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {false} end
                redis.call('DEL', KEYS[1])
                return {'taken'}
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace keyspace,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            if (keyspace.StringGet(keys[0]) != args[0])
                return [null];
            keyspace.Delete(keys[0]);
            return ["taken"];
        }

        public override bool Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args) => reply[0] == "taken";
    }

    /// <summary>Sets the string KEYS[1] to ARGV[1] for ARGV[2] milliseconds.</summary>
    internal sealed class Remember : AtomicOperation<bool>
    {
        public static readonly Remember Instance = new();

        public override string Name => "test.remember";

        public override string Script =>
            """
                redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
                return {}
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace keyspace,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            keyspace.StringSet(
                keys[0],
                args[0],
                TimeSpan.FromMilliseconds(double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture))
            );
            return [];
        }

        public override bool Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args) => true;
    }

    [Fact]
    public async Task An_operation_sets_a_string_with_a_ttl_replacing_what_the_key_held()
    {
        await Store.HashSetAsync("{t}:told", "f", "v");
        await Store.RunAsync(Remember.Instance, ["{t}:told"], ["conn-1", "60000"]);
        Assert.Equal("conn-1", await Store.GetStringAsync("{t}:told"));
        Assert.InRange(
            (await Store.TimeToLiveAsync("{t}:told"))!.Value,
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMinutes(1)
        );
    }

    /// <summary>KEYS[1]'s size and members (sorted), then KEYS[2]'s members with their scores, lowest first.</summary>
    internal sealed class ReadSetAndRanking : AtomicOperation<(long Size, string Members, string Ranking)>
    {
        public static readonly ReadSetAndRanking Instance = new();

        public override string Name => "test.read-set-and-ranking";

        public override string Script =>
            """
                local members = redis.call('SMEMBERS', KEYS[1])
                table.sort(members)
                local ranked, all = {}, redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
                for i = 1, #all, 2 do ranked[#ranked + 1] = all[i] .. '=' .. tostring(tonumber(all[i + 1])) end
                return {tostring(redis.call('SCARD', KEYS[1])), table.concat(members, ','), table.concat(ranked, ',')}
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace keyspace,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            var members = keyspace.SetMembers(keys[0]).Order(StringComparer.Ordinal);
            var ranked = keyspace
                .SortedSetAll(keys[1])
                .Select(m => m.Member + "=" + m.Score.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return
            [
                keyspace.SetLength(keys[0]).ToString(System.Globalization.CultureInfo.InvariantCulture),
                string.Join(',', members),
                string.Join(',', ranked),
            ];
        }

        public override (long Size, string Members, string Ranking) Decode(
            IReadOnlyList<string?> reply,
            IReadOnlyList<string> args
        ) => (long.Parse(reply[0]!, System.Globalization.CultureInfo.InvariantCulture), reply[1]!, reply[2]!);
    }

    [Fact]
    public async Task An_operation_reads_a_set_and_a_whole_sorted_set_with_scores()
    {
        string[] keys = ["{m}:stations", "{m}:registry"];
        Assert.Equal((0L, "", ""), await Store.RunAsync(ReadSetAndRanking.Instance, keys, []));

        foreach (var id in new[] { "st-b", "st-a", "st-c" })
            await Store.SetAddAsync(keys[0], id);
        await Store.SortedSetAddAsync(keys[1], "m-late", 1.5);
        await Store.SortedSetAddAsync(keys[1], "m-b", 0.25);
        await Store.SortedSetAddAsync(keys[1], "m-a", 0.25);
        await Store.SortedSetAddAsync(keys[1], "m-idle", 0);

        Assert.Equal(
            (3L, "st-a,st-b,st-c", "m-idle=0,m-a=0.25,m-b=0.25,m-late=1.5"),
            await Store.RunAsync(ReadSetAndRanking.Instance, keys, [])
        );
    }

    /// <summary>The index of ARGV[1] in the list KEYS[1] (LPOS), or null.</summary>
    internal sealed class PlaceInList : AtomicOperation<long?>
    {
        public static readonly PlaceInList Instance = new();

        public override string Name => "test.place-in-list";

        public override string Script =>
            """
                local at = redis.call('LPOS', KEYS[1], ARGV[1])
                return {at and tostring(at) or false}
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace keyspace,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        ) => [keyspace.ListPosition(keys[0], args[0])?.ToString(System.Globalization.CultureInfo.InvariantCulture)];

        public override long? Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args) =>
            reply[0] is { } at ? long.Parse(at, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    [Fact]
    public async Task An_operation_finds_the_first_place_of_a_value_in_a_list()
    {
        foreach (var id in new[] { "a", "b", "c", "b" })
            await Store.ListRightPushAsync("{q}:queue", id);

        Assert.Equal(0L, await Store.RunAsync(PlaceInList.Instance, ["{q}:queue"], ["a"]));
        Assert.Equal(1L, await Store.RunAsync(PlaceInList.Instance, ["{q}:queue"], ["b"]));
        Assert.Null(await Store.RunAsync(PlaceInList.Instance, ["{q}:queue"], ["z"]));
        Assert.Null(await Store.RunAsync(PlaceInList.Instance, ["{q}:missing"], ["a"]));
    }

    [Fact]
    public async Task An_operation_reads_a_string_and_not_one_that_expired()
    {
        await Store.SetStringAsync("{t}:told", "conn-1", TimeSpan.FromMinutes(5));
        Assert.False(await Store.RunAsync(TakeIfEqual.Instance, ["{t}:told"], ["conn-2"]));
        Assert.Equal("conn-1", await Store.GetStringAsync("{t}:told"));
        Assert.True(await Store.RunAsync(TakeIfEqual.Instance, ["{t}:told"], ["conn-1"]));
        Assert.False(await Store.ExistsAsync("{t}:told"));

        await Store.SetStringAsync("{t}:told", "conn-1", TimeSpan.FromMilliseconds(100));
        await Eventually.WaitUntilAsync(
            async () => !await Store.ExistsAsync("{t}:told"),
            Patience,
            "the record expired"
        );
        Assert.False(await Store.RunAsync(TakeIfEqual.Instance, ["{t}:told"], ["conn-1"]));
    }

    [Fact]
    public async Task An_atomic_operation_answers_the_same_typed_result_on_both_backends()
    {
        Assert.Equal((true, 1L), await Store.RunAsync(TakeSeat.Instance, SeatKeys, ["a", "2"]));
        Assert.Equal((true, 1L), await Store.RunAsync(TakeSeat.Instance, SeatKeys, ["a", "2"]));
        Assert.Equal((true, 2L), await Store.RunAsync(TakeSeat.Instance, SeatKeys, ["b", "2"]));
        Assert.Equal((false, 2L), await Store.RunAsync(TakeSeat.Instance, SeatKeys, ["c", "2"]));
        Assert.Equal(["a", "b"], await Store.ListRangeAsync("{room}:log"));
    }

    [Fact]
    public async Task Fifty_clients_running_one_atomic_operation_seat_exactly_nine_without_retrying()
    {
        var backends = await OpenClientsAsync(5);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable
            .Range(0, Clients)
            .Select(i =>
                Task.Run(async () =>
                {
                    await start.Task;
                    var id = $"client-{i:00}";
                    var (seated, _) = await backends[i % backends.Count]
                        .Store.RunAsync(TakeSeat.Instance, SeatKeys, [id, "9"]);
                    return (id, seated);
                })
            )
            .ToArray();

        start.SetResult();
        var results = await Task.WhenAll(attempts);

        var winners = results.Where(r => r.seated).Select(r => r.id).Order().ToArray();
        Assert.Equal(9, winners.Length);
        Assert.Equal(winners, (await Store.HashGetAllAsync("{room}:publishers")).Keys.Order().ToArray());
        // Each seat logged once: no operation ran twice or half.
        Assert.Equal(winners, (await Store.ListRangeAsync("{room}:log")).Order().ToArray());
    }

    [Fact]
    public async Task A_key_built_inside_an_operation_lives_under_the_declared_prefix()
    {
        await Store.ListRightPushAsync("{q}:queue", "p1");

        Assert.Equal("p1", await Store.RunAsync(ServeHead.Instance, ["{q}:queue", "{q}:player:"], []));
        Assert.Null(await Store.RunAsync(ServeHead.Instance, ["{q}:queue", "{q}:player:"], []));

        Assert.Equal("served", await Store.HashGetAsync("{q}:player:p1", "state"));
    }

    [Theory]
    [InlineData("plain", "{t}:other")]
    [InlineData("{t}:one", "{u}:two")]
    [InlineData("{}:empty-tag", "{}:other")]
    public async Task Keys_of_one_operation_must_share_a_hash_tag(string first, string second)
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Store.RunAsync(TakeSeat.Instance, [first, second], ["a", "1"])
        );
        Assert.False(await Store.ExistsAsync(first));
    }

    [Fact]
    public async Task A_concurrent_burst_of_atomic_operations_serves_every_queued_item_once()
    {
        const int Items = 200;
        var backends = await OpenClientsAsync(5);
        for (var i = 0; i < Items; i++)
            await Store.ListRightPushAsync("{q}:queue", $"p{i:000}");

        var served = await Task.WhenAll(
            Enumerable
                .Range(0, Items + 20)
                .Select(i =>
                    Task.Run(() =>
                        backends[i % backends.Count]
                            .Store.RunAsync(ServeHead.Instance, ["{q}:queue", "{q}:player:"], [])
                    )
                )
        );

        var ids = served.OfType<string>().ToArray();
        Assert.Equal(Items, ids.Length);
        Assert.Equal(Items, ids.Distinct().Count());
        Assert.Equal(0, await Store.ListLengthAsync("{q}:queue"));
    }
}
