using MobZ.Rtc.Srtp;

namespace MobZ.Rtc.Tests.Srtp;

public class SrtpContextTests
{
    public static TheoryData<SrtpProfile> Profiles =>
        new() { SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm };

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Rtp_round_trips_through_protect_and_unprotect(SrtpProfile profile)
    {
        using var sender = new SrtpContext(SrtpTestPackets.Keys(profile));
        using var receiver = new SrtpContext(SrtpTestPackets.Keys(profile));
        var original = SrtpTestPackets.Rtp(1000);
        var buffer = (byte[])original.Clone();

        Assert.Equal(
            SrtpStatus.Ok,
            sender.ProtectRtp(buffer, SrtpTestPackets.RtpLength(buffer), out int protectedLength)
        );
        Assert.Equal(SrtpTestPackets.RtpLength(buffer) + SrtpProfiles.RtpTrailerLength(profile), protectedLength);
        Assert.NotEqual(original.AsSpan(20, 1200).ToArray(), buffer.AsSpan(20, 1200).ToArray());
        Assert.Equal(original.AsSpan(0, 20).ToArray(), buffer.AsSpan(0, 20).ToArray());

        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(buffer.AsSpan(0, protectedLength), out int plainLength));
        Assert.Equal(SrtpTestPackets.RtpLength(original), plainLength);
        Assert.Equal(original.AsSpan(0, plainLength).ToArray(), buffer.AsSpan(0, plainLength).ToArray());
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Rtcp_round_trips_with_encryption_flag_set(SrtpProfile profile)
    {
        using var sender = new SrtpContext(SrtpTestPackets.Keys(profile));
        using var receiver = new SrtpContext(SrtpTestPackets.Keys(profile));
        var original = SrtpTestPackets.Rtcp();
        var buffer = (byte[])original.Clone();

        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtcp(buffer, SrtpTestPackets.RtcpLength, out int protectedLength));
        Assert.Equal(SrtpTestPackets.RtcpLength + SrtpProfiles.RtcpTrailerLength(profile), protectedLength);
        Assert.NotEqual(original.AsSpan(8, 24).ToArray(), buffer.AsSpan(8, 24).ToArray());

        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtcp(buffer.AsSpan(0, protectedLength), out int plainLength));
        Assert.Equal(original.AsSpan(0, SrtpTestPackets.RtcpLength).ToArray(), buffer.AsSpan(0, plainLength).ToArray());
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Tampered_payload_fails_authentication(SrtpProfile profile)
    {
        using var sender = new SrtpContext(SrtpTestPackets.Keys(profile));
        using var receiver = new SrtpContext(SrtpTestPackets.Keys(profile));
        var packet = SrtpTestPackets.Protect(sender, 7);
        packet[100] ^= 0x20;

        Assert.Equal(SrtpStatus.AuthenticationFailed, receiver.UnprotectRtp(packet, out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Packet_under_a_different_key_fails_authentication(SrtpProfile profile)
    {
        using var sender = new SrtpContext(SrtpTestPackets.Keys(profile, seed: 1));
        using var receiver = new SrtpContext(SrtpTestPackets.Keys(profile, seed: 2));

        Assert.Equal(SrtpStatus.AuthenticationFailed, receiver.UnprotectRtp(SrtpTestPackets.Protect(sender, 7), out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Tampered_rtcp_fails_authentication(SrtpProfile profile)
    {
        using var sender = new SrtpContext(SrtpTestPackets.Keys(profile));
        using var receiver = new SrtpContext(SrtpTestPackets.Keys(profile));
        var buffer = SrtpTestPackets.Rtcp();
        sender.ProtectRtcp(buffer, SrtpTestPackets.RtcpLength, out int length);
        buffer[12] ^= 1;

        Assert.Equal(SrtpStatus.AuthenticationFailed, receiver.UnprotectRtcp(buffer.AsSpan(0, length), out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Duplicate_rtp_is_rejected_as_replay(SrtpProfile profile)
    {
        using var sender = new SrtpContext(SrtpTestPackets.Keys(profile));
        using var receiver = new SrtpContext(SrtpTestPackets.Keys(profile));
        var packet = SrtpTestPackets.Protect(sender, 500);
        var copy = (byte[])packet.Clone();

        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packet, out _));
        Assert.Equal(SrtpStatus.ReplayDuplicate, receiver.UnprotectRtp(copy, out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Duplicate_rtcp_is_rejected_as_replay(SrtpProfile profile)
    {
        using var sender = new SrtpContext(SrtpTestPackets.Keys(profile));
        using var receiver = new SrtpContext(SrtpTestPackets.Keys(profile));
        var buffer = SrtpTestPackets.Rtcp();
        sender.ProtectRtcp(buffer, SrtpTestPackets.RtcpLength, out int length);
        var copy = buffer[..length];

        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtcp(buffer.AsSpan(0, length), out _));
        Assert.Equal(SrtpStatus.ReplayDuplicate, receiver.UnprotectRtcp(copy, out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Packet_older_than_the_window_is_rejected_but_reordered_packets_inside_it_are_accepted(
        SrtpProfile profile
    )
    {
        using var sender = new SrtpContext(SrtpTestPackets.Keys(profile));
        using var receiver = new SrtpContext(SrtpTestPackets.Keys(profile));
        var packets = Enumerable
            .Range(0, 300)
            .Select(i => SrtpTestPackets.Protect(sender, (ushort)(1000 + i)))
            .ToArray();

        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packets[299], out _));
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packets[299 - 100], out _));
        Assert.Equal(SrtpStatus.ReplayTooOld, receiver.UnprotectRtp(packets[299 - SrtpReplayWindow.Size], out _));
        Assert.Equal(SrtpStatus.ReplayTooOld, receiver.UnprotectRtp(packets[0], out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Forged_packet_with_a_far_ahead_sequence_does_not_advance_the_window(SrtpProfile profile)
    {
        using var sender = new SrtpContext(SrtpTestPackets.Keys(profile));
        using var receiver = new SrtpContext(SrtpTestPackets.Keys(profile));
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(SrtpTestPackets.Protect(sender, 10), out _));
        var forged = SrtpTestPackets.Protect(sender, 20000);
        forged[^1] ^= 0xFF;

        Assert.Equal(SrtpStatus.AuthenticationFailed, receiver.UnprotectRtp(forged, out _));
        // Had the forgery moved the window, seq 11 would now be "too old".
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(SrtpTestPackets.Protect(sender, 11), out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Rollover_counter_advances_across_sequence_wrap(SrtpProfile profile)
    {
        using var sender = new SrtpContext(SrtpTestPackets.Keys(profile));
        using var receiver = new SrtpContext(SrtpTestPackets.Keys(profile));
        ushort[] sequence = [65533, 65534, 65535, 0, 1, 2];
        var packets = sequence.Select(s => SrtpTestPackets.Protect(sender, s)).ToArray();

        foreach (var packet in packets)
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp((byte[])packet.Clone(), out _));

        // A retransmission from before the wrap still authenticates under the old ROC.
        using var receiver2 = new SrtpContext(SrtpTestPackets.Keys(profile));
        Assert.Equal(SrtpStatus.Ok, receiver2.UnprotectRtp((byte[])packets[0].Clone(), out _));
        Assert.Equal(SrtpStatus.Ok, receiver2.UnprotectRtp((byte[])packets[4].Clone(), out _));
        Assert.Equal(SrtpStatus.Ok, receiver2.UnprotectRtp((byte[])packets[2].Clone(), out _));
        Assert.Equal(SrtpStatus.Ok, receiver2.UnprotectRtp((byte[])packets[5].Clone(), out _));
    }

    [Fact]
    public void Packets_after_the_wrap_use_rollover_counter_one()
    {
        // If the receiver guessed ROC 0 for the post-wrap packet, the AES-CM IV and HMAC input
        // would differ and authentication would fail; proving it: a receiver that never saw the
        // pre-wrap packets (so assumes ROC 0) rejects it.
        using var sender = new SrtpContext(SrtpTestPackets.Keys(SrtpProfile.Aes128CmHmacSha1_80));
        SrtpTestPackets.Protect(sender, 65535);
        var afterWrap = SrtpTestPackets.Protect(sender, 0);
        using var fresh = new SrtpContext(SrtpTestPackets.Keys(SrtpProfile.Aes128CmHmacSha1_80));

        Assert.Equal(SrtpStatus.AuthenticationFailed, fresh.UnprotectRtp(afterWrap, out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Protect_without_tailroom_is_refused(SrtpProfile profile)
    {
        using var sender = new SrtpContext(SrtpTestPackets.Keys(profile));
        var buffer = SrtpTestPackets.Rtp(1, tailroom: 0);

        Assert.Equal(SrtpStatus.NoTailroom, sender.ProtectRtp(buffer, buffer.Length, out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Streams_beyond_the_limit_are_refused_without_creating_state(SrtpProfile profile)
    {
        using var sender = new SrtpContext(SrtpTestPackets.Keys(profile));
        using var receiver = new SrtpContext(SrtpTestPackets.Keys(profile), maxStreams: 2);

        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(SrtpTestPackets.Protect(sender, 1, ssrc: 1), out _));
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(SrtpTestPackets.Protect(sender, 1, ssrc: 2), out _));
        Assert.Equal(
            SrtpStatus.TooManyStreams,
            receiver.UnprotectRtp(SrtpTestPackets.Protect(sender, 1, ssrc: 3), out _)
        );
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(SrtpTestPackets.Protect(sender, 2, ssrc: 2), out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Random_and_truncated_input_never_throws(SrtpProfile profile)
    {
        using var sender = new SrtpContext(SrtpTestPackets.Keys(profile));
        using var receiver = new SrtpContext(SrtpTestPackets.Keys(profile));
        var random = new Random(1234);
        var good = SrtpTestPackets.Protect(sender, 42);
        for (int i = 0; i < 3000; i++)
        {
            byte[] input;
            if (i % 3 == 0)
            {
                input = good[..random.Next(good.Length)];
            }
            else
            {
                input = new byte[random.Next(0, 200)];
                random.NextBytes(input);
                if (input.Length > 0 && i % 2 == 0)
                    input[0] = (byte)(0x80 | (input[0] & 0x3F));
            }
            var rtcp = (byte[])input.Clone();
            Assert.NotEqual(SrtpStatus.Ok, receiver.UnprotectRtp(input, out _));
            Assert.NotEqual(SrtpStatus.Ok, receiver.UnprotectRtcp(rtcp, out _));
        }
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(good, out _));
    }
}
