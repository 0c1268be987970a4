using System.Runtime.CompilerServices;
using MobZ.Munit.Buffers;

namespace MobZ.Munit.Tests.Routing;

/// <summary>
/// A pool that fails the test when a buffer is never returned, returned twice, or not one of its own
/// (Kestrel's DiagnosticMemoryPool idea). Returned buffers are poisoned so a use after return shows up as
/// garbage in what a recording output captured.
/// </summary>
internal sealed class DiagnosticPacketPool : IPacketBufferPool
{
    private readonly HashSet<byte[]> _out = new(ReferenceEqualityComparer.Instance);
    private readonly Stack<byte[]> _free = new();
    private readonly ConditionalWeakTable<byte[], object> _mine = new();

    public long Rented { get; private set; }
    public int Outstanding
    {
        get
        {
            lock (_out)
                return _out.Count;
        }
    }

    public byte[] Rent()
    {
        lock (_out)
        {
            var buffer = _free.Count > 0 ? _free.Pop() : New();
            _out.Add(buffer);
            Rented++;
            return buffer;
        }
    }

    public void Return(byte[] buffer)
    {
        lock (_out)
        {
            if (!_mine.TryGetValue(buffer, out _))
                throw new InvalidOperationException("returned a buffer this pool never rented");
            if (!_out.Remove(buffer))
                throw new InvalidOperationException("buffer returned twice");
            buffer.AsSpan().Fill(0xDD);
            _free.Push(buffer);
        }
    }

    public void AssertAllReturned() =>
        Assert.True(Outstanding == 0, $"{Outstanding} of {Rented} rented packet buffers were never returned");

    private byte[] New()
    {
        var b = new byte[PacketBufferPool.BufferSize];
        _mine.Add(b, new object());
        return b;
    }
}
