namespace MobZ.PixelStreaming.Signaling;

/// <summary>
/// Work that must run after the current route's response has gone back to the gateway, e.g. writing to a
/// connection that only becomes writable once <c>$connect</c> returned. Locally a background runner; in a
/// Lambda custom runtime the host drains it after posting the invocation response and before asking for
/// the next event (see docs/pixel-streaming.md, "config delivery").
/// </summary>
public interface IDeferredWork
{
    void Defer(string name, Func<CancellationToken, Task> work);
}
