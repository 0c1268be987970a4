using System.Net;
using MobZ.Rtc.Transport.Egress;

namespace MobZ.Rtc.Tests.Transport.Egress;

public class UdpEgressBatchTests
{
    private static readonly SocketAddress Remote = new IPEndPoint(IPAddress.Loopback, 5004).Serialize();

    [Fact]
    public void A_partial_sendmmsg_is_offered_again_from_the_first_datagram_not_taken()
    {
        // sendmmsg may stop early without an error: 2 of 5, then the remaining 3.
        var sender = new ScriptedSender((2, SendFailure.None), (3, SendFailure.None));
        var (batch, transport, peers) = Batch(5);

        int accepted = batch.Flush(sender, transport);

        Assert.Equal(5, accepted);
        Assert.Equal([0, 2], sender.Starts);
        Assert.Equal(5, transport.Sent);
        Assert.Equal(5 * 100, transport.SentBytes);
        Assert.All(peers, p => Assert.Equal(1, p.Sent));
        Assert.Equal(0, transport.DroppedTotal);
        Assert.Equal(0, batch.Count);
    }

    [Fact]
    public void A_full_send_buffer_drops_the_rest_of_the_batch_without_waiting_and_counts_it_per_peer()
    {
        var sender = new ScriptedSender((3, SendFailure.WouldBlock));
        var (batch, transport, peers) = Batch(6);

        int accepted = batch.Flush(sender, transport);

        Assert.Equal(3, accepted);
        Assert.Single(sender.Starts);
        Assert.Equal(3, transport.Sent);
        Assert.Equal(3, transport.Dropped(EgressDropReason.SocketFull));
        Assert.Equal([1, 1, 1, 0, 0, 0], peers.Select(p => p.Sent));
        Assert.Equal([0, 0, 0, 1, 1, 1], peers.Select(p => p.Dropped(EgressDropReason.SocketFull)));
    }

    [Fact]
    public void An_error_of_one_datagram_drops_only_that_one_and_the_rest_still_go()
    {
        // The kernel took the first, refused the second (say EHOSTUNREACH), then took the last two.
        var sender = new ScriptedSender((1, SendFailure.Rejected), (2, SendFailure.None));
        var (batch, transport, peers) = Batch(4);

        batch.Flush(sender, transport);

        Assert.Equal([0, 2], sender.Starts);
        Assert.Equal(3, transport.Sent);
        Assert.Equal(1, transport.Dropped(EgressDropReason.SendError));
        Assert.Equal(1, peers[1].Dropped(EgressDropReason.SendError));
        Assert.Equal([1, 0, 1, 1], peers.Select(p => p.Sent));
    }

    [Fact]
    public void A_closed_socket_drops_what_is_left_as_socket_closed()
    {
        var sender = new ScriptedSender((0, SendFailure.Closed));
        var (batch, transport, _) = Batch(3);

        batch.Flush(sender, transport);

        Assert.Equal(0, transport.Sent);
        Assert.Equal(3, transport.Dropped(EgressDropReason.SocketClosed));
    }

    [Fact]
    public void A_sender_that_takes_nothing_without_a_reason_cannot_spin_the_receive_thread()
    {
        var sender = new ScriptedSender(repeatLast: true, (0, SendFailure.None));
        var (batch, transport, _) = Batch(2);

        batch.Flush(sender, transport);

        Assert.Equal(2, transport.Dropped(EgressDropReason.SendError));
        Assert.InRange(sender.Starts.Count, 2, 8);
    }

    [Fact]
    public void Each_datagram_keeps_its_bytes_and_destination_until_the_flush()
    {
        var sender = new ScriptedSender((2, SendFailure.None));
        var batch = new UdpEgressBatch(2);
        var other = new IPEndPoint(IPAddress.Parse("10.1.2.3"), 6000).Serialize();
        batch.Add([1, 2, 3], [9], Remote, null);
        batch.Add([4, 5], [8, 7], other, null);

        Assert.Equal([1, 2, 3], batch.Packet(0).ToArray());
        Assert.Equal([4, 5], batch.Packet(1).ToArray());
        Assert.Same(other, batch.Address(1));
        Assert.Equal(2, batch.NameLength(1));
        Assert.True(batch.IsFull);
        batch.Flush(sender, new EgressCounters());
        Assert.Equal(0, batch.Count);
    }

    private static (UdpEgressBatch Batch, EgressCounters Transport, EgressCounters[] Peers) Batch(int count)
    {
        var batch = new UdpEgressBatch(count);
        var peers = new EgressCounters[count];
        for (int i = 0; i < count; i++)
        {
            peers[i] = new EgressCounters();
            batch.Add(new byte[100], new byte[16], Remote, peers[i]);
        }

        return (batch, new EgressCounters(), peers);
    }

    /// <summary>Answers each call with the next scripted (taken, failure), as sendmmsg would.</summary>
    private sealed class ScriptedSender(bool repeatLast, params (int Taken, SendFailure Failure)[] script)
        : IDatagramBatchSender
    {
        private int _call;

        public ScriptedSender(params (int Taken, SendFailure Failure)[] script)
            : this(false, script) { }

        public List<int> Starts { get; } = [];

        public string Name => "scripted";

        public int Send(UdpEgressBatch batch, int start, EgressCounters syscalls, out SendFailure failure)
        {
            Starts.Add(start);
            int index = repeatLast ? Math.Min(_call, script.Length - 1) : _call;
            _call++;
            var (taken, result) = script[index];
            failure = result;
            return taken;
        }
    }
}
