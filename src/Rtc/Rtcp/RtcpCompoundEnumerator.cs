namespace MobZ.Rtc.Rtcp;

/// <summary>
/// Iterates the packets of a compound RTCP datagram (RFC 3550 §6.1) without allocating. A packet whose length
/// runs past the datagram ends the walk and sets <see cref="IsMalformed"/>; the packets before it stay usable.
/// </summary>
/// <example><code>
/// var packets = new RtcpCompoundEnumerator(datagram);
/// foreach (RtcpPacket p in packets) { switch (p.PacketType) { ... } }
/// if (packets.IsMalformed) { /* count a drop */ }
/// </code></example>
public ref struct RtcpCompoundEnumerator
{
    private ReadOnlySpan<byte> _remaining;
    private RtcpPacket _current;

    public RtcpCompoundEnumerator(ReadOnlySpan<byte> datagram)
    {
        _remaining = datagram;
        _current = default;
        IsMalformed = datagram.IsEmpty;
    }

    public readonly RtcpPacket Current => _current;

    /// <summary>True when the walk stopped on bytes that are not a whole RTCP packet (or the datagram was
    /// empty).</summary>
    public bool IsMalformed { get; private set; }

    public readonly RtcpCompoundEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_remaining.IsEmpty)
        {
            return false;
        }

        if (!RtcpPacket.TryRead(_remaining, out _current))
        {
            IsMalformed = true;
            _remaining = default;
            return false;
        }

        _remaining = _remaining[_current.Span.Length..];
        return true;
    }

    /// <summary>True when every byte of <paramref name="datagram"/> belongs to a well-formed RTCP packet.</summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> datagram)
    {
        var walker = new RtcpCompoundEnumerator(datagram);
        while (walker.MoveNext()) { }

        return !walker.IsMalformed;
    }
}
