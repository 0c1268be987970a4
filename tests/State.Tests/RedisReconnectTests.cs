using System.Collections.Concurrent;
using MobZ.State.Redis;
using MobZ.TestKit.Redis;

namespace MobZ.State.Tests;

/// <summary>
/// A Redis restart under a live backend. Always on a private redis-server (never the shared one), since
/// the test kills it.
/// </summary>
public sealed class RedisReconnectTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly CollectingLoggerFactory _logs = new();
    private RedisServer _server = null!;

    public async Task InitializeAsync() => _server = await RedisServer.StartPrivateAsync();

    public Task DisposeAsync()
    {
        foreach (var e in _logs.Entries)
            output.WriteLine($"{e.Level} {e.Message} {e.Exception?.Message}");
        return _server.DisposeAsync();
    }

    [Fact]
    public async Task A_restart_raises_Reconnected_and_subscriptions_and_the_store_work_again()
    {
        await using var backend = await _server.CreateBackendAsync(loggerFactory: _logs);
        var received = new ConcurrentQueue<string>();
        await using var subscription = await backend.Bus.SubscribeAsync("munit:7", m =>
        {
            received.Enqueue(m);
            return Task.CompletedTask;
        });
        await backend.Bus.PublishAsync("munit:7", "before");
        await Eventually.WaitUntilAsync(() => received.Contains("before"), Patience, "the first message arrived");

        var reconnected = 0;
        backend.Bus.Reconnected += () => Interlocked.Increment(ref reconnected);

        await _server.RestartAsync();

        await Eventually.WaitUntilAsync(
            () => Volatile.Read(ref reconnected) > 0,
            Patience,
            "Reconnected was raised after the restart"
        );

        // The subscription made before the restart was restored by the client without our help.
        Assert.True(
            await backend.Bus.PublishAsync("munit:7", "after") > 0,
            "the server knows the resubscribed channel"
        );
        await Eventually.WaitUntilAsync(
            () => received.Contains("after"),
            Patience,
            "the pre-restart subscription got a new message"
        );

        // A handler subscribed after reconnecting (what a reconciling Regulator does) gets messages too.
        var fresh = new ConcurrentQueue<string>();
        await using var again = await backend.Bus.SubscribeAsync("munit:7", m =>
        {
            fresh.Enqueue(m);
            return Task.CompletedTask;
        });
        await backend.Bus.PublishAsync("munit:7", "to-both");
        await Eventually.WaitUntilAsync(
            () => fresh.Contains("to-both") && received.Contains("to-both"),
            Patience,
            "both handlers got the message"
        );

        // The store works again (the restarted server has no persistence, so it starts empty).
        Assert.True(await backend.Store.SetStringAsync("k", "v"));
        Assert.Equal("v", await backend.Store.GetStringAsync("k"));
        Assert.Equal(["before", "after", "to-both"], received.ToArray());
    }

    [Fact]
    public async Task A_message_from_another_client_reaches_a_subscriber_that_survived_a_restart()
    {
        await using var listener = await _server.CreateBackendAsync(loggerFactory: _logs);
        var received = new ConcurrentQueue<string>();
        await using var subscription = await listener.Bus.SubscribeAsync("room:1", m =>
        {
            received.Enqueue(m);
            return Task.CompletedTask;
        });
        var reconnected = 0;
        listener.Bus.Reconnected += () => Interlocked.Increment(ref reconnected);

        await _server.RestartAsync();
        await Eventually.WaitUntilAsync(() => Volatile.Read(ref reconnected) > 0, Patience, "the listener reconnected");

        await using var publisher = await _server.CreateBackendAsync();
        Assert.Equal(1, await publisher.Bus.PublishAsync("room:1", "hello"));
        await Eventually.WaitUntilAsync(() => received.Contains("hello"), Patience, "the message arrived");
    }

    [Fact]
    public async Task Calls_while_redis_is_down_fail_as_StateUnavailable_and_work_once_it_is_back()
    {
        await using var backend = await _server.CreateBackendAsync(loggerFactory: _logs);
        await _server.StopAsync();

        await Eventually.WaitUntilAsync(
            async () =>
            {
                try
                {
                    await backend.Store.SetStringAsync("k", "v");
                    return false;
                }
                catch (StateUnavailableException)
                {
                    return true;
                }
            },
            Patience,
            "a write against a stopped server fails with StateUnavailableException"
        );
        await Assert.ThrowsAsync<StateUnavailableException>(() => backend.Bus.PublishAsync("c", "x"));

        await _server.StartAgainAsync();
        await Eventually.WaitUntilAsync(
            async () => await backend.Store.SetStringAsync("k", "v"),
            Patience,
            "writes work again"
        );
        Assert.Equal("v", await backend.Store.GetStringAsync("k"));
    }

    [Fact]
    public async Task A_call_while_redis_is_down_fails_at_once_instead_of_waiting_out_its_timeout()
    {
        // A time limit far beyond the test's patience: a call that waited for the link to come back (or for
        // the limit) would show up as the WaitAsync below running out, not as StateUnavailableException.
        await using var backend = await StateBackend.CreateAsync(
            $"{_server.Configuration},syncTimeout=120000,asyncTimeout=120000",
            _logs,
            _server.NewKeyPrefix()
        );
        await _server.StopAsync();
        await Eventually.WaitUntilAsync(
            () => !((RedisBackend)backend).IsConnected,
            Patience,
            "the client noticed the stop"
        );

        await Assert.ThrowsAsync<StateUnavailableException>(() =>
            backend.Store.SetStringAsync("k", "v").WaitAsync(Patience)
        );
        await Assert.ThrowsAsync<StateUnavailableException>(() =>
            backend.Bus.PublishAsync("c", "x").WaitAsync(Patience)
        );
    }

    [Fact]
    public async Task A_backend_created_before_redis_is_up_connects_announces_it_and_activates_early_subscriptions()
    {
        await _server.StopAsync();
        await using var backend = await _server.CreateBackendAsync(loggerFactory: _logs);
        Assert.False(((RedisBackend)backend).IsConnected);
        var reconnected = 0;
        backend.Bus.Reconnected += () => Interlocked.Increment(ref reconnected);
        await Assert.ThrowsAsync<StateUnavailableException>(() => backend.Store.GetStringAsync("k"));
        // A subscription made while Redis is down is kept and sent when the link comes up.
        var early = new ConcurrentQueue<string>();
        await using var subscription = await backend.Bus.SubscribeAsync("c", m =>
        {
            early.Enqueue(m);
            return Task.CompletedTask;
        });

        await _server.StartAgainAsync();
        await Eventually.WaitUntilAsync(
            () => Volatile.Read(ref reconnected) > 0,
            Patience,
            "the first connection was announced"
        );
        await Eventually.WaitUntilAsync(
            async () => await backend.Store.SetStringAsync("k", "v"),
            Patience,
            "the backend connected late"
        );
        Assert.Equal("v", await backend.Store.GetStringAsync("k"));
        Assert.Equal(1, await backend.Bus.PublishAsync("c", "x"));
        await Eventually.WaitUntilAsync(() => early.Contains("x"), Patience, "the early subscription got a message");
    }

    [Fact]
    public async Task A_call_to_a_server_that_stops_answering_fails_after_the_timeout_instead_of_hanging()
    {
        await using var backend = await StateBackend.CreateAsync(
            $"{_server.Configuration},syncTimeout=500",
            _logs,
            _server.NewKeyPrefix()
        );
        Assert.True(await backend.Store.SetStringAsync("k", "v"));

        _server.Pause();
        try
        {
            // Without our own timeout the client would wait for the link to be declared dead.
            await Assert.ThrowsAsync<StateUnavailableException>(() =>
                backend.Store.GetStringAsync("k").WaitAsync(Patience)
            );
            await Assert.ThrowsAsync<StateUnavailableException>(() =>
                backend.Bus.PublishAsync("c", "x").WaitAsync(Patience)
            );
        }
        finally
        {
            _server.Resume();
        }

        await Eventually.WaitUntilAsync(
            async () => await backend.Store.GetStringAsync("k") == "v",
            Patience,
            "calls work after the server resumed"
        );
    }

    [Fact]
    public async Task Disposing_a_backend_whose_server_stopped_answering_does_not_hang()
    {
        var backend = await StateBackend.CreateAsync(
            $"{_server.Configuration},syncTimeout=500",
            _logs,
            _server.NewKeyPrefix()
        );
        await using var subscription = await backend.Bus.SubscribeAsync("c", _ => Task.CompletedTask);
        _server.Pause();
        try
        {
            await backend.DisposeAsync().AsTask().WaitAsync(Patience);
        }
        finally
        {
            _server.Resume();
        }
    }

    [Fact]
    public async Task A_server_that_refuses_for_now_is_reported_as_unavailable_not_as_a_bad_command()
    {
        await using var backend = await _server.CreateBackendAsync(loggerFactory: _logs);
        Assert.True(await backend.Store.SetStringAsync("k", "v"));

        // A script that never ends makes Redis answer everyone else with BUSY once the threshold passes.
        await _server.CommandAsync("CONFIG", "SET", "busy-reply-threshold", "50");
        var endless = _server.CommandAsync("EVAL", "while true do end", "0");
        try
        {
            await Eventually.WaitUntilAsync(
                async () =>
                {
                    try
                    {
                        await backend.Store.GetStringAsync("k");
                        return false;
                    }
                    catch (StateUnavailableException ex)
                    {
                        return ex.Message.Contains("BUSY", StringComparison.Ordinal);
                    }
                },
                Patience,
                "a call during the busy script fails as StateUnavailable (BUSY)"
            );
        }
        finally
        {
            await _server.CommandAsync("SCRIPT", "KILL");
            await Assert.ThrowsAsync<InvalidOperationException>(() => endless);
        }

        Assert.Equal("v", await backend.Store.GetStringAsync("k"));
    }
}
