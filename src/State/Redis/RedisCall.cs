using System.Runtime.ExceptionServices;
using StackExchange.Redis;

namespace MobZ.State.Redis;

/// <summary>
/// Runs one client call, then hands its outcome to the caller.
/// <list type="bullet">
/// <item>The client library's exceptions are translated, so callers outside this folder never see a
/// StackExchange.Redis type: unreachable server → <see cref="StateUnavailableException"/>; a command Redis
/// refused (WRONGTYPE, not an integer) → <see cref="InvalidOperationException"/>, as in-process.</item>
/// <item>Each call gets <see cref="Timeout"/> through <c>WaitAsync</c>, as the client recommends for
/// asynchronous calls: its own asyncTimeout is only checked on its once-a-second heartbeat, so against a
/// server that stops answering without closing the socket (paused, partitioned) a call would wait up to a
/// second longer. One that runs out fails with <see cref="StateUnavailableException"/> and may or may not
/// have been applied.</item>
/// </list>
/// The client completes every call off its socket reader (continuations run asynchronously), so a caller
/// that blocks or computes after an await stalls no other Redis call; nothing needs to be done for that here.
/// </summary>
internal sealed class RedisCall(TimeSpan timeout)
{
    public TimeSpan Timeout { get; } = timeout;

    public async Task<T> Run<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().WaitAsync(Timeout).ConfigureAwait(false);
        }
        catch (TimeoutException ex) when (ex is not RedisTimeoutException)
        {
            throw new StateUnavailableException($"Redis did not answer within {Timeout.TotalMilliseconds:0} ms", ex);
        }
        catch (Exception ex)
        {
            throw Translate(ex) ?? Rethrow(ex);
        }
    }

    public Task Run(Func<Task> call) =>
        Run(async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        });

    public static Exception? Translate(Exception ex) =>
        ex switch
        {
            // A server that is starting, busy with a script, or a replica mid-failover refuses for now, not for good.
            RedisServerException e when IsTransient(e.Message) => new StateUnavailableException(
                "Redis is not ready: " + e.Message,
                e
            ),
            RedisServerException e => new InvalidOperationException(e.Message, e),
            // Refused by the client before sending, e.g. a script whose keys are in different cluster slots.
            RedisCommandException e => new InvalidOperationException(e.Message, e),
            RedisConnectionException e => new StateUnavailableException("Redis is unreachable: " + e.Message, e),
            RedisTimeoutException e => new StateUnavailableException("Redis did not answer in time: " + e.Message, e),
            _ => null,
        };

    private static bool IsTransient(string message) =>
        message.StartsWith("LOADING", StringComparison.Ordinal)
        || message.StartsWith("BUSY", StringComparison.Ordinal)
        || message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
        || message.StartsWith("READONLY", StringComparison.Ordinal)
        || message.StartsWith("TRYAGAIN", StringComparison.Ordinal);

    private static Exception Rethrow(Exception ex)
    {
        ExceptionDispatchInfo.Capture(ex).Throw();
        return ex;
    }
}
