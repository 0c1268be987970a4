namespace MobZ.State.Atomic;

/// <summary>
/// A named multi-key state change that runs as one step on the store, with no retry: on Redis a Lua script
/// (loaded once, run by its SHA1 with EVALSHA), in-process the same logic in C# under the keyspace lock.
/// Both implementations answer with the same flat reply (strings and nils), which <see cref="Decode"/> turns
/// (with the arguments) into <typeparamref name="TResult"/>, so callers see one typed result whichever backend ran it.
/// </summary>
/// <remarks>
/// Keys: every key the caller knows is passed in KEYS; a key the operation finds only while it runs (the
/// streamer at the head of an idle set, say) is built from a key passed in KEYS plus an id it read
/// (<c>KEYS[2] .. id</c>), so the backend's key prefix applies to it too. Every key touched, declared or
/// built, must carry the same Redis hash tag (<c>{...}</c>): on a Redis Cluster they then live in one slot,
/// which the server requires of a script. Both backends refuse keys without a shared hash tag, and the
/// in-process run also refuses a built key outside it, so a test on either backend catches the mistake.
/// </remarks>
public abstract class AtomicOperation<TResult>
{
    /// <summary>Shown in logs and metrics, e.g. <c>ps.subscribe</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The Lua script: reads KEYS and ARGV, returns a flat array of strings (false for nil).</summary>
    public abstract string Script { get; }

    /// <summary>
    /// The same operation in-process, called with the keyspace lock held: nothing interleaves with it.
    /// Returns the reply the script returns.
    /// </summary>
    public abstract IReadOnlyList<string?> RunInProcess(
        IAtomicKeyspace keyspace,
        IReadOnlyList<string> keys,
        IReadOnlyList<string> args
    );

    /// <summary>The caller's result from the reply of either implementation and the arguments it ran with.</summary>
    public abstract TResult Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args);
}
