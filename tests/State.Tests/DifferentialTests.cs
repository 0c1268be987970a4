using Microsoft.Extensions.Logging.Abstractions;
using MobZ.State.InProcess;
using MobZ.TestKit.Redis;

namespace MobZ.State.Tests;

/// <summary>
/// Fuzz-style differential check: the same long random sequence of calls (including wrong-type calls,
/// missing keys, negative indexes and conditional transactions) goes to the in-process backend and to a
/// real Redis, and every answer must match. This catches semantic drift the hand-written cases miss.
/// </summary>
public sealed class DifferentialTests(RedisServer server) : IClassFixture<RedisServer>
{
    private static readonly string[] Keys = ["k1", "k2", "k3", "k4"];
    private static readonly string[] Words = ["a", "b", "c", "", "é", "10", "-3"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Random_call_sequences_get_identical_answers_from_both_backends(int seed)
    {
        await using var memory = new InProcessBackend(NullLoggerFactory.Instance);
        await using var redis = await server.CreateBackendAsync(server.NewKeyPrefix());
        var random = new Random(seed);

        for (var step = 0; step < 1500; step++)
        {
            var (description, call) = NextCall(random);
            var expected = await Describe(() => call(memory.Store));
            var actual = await Describe(() => call(redis.Store));
            Assert.True(
                expected == actual,
                $"seed {seed}, step {step}, {description}: in-process gave {expected}, Redis gave {actual}"
            );
        }
    }

    private static async Task<string> Describe(Func<Task<string>> call)
    {
        try
        {
            return await call();
        }
        catch (InvalidOperationException)
        {
            return "refused";
        }
    }

    private static (string Description, Func<IStateStore, Task<string>> Call) NextCall(Random r)
    {
        var key = Keys[r.Next(Keys.Length)];
        var word = Words[r.Next(Words.Length)];
        var other = Words[r.Next(Words.Length)];
        var when = (When)r.Next(3);
        var n = r.Next(-4, 5);
        var m = r.Next(-4, 5);
        var kind = r.Next(30);
        var description = $"call {kind} key={key} word='{word}' other='{other}' when={when} n={n} m={m}";
        Func<IStateStore, Task<string>> call;
        switch (kind)
        {
            case 0:
                call = async s => Show(await s.GetStringAsync(key));
                break;
            case 1:
                call = async s => Show(await s.SetStringAsync(key, word, when: when));
                break;
            case 2:
                call = async s => Show(await s.IncrementAsync(key, n));
                break;
            case 3:
                call = async s => Show(await s.ExistsAsync(key));
                break;
            case 4:
                var second = Keys[r.Next(Keys.Length)];
                call = async s => Show(await s.DeleteAsync(key, second));
                break;
            case 5:
                call = async s => Show(await s.HashGetAsync(key, word));
                break;
            case 6:
                call = async s => Show(await s.HashSetAsync(key, word, other, when));
                break;
            case 7:
                call = async s => Show(await s.HashDeleteAsync(key, word));
                break;
            case 8:
                call = async s => Show(await s.HashLengthAsync(key));
                break;
            case 9:
                call = async s => Show(await s.HashIncrementAsync(key, word, n));
                break;
            case 10:
                call = async s => Show(await s.HashGetAllAsync(key));
                break;
            case 11:
                call = async s => Show(await s.SetAddAsync(key, word));
                break;
            case 12:
                call = async s => Show(await s.SetRemoveAsync(key, word));
                break;
            case 13:
                call = async s => Show(await s.SetContainsAsync(key, word));
                break;
            case 14:
                call = async s => Show((await s.SetMembersAsync(key)).Order(StringComparer.Ordinal));
                break;
            case 15:
                call = async s => Show(await s.SetLengthAsync(key));
                break;
            case 16:
                call = async s => Show(await s.SortedSetAddAsync(key, word, n / 2.0));
                break;
            case 17:
                call = async s => Show(await s.SortedSetRemoveAsync(key, word));
                break;
            case 18:
                call = async s => Show(await s.SortedSetScoreAsync(key, word));
                break;
            case 19:
                var skip = r.Next(3);
                var take = r.Next(-1, 3);
                description += $" skip={skip} take={take}";
                call = async s =>
                    Show(
                        (await s.SortedSetRangeByScoreAsync(key, n, m + 2, skip, take)).Select(x =>
                            $"{x.Member}={x.Score}"
                        )
                    );
                break;
            case 20:
                call = async s => Show(await s.SortedSetLengthAsync(key));
                break;
            case 21:
                call = async s => Show(await s.ListRightPushAsync(key, word));
                break;
            case 22:
                call = async s => Show(await s.ListLeftPopAsync(key));
                break;
            case 23:
                call = async s => Show(await s.ListRangeAsync(key, n, m));
                break;
            case 24:
                call = async s => Show(await s.ListRemoveAsync(key, word, n));
                break;
            case 25:
                call = async s => Show(await s.ListLengthAsync(key));
                break;
            case 26:
                call = async s => Show(await s.ExpireAsync(key, TimeSpan.FromHours(1)));
                break;
            case 27:
                call = async s => Show(await s.TimeToLiveAsync(key) is not null);
                break;
            default:
                var condition = NextCondition(r, key, word, n);
                var target = Keys[r.Next(Keys.Length)];
                var viaScript = r.Next(2) == 0;
                description += $" {condition} target={target} viaScript={viaScript}";
                call = async s =>
                {
                    var transaction = s.CreateTransaction().When(condition);
                    if (viaScript)
                        transaction.When(new StateCondition.SetNotContains("k-none", "x"));
                    // Writes that cannot be refused, so both keyspaces stay comparable.
                    var committed = await transaction
                        .Delete("k-scratch")
                        .SetAdd("k-log", $"{word}{n}")
                        .Delete(target)
                        .ExecuteAsync();
                    return Show(committed);
                };
                break;
        }

        return (description, call);
    }

    private static StateCondition NextCondition(Random r, string key, string word, int n) =>
        r.Next(17) switch
        {
            0 => new StateCondition.KeyExists(key),
            1 => new StateCondition.KeyNotExists(key),
            2 => new StateCondition.StringEqual(key, r.Next(3) == 0 ? null : word),
            3 => new StateCondition.StringNotEqual(key, r.Next(3) == 0 ? null : word),
            4 => new StateCondition.HashEqual(key, word, r.Next(3) == 0 ? null : Words[r.Next(Words.Length)]),
            5 => new StateCondition.HashNotEqual(key, word, r.Next(3) == 0 ? null : Words[r.Next(Words.Length)]),
            6 => new StateCondition.HashExists(key, word),
            7 => new StateCondition.HashNotExists(key, word),
            8 => new StateCondition.HashLengthLessThan(key, Math.Abs(n)),
            9 => new StateCondition.HashLengthEqual(key, Math.Abs(n)),
            10 => new StateCondition.SetContains(key, word),
            11 => new StateCondition.SetNotContains(key, word),
            12 => new StateCondition.SortedSetLengthLessThan(key, Math.Abs(n)),
            13 => new StateCondition.ListLengthLessThan(key, Math.Abs(n)),
            14 => new StateCondition.ListLengthEqual(key, Math.Abs(n)),
            15 => new StateCondition.SetLengthEqual(key, Math.Abs(n)),
            _ => new StateCondition.ListIndexEqual(key, n, r.Next(3) == 0 ? null : word),
        };

    private static string Show(object? value) =>
        value switch
        {
            null => "null",
            bool b => b ? "true" : "false",
            IReadOnlyDictionary<string, string> d => string.Join(
                ',',
                d.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{p.Value}")
            ),
            IEnumerable<string> items => "[" + string.Join(',', items) + "]",
            _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "null",
        };
}
