namespace MobZ.State.Tests.Conformance;

public abstract partial class StateConformanceTests
{
    // The state every condition case is judged against.
    private async Task SeedConditionStateAsync()
    {
        await Store.SetStringAsync("s", "v");
        await Store.HashSetAsync("h", [new("f", "v"), new("g", "w")]);
        await Store.SetAddAsync("set", "m");
        await Store.SortedSetAddAsync("z", "a", 1);
        foreach (var item in new[] { "x", "y", "z" })
            await Store.ListRightPushAsync("l", item);
    }

    // name → (a condition that holds, one that does not), over the seeded state.
    private static readonly Dictionary<string, (StateCondition Holds, StateCondition Fails)> ConditionCases = new()
    {
        ["KeyExists"] = (new StateCondition.KeyExists("s"), new StateCondition.KeyExists("missing")),
        ["KeyNotExists"] = (new StateCondition.KeyNotExists("missing"), new StateCondition.KeyNotExists("h")),
        ["StringEqual"] = (new StateCondition.StringEqual("s", "v"), new StateCondition.StringEqual("s", "other")),
        ["StringEqual null"] = (
            new StateCondition.StringEqual("missing", null),
            new StateCondition.StringEqual("s", null)
        ),
        ["StringNotEqual"] = (
            new StateCondition.StringNotEqual("s", "other"),
            new StateCondition.StringNotEqual("s", "v")
        ),
        ["StringNotEqual missing key"] = (
            new StateCondition.StringNotEqual("missing", "v"),
            new StateCondition.StringNotEqual("s", "v")
        ),
        ["StringNotEqual null"] = (
            new StateCondition.StringNotEqual("s", null),
            new StateCondition.StringNotEqual("missing", null)
        ),
        ["HashEqual"] = (new StateCondition.HashEqual("h", "f", "v"), new StateCondition.HashEqual("h", "f", "w")),
        ["HashEqual null"] = (
            new StateCondition.HashEqual("h", "nf", null),
            new StateCondition.HashEqual("h", "f", null)
        ),
        ["HashNotEqual"] = (
            new StateCondition.HashNotEqual("h", "f", "w"),
            new StateCondition.HashNotEqual("h", "f", "v")
        ),
        ["HashNotEqual null"] = (
            new StateCondition.HashNotEqual("h", "f", null),
            new StateCondition.HashNotEqual("h", "nf", null)
        ),
        ["HashExists"] = (new StateCondition.HashExists("h", "g"), new StateCondition.HashExists("h", "nf")),
        ["HashNotExists"] = (new StateCondition.HashNotExists("h", "nf"), new StateCondition.HashNotExists("h", "g")),
        ["HashLengthLessThan"] = (
            new StateCondition.HashLengthLessThan("h", 3),
            new StateCondition.HashLengthLessThan("h", 2)
        ),
        ["HashLengthLessThan missing"] = (
            new StateCondition.HashLengthLessThan("missing", 1),
            new StateCondition.HashLengthLessThan("missing", 0)
        ),
        ["HashLengthEqual"] = (new StateCondition.HashLengthEqual("h", 2), new StateCondition.HashLengthEqual("h", 1)),
        ["SetLengthEqual"] = (new StateCondition.SetLengthEqual("set", 1), new StateCondition.SetLengthEqual("set", 2)),
        ["SetLengthEqual missing"] = (
            new StateCondition.SetLengthEqual("missing", 0),
            new StateCondition.SetLengthEqual("missing", 1)
        ),
        ["SetContains"] = (new StateCondition.SetContains("set", "m"), new StateCondition.SetContains("set", "n")),
        ["SetNotContains"] = (
            new StateCondition.SetNotContains("set", "n"),
            new StateCondition.SetNotContains("set", "m")
        ),
        ["SortedSetLengthLessThan"] = (
            new StateCondition.SortedSetLengthLessThan("z", 2),
            new StateCondition.SortedSetLengthLessThan("z", 1)
        ),
        ["ListLengthLessThan"] = (
            new StateCondition.ListLengthLessThan("l", 4),
            new StateCondition.ListLengthLessThan("l", 3)
        ),
        ["ListLengthEqual"] = (new StateCondition.ListLengthEqual("l", 3), new StateCondition.ListLengthEqual("l", 4)),
        ["ListIndexEqual head"] = (
            new StateCondition.ListIndexEqual("l", 0, "x"),
            new StateCondition.ListIndexEqual("l", 0, "y")
        ),
        ["ListIndexEqual from end"] = (
            new StateCondition.ListIndexEqual("l", -1, "z"),
            new StateCondition.ListIndexEqual("l", -1, "y")
        ),
        ["ListIndexEqual null"] = (
            new StateCondition.ListIndexEqual("l", 3, null),
            new StateCondition.ListIndexEqual("l", 2, null)
        ),
    };

    // Each case twice: alone, and beside a set-membership condition, which on Redis moves the commit from
    // WATCH/MULTI/EXEC to the script path, so both paths are held to the same table.
    public static TheoryData<string, bool> ConditionCaseNames()
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in ConditionCases.Keys)
        {
            data.Add(name, false);
            data.Add(name, true);
        }

        return data;
    }

    private IStateTransaction NewTransaction(bool viaScript)
    {
        var transaction = Store.CreateTransaction();
        return viaScript ? transaction.When(new StateCondition.SetNotContains("no-such-set", "anyone")) : transaction;
    }

    [Theory]
    [MemberData(nameof(ConditionCaseNames))]
    public async Task Transaction_commits_when_the_condition_holds(string condition, bool viaScript)
    {
        await SeedConditionStateAsync();
        var committed = await NewTransaction(viaScript)
            .When(ConditionCases[condition].Holds)
            .SetString("marker", "done")
            .ExecuteAsync();
        Assert.True(committed);
        Assert.Equal("done", await Store.GetStringAsync("marker"));
    }

    [Theory]
    [MemberData(nameof(ConditionCaseNames))]
    public async Task Transaction_applies_nothing_when_the_condition_fails(string condition, bool viaScript)
    {
        await SeedConditionStateAsync();
        var committed = await NewTransaction(viaScript)
            .When(ConditionCases[condition].Fails)
            .SetString("marker", "done")
            .ExecuteAsync();
        Assert.False(committed);
        Assert.False(await Store.ExistsAsync("marker"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Transaction_with_one_failing_condition_among_many_applies_none_of_its_writes(bool viaScript)
    {
        await SeedConditionStateAsync();
        var committed = await NewTransaction(viaScript)
            .When(new StateCondition.KeyExists("s"))
            .When(new StateCondition.HashEqual("h", "f", "v"))
            .When(new StateCondition.ListLengthEqual("l", 99))
            .SetString("s", "changed")
            .HashSet("h", "f", "changed")
            .HashDelete("h", "g")
            .Delete("set")
            .ListLeftPop("l")
            .SortedSetAdd("z", "b", 2)
            .Increment("counter")
            .ExecuteAsync();

        Assert.False(committed);
        Assert.Equal("v", await Store.GetStringAsync("s"));
        Assert.Equal(new Dictionary<string, string> { ["f"] = "v", ["g"] = "w" }, await Store.HashGetAllAsync("h"));
        Assert.True(await Store.SetContainsAsync("set", "m"));
        Assert.Equal(["x", "y", "z"], await Store.ListRangeAsync("l"));
        Assert.Equal(1, await Store.SortedSetLengthAsync("z"));
        Assert.False(await Store.ExistsAsync("counter"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Transaction_applies_every_kind_of_write_in_order(bool viaScript)
    {
        await SeedConditionStateAsync();
        var blob = new byte[] { 0, 1, 254, 255 };
        var committed = await NewTransaction(viaScript)
            .When(new StateCondition.StringEqual("s", "v"))
            .Set("blob", blob, TimeSpan.FromMinutes(5))
            .SetString("s", "v2")
            .SetString("plain", "p")
            .Delete("set")
            .Expire("h", TimeSpan.FromMinutes(10))
            .Increment("counter", 7)
            .Increment("counter")
            .HashSet("h", "new", "n")
            .HashDelete("h", "g")
            .SetAdd("members", "a")
            .SetAdd("members", "b")
            .SetRemove("members", "a")
            .SortedSetAdd("z", "b", 0.5)
            .SortedSetAdd("z", "far", double.PositiveInfinity)
            .SortedSetRemove("z", "a")
            .ListRightPush("l", "w")
            .ListLeftPop("l")
            .ListRightPush("l", "y")
            .ListRemove("l", "y", -1)
            .ListLeftPush("l", "head")
            .ExecuteAsync();

        Assert.True(committed);
        Assert.Equal(blob, await Store.GetAsync("blob"));
        Assert.NotNull(await Store.TimeToLiveAsync("blob"));
        Assert.Equal("v2", await Store.GetStringAsync("s"));
        Assert.Equal("p", await Store.GetStringAsync("plain"));
        Assert.Null(await Store.TimeToLiveAsync("plain"));
        Assert.False(await Store.ExistsAsync("set"));
        Assert.NotNull(await Store.TimeToLiveAsync("h"));
        Assert.Equal("8", await Store.GetStringAsync("counter"));
        Assert.Equal(new Dictionary<string, string> { ["f"] = "v", ["new"] = "n" }, await Store.HashGetAllAsync("h"));
        Assert.Equal(["b"], await Store.SetMembersAsync("members"));
        Assert.Equal([new("b", 0.5), new("far", double.PositiveInfinity)], await Store.SortedSetRangeByScoreAsync("z"));
        Assert.Equal(["head", "y", "z", "w"], await Store.ListRangeAsync("l"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Transaction_expire_with_zero_ttl_deletes_the_key(bool viaScript)
    {
        await Store.SetStringAsync("k", "v");
        Assert.True(await NewTransaction(viaScript).Expire("k", TimeSpan.Zero).ExecuteAsync());
        Assert.False(await Store.ExistsAsync("k"));
    }

    [Fact]
    public async Task Transaction_without_conditions_always_commits()
    {
        Assert.True(await Store.CreateTransaction().SetString("a", "1").SetAdd("b", "m").ExecuteAsync());
        Assert.Equal("1", await Store.GetStringAsync("a"));
        Assert.True(await Store.SetContainsAsync("b", "m"));
    }

    [Fact]
    public async Task Transaction_cannot_be_executed_twice()
    {
        var transaction = Store.CreateTransaction().Increment("n");
        Assert.True(await transaction.ExecuteAsync());
        Assert.Throws<InvalidOperationException>(() =>
        {
            _ = transaction.ExecuteAsync();
        });
        Assert.Equal("1", await Store.GetStringAsync("n"));
    }

    [Fact]
    public async Task Transaction_guarding_a_read_value_refuses_after_a_concurrent_change()
    {
        await Store.SetStringAsync("owner", "alice");
        var seen = await Store.GetStringAsync("owner");
        var transaction = Store
            .CreateTransaction()
            .When(new StateCondition.StringEqual("owner", seen))
            .SetString("owner", "bob");

        // Another client changes the value between our read and our commit.
        await (await OpenClientsAsync(1))[0].Store.SetStringAsync("owner", "carol");

        Assert.False(await transaction.ExecuteAsync());
        Assert.Equal("carol", await Store.GetStringAsync("owner"));
    }

    public static TheoryData<string, bool> WrongKindConditions()
    {
        var data = new TheoryData<string, bool>();
        foreach (
            var name in new[]
            {
                "StringEqual",
                "StringNotEqual",
                "HashEqual",
                "HashNotEqual",
                "HashExists",
                "HashNotExists",
                "HashLengthLessThan",
                "SetContains",
                "SetNotContains",
                "SortedSetLengthLessThan",
                "ListLengthLessThan",
                "ListIndexEqual",
            }
        )
        {
            data.Add(name, false);
            data.Add(name, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WrongKindConditions))]
    public async Task A_condition_on_a_key_holding_another_kind_of_value_does_not_hold(string kind, bool viaScript)
    {
        // "wrong" is a sorted set for every condition below except the sorted-set one, where it is a string.
        await Store.SortedSetAddAsync("wrong", "m", 1);
        await Store.SetStringAsync("text", "v");
        StateCondition condition = kind switch
        {
            "StringEqual" => new StateCondition.StringEqual("wrong", "v"),
            "StringNotEqual" => new StateCondition.StringNotEqual("wrong", "v"),
            "HashEqual" => new StateCondition.HashEqual("wrong", "f", "v"),
            "HashNotEqual" => new StateCondition.HashNotEqual("wrong", "f", "v"),
            "HashExists" => new StateCondition.HashExists("wrong", "f"),
            "HashNotExists" => new StateCondition.HashNotExists("wrong", "f"),
            "HashLengthLessThan" => new StateCondition.HashLengthLessThan("wrong", 100),
            "SetContains" => new StateCondition.SetContains("wrong", "m"),
            "SetNotContains" => new StateCondition.SetNotContains("wrong", "x"),
            "SortedSetLengthLessThan" => new StateCondition.SortedSetLengthLessThan("text", 100),
            "ListLengthLessThan" => new StateCondition.ListLengthLessThan("wrong", 100),
            "ListIndexEqual" => new StateCondition.ListIndexEqual("wrong", 0, "m"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        Assert.False(await NewTransaction(viaScript).When(condition).SetString("marker", "x").ExecuteAsync());
        Assert.False(await Store.ExistsAsync("marker"));
    }
}
