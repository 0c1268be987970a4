using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using MobZ.Munit.Buffers;
using MobZ.Munit.Rtp;
using MobZ.Munit.Simulcast;
using MobZ.Munit.Stats;
using MobZ.Rtc.Codecs;
using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Routing;

/// <summary>
/// The per-packet path, top to bottom: a decrypted packet from a publisher goes to every consumer of its
/// producer, each copy rewritten (SSRC, sequence number, timestamp, payload type) into a pooled buffer that
/// the viewer's transport encrypts in place and sends. The retransmission path (a viewer's NACK) is at the
/// bottom. Nothing here allocates; the caller holds the media lock, so nothing here locks.
/// </summary>
public sealed class Forwarder(IPacketBufferPool pool, TimeProvider? time = null)
{
    private readonly IPacketBufferPool _pool = pool;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly long _ticksPerMicrosecond = Math.Max(
        1,
        (time ?? TimeProvider.System).TimestampFrequency / 1_000_000
    );

    /// <summary>Packets handed to viewers' transports (after fan-out).</summary>
    public long Forwarded => Totals.ForwardedPackets;

    /// <summary>The engine's running totals (metrics); the caller's lock covers them too.</summary>
    public MediaTotals Totals { get; } = new();

    /// <param name="packet">one decrypted RTP packet; it may be modified in place (RTX unwrap).</param>
    public void OnPublisherRtp(Publisher publisher, Span<byte> packet, long nowMs) =>
        OnPublisherRtp(publisher, packet, nowMs, nowMs * 1000);

    /// <param name="packet">one decrypted RTP packet; it may be modified in place (RTX unwrap).</param>
    /// <param name="arrivalMicroseconds">when it arrived, on the same clock as <paramref name="nowMs"/> (congestion
    /// control wants finer than milliseconds).</param>
    public void OnPublisherRtp(Publisher publisher, Span<byte> packet, long nowMs, long arrivalMicroseconds)
    {
        // 1. Parse. A malformed packet is counted and dropped; it never reaches a viewer.
        if (!RtpPacket.TryRead(packet, out var rtp))
        {
            Drop(publisher, DropReason.Malformed);
            return;
        }

        // 1b. Congestion control sees every packet the publisher sent, padding and retransmissions included.
        RecordArrival(publisher, rtp, packet.Length, arrivalMicroseconds);
        if (packet.Length > PacketBufferPool.BufferSize - 64)
        {
            Drop(publisher, DropReason.Oversized);
            return;
        }

        // 2. Which track and simulcast layer (bound from rid / mid / payload type on a new SSRC).
        if (!publisher.TryResolve(rtp, out var producer, out int layerIndex, out bool isRtx))
        {
            Drop(publisher, DropReason.UnknownSsrc);
            return;
        }
        var layer = producer!.Layers[layerIndex];

        // 3. A retransmission from the publisher (RFC 4588) becomes the original packet again, in place.
        if (isRtx)
        {
            if (
                layer.Ssrc == 0
                || !RtxPacket.TryUnwrap(packet, producer.PayloadType, layer.Ssrc, packet, out int length)
            )
            {
                // Padding-only RTX is bandwidth probing; without a bound media SSRC there is nothing to repair.
                Drop(publisher, rtp.Payload.Length == 0 ? DropReason.PaddingOnly : DropReason.RtxWithoutOriginal);
                return;
            }
            packet = packet[..length];
            RtpPacket.TryRead(packet, out rtp);
        }

        ushort seq = rtp.SequenceNumber;
        uint timestamp = rtp.Timestamp;
        publisher.PacketsIn++;
        publisher.BytesIn += packet.Length;

        // 4. Receive statistics and the upstream NACK tracker (gaps are asked for on the next tick).
        var recv = layer.Recv!;
        recv.Receive(seq, timestamp, packet.Length, nowMs);

        // 5. Padding-only packets carry nothing a viewer needs; consumers on this layer skip the number.
        var consumers = producer.Consumers;
        if (rtp.Payload.Length == 0)
        {
            Drop(publisher, DropReason.PaddingOnly);
            foreach (var c in consumers)
            {
                if (c.CurrentLayer == layerIndex && c.CurrentGeneration == layer.Generation)
                    c.Rewriter.Drop(seq);
            }

            return;
        }

        // 6. Keyframe? Then whatever keyframe requests were outstanding for this layer are answered.
        bool keyFrame = producer.Kind == MediaKind.Video && KeyFrame.IsStart(producer.Codec, rtp.Payload);
        if (keyFrame)
        {
            recv.KeyFrames++;
            producer.KeyFrames.KeyFrameReceived(layer.Ssrc);
        }

        // 7. Keep a copy for viewers' NACKs.
        layer.Cache?.Store(seq, packet, nowMs);

        // 8. Fan out.
        uint absSendTime = producer.AbsSendTimeId > 0 ? AbsSendTime.Now(_time) : 0;
        for (int i = 0; i < consumers.Length; i++)
        {
            var consumer = consumers[i];
            if (!consumer.Subscriber.Ready)
                continue;
            var decision = consumer.Decide(layerIndex, layer.Generation, keyFrame, nowMs);
            if (decision == LayerDecision.Drop)
                continue;
            if (decision == LayerDecision.SwitchAndForward)
            {
                consumer.Resync();
                Totals.LayerSwitches++;
            }
            if (!consumer.Rewriter.Rewrite(seq, timestamp, nowMs, out ushort outSeq, out uint outTs))
                continue;
            Send(
                consumer,
                packet,
                outSeq,
                outTs,
                seq,
                layerIndex,
                layer.Generation,
                rtp.PayloadOffset,
                rtp.Payload.Length,
                nowMs,
                absSendTime
            );
        }
    }

    private static void RecordArrival(Publisher publisher, in RtpPacket rtp, int size, long arrivalMicroseconds)
    {
        if (publisher.TransportCc is { } recorder)
        {
            if (rtp.TryGetExtension(publisher.TransportCcExtensionId, out var value) && value.Length == 2)
                recorder.Record(BinaryPrimitives.ReadUInt16BigEndian(value), arrivalMicroseconds, rtp.Ssrc);
        }
        else if (publisher.Estimator is { } estimator)
        {
            uint? absSendTime =
                publisher.AbsSendTimeExtensionId > 0
                && rtp.TryGetExtension(publisher.AbsSendTimeExtensionId, out var value)
                && value.Length == RtpExtensionValues.AbsSendTimeSize
                    ? RtpExtensionValues.ReadAbsSendTime(value)
                    : null;
            estimator.OnPacket(absSendTime, size, arrivalMicroseconds);
        }
    }

    private void Drop(Publisher publisher, DropReason reason)
    {
        publisher.Drop(reason);
        Totals.Drop(reason);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Send(
        Consumer consumer,
        ReadOnlySpan<byte> packet,
        ushort outSeq,
        uint outTs,
        ushort inSeq,
        int layer,
        int generation,
        int payloadOffset,
        int payloadLength,
        long nowMs,
        uint absSendTime
    )
    {
        byte[] buffer = _pool.Rent();
        try
        {
            packet.CopyTo(buffer);
            RtpPacketRewriter.SetSsrc(buffer, consumer.Ssrc);
            RtpPacketRewriter.SetSequenceNumber(buffer, outSeq);
            RtpPacketRewriter.SetTimestamp(buffer, outTs);
            RtpPacketRewriter.SetPayloadType(buffer, consumer.PayloadType);
            Vp8Numbers? vp8 = null;
            if (
                consumer.Vp8 is { } munger
                && consumer.Producer.Codec == MediaCodec.Vp8
                && munger.Munge(buffer.AsSpan(payloadOffset, payloadLength), out var numbers)
            )
            {
                vp8 = numbers;
            }
            if (consumer.AbsSendTimeId != 0)
            {
                // The viewer's estimate (reported as REMB) must measure the Munit → viewer path: stamp our send
                // time; if the publisher used that id for another extension, blank it so it is not misread.
                if (consumer.AbsSendTimeId == consumer.Producer.AbsSendTimeId)
                    AbsSendTime.TryWrite(buffer.AsSpan(0, packet.Length), consumer.AbsSendTimeId, absSendTime);
                else
                    RtpPacketRewriter.TryBlankExtension(buffer.AsSpan(0, packet.Length), consumer.AbsSendTimeId);
            }
            consumer.Send.OnSent(
                outSeq,
                outTs,
                inSeq,
                layer,
                generation,
                consumer.Rewriter.TimestampOffset,
                packet.Length,
                payloadLength,
                nowMs,
                vp8
            );
            Transmit(consumer.Subscriber, buffer, packet.Length);
            Totals.ForwardedPackets++;
            Totals.ForwardedBytes += packet.Length;
        }
        finally
        {
            _pool.Return(buffer);
        }
    }

    /// <summary>
    /// Where a packet leaves for a viewer's transport, and so where its send time is taken: the viewer's own
    /// transport-wide sequence number goes in (when it negotiated transport-cc) and the send is recorded for its
    /// feedback. A pacer would call this at the moment it releases the packet.
    /// </summary>
    /// <param name="buffer">a pooled buffer: the extension may grow the packet into its tailroom.</param>
    public void Transmit(Subscriber viewer, Span<byte> buffer, int length)
    {
        if (viewer.TransportCc is { } transportCc)
            length = transportCc.Stamp(buffer, length, _time.GetTimestamp() / _ticksPerMicrosecond);
        else if (viewer.TransportCcExtensionId > 0)
            RtpPacketRewriter.TryBlankExtension(buffer[..length], viewer.TransportCcExtensionId);
        viewer.Output.SendRtp(buffer, length);
    }

    /// <summary>
    /// Probing toward a viewer (<see cref="MobZ.Munit.Congestion.Prober"/>), from the tick: a cluster starts when
    /// the viewer's tracks want more than its estimate allows, and while it is on the padding it owes goes out as
    /// padding-only packets on the RTX stream of one of its video tracks (a receiver discards them after counting
    /// them in its feedback; the media's own numbering is untouched). A viewer without RTX toward it is not probed.
    /// </summary>
    public void Probe(Subscriber viewer, long nowMs)
    {
        if (viewer.TransportCc is not { } transportCc || !viewer.Ready)
            return;
        Consumer? carrier = null;
        foreach (var c in viewer.Consumers)
        {
            if (c.RtxSsrc != 0 && c.Producer.Kind == MediaKind.Video && c.Send.HasSent)
            {
                carrier = c;
                break;
            }
        }
        if (carrier is null)
            return;
        var prober = transportCc.Prober;
        long started = prober.Started,
            failed = prober.Failed;
        int due = transportCc.ProbePaddingDue(viewer.WantedBitrate(nowMs), nowMs);
        Totals.ProbeClusters += prober.Started - started;
        Totals.ProbesFailed += prober.Failed - failed;
        for (int packets = 0; due >= MinPaddingBytes && packets < MaxPaddingPacketsPerTick; packets++)
        {
            int size = SendPadding(carrier, Math.Min(due, MaxPaddingBytes));
            if (size == 0)
                break;
            prober.OnPaddingSent(size);
            Totals.ProbePaddingBytes += size;
            due -= size;
        }
    }

    /// <summary>The most padding one RTP packet carries (the padding length is one byte).</summary>
    public const int MaxPaddingBytes = 255;
    private const int MinPaddingBytes = 64;
    private const int MaxPaddingPacketsPerTick = 64;

    private int SendPadding(Consumer carrier, int paddingBytes)
    {
        byte[] buffer = _pool.Rent();
        try
        {
            var writer = new RtpPacketWriter
            {
                PayloadType = carrier.RtxPayloadType,
                SequenceNumber = carrier.NextRtxSeq++,
                Timestamp = carrier.Send.LastOutputTimestamp,
                Ssrc = carrier.RtxSsrc,
                PaddingSize = (byte)paddingBytes,
            };
            if (!writer.TryWrite(buffer, out int length))
                return 0;
            Transmit(carrier.Subscriber, buffer, length);
            return length;
        }
        finally
        {
            _pool.Return(buffer);
        }
    }

    /// <summary>
    /// A viewer's NACK for one output sequence number: the packet is taken from the producer's cache,
    /// numbered as it was first sent, and sent again — wrapped as RTX when the viewer negotiated it.
    /// </summary>
    /// <returns>false when the packet is no longer cached (or belongs to a source that has restarted since).</returns>
    public bool Retransmit(Consumer consumer, ushort outputSeq, long nowMs)
    {
        if (!consumer.Send.TryFind(outputSeq, out var sent))
            return false;
        var layers = consumer.Producer.Layers;
        if (sent.Layer >= layers.Length)
            return false;
        var layer = layers[sent.Layer];
        if (layer.Generation != sent.Generation || layer.Cache is null)
            return false;
        var cached = layer.Cache.Get(sent.InputSeq, nowMs);
        if (cached.IsEmpty)
            return false;

        byte[] buffer = _pool.Rent();
        try
        {
            cached.CopyTo(buffer);
            uint outTs = BinaryPrimitives.ReadUInt32BigEndian(cached[4..]) + sent.TimestampOffset;
            RtpPacketRewriter.SetSsrc(buffer, consumer.Ssrc);
            RtpPacketRewriter.SetSequenceNumber(buffer, outputSeq);
            RtpPacketRewriter.SetTimestamp(buffer, outTs);
            RtpPacketRewriter.SetPayloadType(buffer, consumer.PayloadType);
            int length = cached.Length;
            if (sent.Vp8Munged && RtpPacket.TryRead(cached, out var original))
                Vp8Munger.Restore(buffer.AsSpan(original.PayloadOffset, original.Payload.Length), sent.Vp8);
            if (consumer.RtxSsrc != 0)
            {
                ushort rtxSeq = consumer.NextRtxSeq++;
                // In place: the payload moves two bytes right to make room for the original sequence number.
                if (
                    !RtxPacket.TryWrap(
                        buffer.AsSpan(0, length),
                        consumer.RtxPayloadType,
                        consumer.RtxSsrc,
                        rtxSeq,
                        buffer,
                        out length
                    )
                )
                {
                    return false;
                }
            }
            consumer.Send.OnRetransmitted(length);
            Totals.Retransmitted++;
            Transmit(consumer.Subscriber, buffer, length);
            return true;
        }
        finally
        {
            _pool.Return(buffer);
        }
    }
}
