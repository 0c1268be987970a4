using System.Collections.Concurrent;
using MobZ.Access;

namespace MobZ.Hls.Serving;

/// <summary>
/// Playback tokens already validated, each kept until its own <c>exp</c>: an LL-HLS player sends the same token
/// with every playlist reload, part and segment, several times a second, and a hit costs one dictionary lookup
/// instead of a signature check. Bounded: when full, expired entries go first, then an arbitrary eighth of the rest
/// (those viewers pay one more signature check, nothing else). Only valid tokens enter, so only the key holder
/// can fill it.
/// </summary>
internal sealed class PlaybackTokenCache(int capacity, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, AccessClaims> _entries = new(StringComparer.Ordinal);
    private readonly Lock _trim = new();

    public int Count => _entries.Count;

    public bool TryGet(string token, out AccessClaims claims)
    {
        if (_entries.TryGetValue(token, out AccessClaims? found))
        {
            if (time.GetUtcNow() < found.Expires)
            {
                claims = found;
                return true;
            }

            _entries.TryRemove(new KeyValuePair<string, AccessClaims>(token, found));
        }

        claims = null!;
        return false;
    }

    public void Add(string token, AccessClaims claims)
    {
        DateTimeOffset now = time.GetUtcNow();
        if (claims.Expires <= now)
        {
            return; // Accepted within the clock skew: worth no entry.
        }

        if (_entries.Count >= capacity)
        {
            MakeRoom(now);
        }

        _entries[token] = claims;
    }

    private void MakeRoom(DateTimeOffset now)
    {
        lock (_trim)
        {
            if (_entries.Count < capacity)
            {
                return;
            }

            foreach (KeyValuePair<string, AccessClaims> entry in _entries)
            {
                if (entry.Value.Expires <= now)
                {
                    _entries.TryRemove(entry);
                }
            }

            // Still full of live tokens: free an eighth at once, so the next new viewers do not each pay a sweep.
            int excess = _entries.Count - (capacity - Math.Max(1, capacity / 8));
            foreach (string token in _entries.Keys)
            {
                if (excess-- <= 0)
                {
                    break;
                }

                _entries.TryRemove(token, out _);
            }
        }
    }
}
