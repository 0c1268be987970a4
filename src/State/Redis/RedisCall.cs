using StackExchange.Redis;

namespace MobZ.State.Redis;

/// <summary>
/// Runs one client call and translates the client library's exceptions into ours, so callers outside this
/// folder never see a StackExchange.Redis type: unreachable server → <see cref="StateUnavailableException"/>;
/// a command Redis refused (WRONGTYPE, not an integer) → <see cref="InvalidOperationException"/>, as in-process.
/// </summary>
internal static class RedisCall
{
    public static async Task<T> Run<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }
    }

    public static async Task Run(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }
    }

    public static Exception? Translate(Exception ex) => ex switch
    {
        RedisServerException e => new InvalidOperationException(e.Message, e),
        RedisConnectionException e => new StateUnavailableException("Redis is unreachable: " + e.Message, e),
        RedisTimeoutException e => new StateUnavailableException("Redis did not answer in time: " + e.Message, e),
        _ => null,
    };
}
