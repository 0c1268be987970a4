using System.Buffers.Binary;
using System.Collections;
using System.Text;
using System.Text.Json;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Rtcp;
using MobZ.Rtc.Rtp;
using MobZ.Rtc.Stun;
using MobZ.Signaling.Rooms.Protocol;
using HeartbeatMessage = MobZ.Signaling.Rooms.Protocol.HeartbeatMessage;

namespace MobZ.Fuzz;

/// <summary>
/// Writes fuzz/corpus: valid inputs for every harness, made by the product's own writers where it has them (RTP,
/// RTCP, STUN, rooms messages), by BouncyCastle's DTLS client for the ClientHello, and from the real Chromium and
/// aiortc SDP captures in tests/Rtc.Tests/TestData/Sdp. AFL++ mutates from these; they are small on purpose.
/// </summary>
internal static class SeedCorpus
{
    public static int Write(string root)
    {
        string sdpCaptures = Path.Combine(RepositoryRoot(), "tests", "Rtc.Tests", "TestData", "Sdp");
        var corpus = new Dictionary<string, IEnumerable<(string Name, byte[] Bytes)>>
        {
            ["rtp"] = Rtp(),
            ["rtcp"] = Rtcp(),
            ["stun"] = Stun(),
            ["dtls-record"] = DtlsRecords(),
            ["sdp"] = Directory
                .GetFiles(sdpCaptures, "*.sdp")
                .Order(StringComparer.Ordinal)
                .Select(f => (Path.GetFileNameWithoutExtension(f), File.ReadAllBytes(f))),
            ["h264"] = H264(),
            ["rooms-json"] = RoomsJson(),
            ["ps-json"] = PsJson(),
            ["hls-request"] = HlsRequests(),
        };
        foreach (Harness harness in Harness.All)
        {
            string dir = Path.Combine(root, harness.Name);
            Directory.CreateDirectory(dir);
            foreach (string old in Directory.GetFiles(dir))
                File.Delete(old);
            int count = 0;
            foreach ((string name, byte[] bytes) in corpus[harness.Name])
            {
                File.WriteAllBytes(Path.Combine(dir, name), bytes);
                count++;
            }
            Console.WriteLine($"{harness.Name}: {count} seeds in {dir}");
        }
        return 0;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MobZ.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException(
            "run --seed from inside the repository (MobZ.sln not found above the current folder)"
        );
    }

    private static IEnumerable<(string, byte[])> Rtp()
    {
        foreach (bool twoByte in new[] { false, true })
        {
            byte[] ext = new byte[64];
            var extensions = new RtpHeaderExtensionWriter(ext, twoByte);
            extensions.TryAdd(1, [1, 2, 3]);
            extensions.TryAdd(3, [0, 9]);
            extensions.TryAdd(5, [0x80]);
            var writer = new RtpPacketWriter
            {
                PayloadType = 96,
                SequenceNumber = 1,
                Timestamp = 2,
                Ssrc = 3,
                Csrcs = [7, 8],
                ExtensionProfile = extensions.Profile,
                ExtensionData = extensions.Written.ToArray(),
                Payload = new byte[40],
                PaddingSize = 5,
            };
            yield return (twoByte ? "two-byte-extensions" : "one-byte-extensions", Written(writer));
        }

        yield return (
            "opus-marker",
            Written(
                new RtpPacketWriter
                {
                    PayloadType = 111,
                    SequenceNumber = 65535,
                    Timestamp = 960,
                    Ssrc = 0x11223344,
                    Marker = true,
                    Payload = [0xFC, 0xFF, 0xFE],
                }
            )
        );
        // RTX (RFC 4588): the original sequence number leads the payload.
        yield return (
            "rtx",
            Written(
                new RtpPacketWriter
                {
                    PayloadType = 97,
                    SequenceNumber = 9,
                    Timestamp = 2,
                    Ssrc = 9,
                    Payload = [0, 1, 0x65, 0x88],
                }
            )
        );
    }

    private static byte[] Written(RtpPacketWriter writer)
    {
        byte[] packet = new byte[writer.GetSize()];
        writer.TryWrite(packet, out _);
        return packet;
    }

    private static IEnumerable<(string, byte[])> Rtcp()
    {
        static byte[] Write(Func<byte[], int> writer)
        {
            byte[] buffer = new byte[512];
            return buffer[..writer(buffer)];
        }

        var block = new ReportBlock(1, 2, -3, 4, 5, 6, 7);
        var packets = new List<(string, byte[])>
        {
            (
                "sr",
                Write(b =>
                {
                    new SenderReportWriter { Ssrc = 1, ReportBlocks = [block, block] }.TryWrite(b, out int n);
                    return n;
                })
            ),
            (
                "rr",
                Write(b =>
                {
                    new ReceiverReportWriter { Ssrc = 1, ReportBlocks = [block] }.TryWrite(b, out int n);
                    return n;
                })
            ),
            (
                "sdes",
                Write(b =>
                {
                    new SourceDescriptionWriter { Ssrc = 1, Cname = "cname-value"u8.ToArray() }.TryWrite(b, out int n);
                    return n;
                })
            ),
            // BYE (RFC 3550 §6.6) for SSRCs 1 and 2 with the reason "bye": we read past it in a compound packet.
            ("bye", Convert.FromHexString("82CB0003000000010000000203627965")),
            (
                "pli",
                Write(b =>
                {
                    new PictureLossIndication(1, 2).TryWrite(b, out int n);
                    return n;
                })
            ),
            (
                "fir",
                Write(b =>
                {
                    new FullIntraRequestWriter { SenderSsrc = 1, Entries = [new FirEntry(2, 3)] }.TryWrite(
                        b,
                        out int n
                    );
                    return n;
                })
            ),
            (
                "nack",
                Write(b =>
                {
                    new GenericNackWriter
                    {
                        SenderSsrc = 1,
                        MediaSsrc = 2,
                        LostSequenceNumbers = [1, 3, 30],
                    }.TryWrite(b, out int n);
                    return n;
                })
            ),
            (
                "remb",
                Write(b =>
                {
                    new ReceiverEstimatedMaxBitrateWriter
                    {
                        SenderSsrc = 1,
                        Bitrate = 1_000_000,
                        Ssrcs = [5],
                    }.TryWrite(b, out int n);
                    return n;
                })
            ),
            (
                "transport-cc",
                Write(b =>
                {
                    TransportCcArrival[] arrivals = [new(1, 0), new(2, 100_000), new(9, 90_000), new(10, 91_000)];
                    new TransportCcFeedbackWriter
                    {
                        SenderSsrc = 1,
                        MediaSsrc = 2,
                        Arrivals = arrivals,
                    }.TryWrite(b, out int n);
                    return n;
                })
            ),
        };
        foreach (var packet in packets)
            yield return packet;
        // What a browser sends every second: a receiver report with its SDES, then feedback.
        yield return (
            "compound-rr-sdes-nack-remb",
            [.. packets[1].Item2, .. packets[2].Item2, .. packets[6].Item2, .. packets[7].Item2]
        );
    }

    private static IEnumerable<(string, byte[])> Stun()
    {
        yield return ("binding-controlling-use-candidate", Binding(controlling: true, useCandidate: true));
        yield return ("binding-controlled", Binding(controlling: false, useCandidate: false));
        // RFC 5769 §2.2: the IPv4 Binding success response test vector.
        yield return (
            "rfc5769-response",
            Convert.FromHexString(
                "0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220002000080001a147e112a643000800142b91f599fd9e90c38c7489f92af9ba53f06be7d780280004c07d4c96"
            )
        );
    }

    private static byte[] Binding(bool controlling, bool useCandidate)
    {
        byte[] buffer = new byte[512];
        byte[] transactionId = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, transactionId);
        writer.TryAddUsername(Encoding.ASCII.GetBytes(Harnesses.StunHarness.Ufrag + ":peer"));
        writer.TryAddPriority(1853824767);
        if (controlling)
            writer.TryAddIceControlling(0x1122334455667788);
        else
            writer.TryAddIceControlled(0x1122334455667788);
        if (useCandidate)
            writer.TryAddUseCandidate();
        writer.TryAddMessageIntegrity(Encoding.ASCII.GetBytes(Harnesses.StunHarness.Password));
        writer.TryAddFingerprint();
        return writer.Written.ToArray();
    }

    private static IEnumerable<(string, byte[])> DtlsRecords()
    {
        byte[] clientHello = CaptureClientHello();
        yield return ("client-hello", clientHello);
        // The client's second flight shape: ChangeCipherSpec (epoch 0) then an encrypted Finished (epoch 1), one
        // datagram.
        byte[] changeCipherSpec = [20, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 5, 0, 1, 1];
        byte[] finished =
        [
            22,
            0xFE,
            0xFD,
            0,
            1,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            40,
            .. Enumerable.Range(0, 40).Select(i => (byte)(i * 37)),
        ];
        yield return ("ccs-finished", [.. changeCipherSpec, .. finished]);
        yield return (
            "alert-epoch1",
            [21, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 1, 0, 26, .. Enumerable.Range(0, 26).Select(i => (byte)(i * 11))]
        );
    }

    /// <summary>The first datagram our DTLS client (<see cref="DtlsClientSession"/>, BouncyCastle's DTLS 1.2 client
    /// as the client peer runs it) sends offering use_srtp: a real ClientHello record.</summary>
    private static byte[] CaptureClientHello()
    {
        var capture = new FirstDatagram();
        using (var client = new DtlsClientSession(DtlsCertificate.Generate(), null, capture))
        {
            var handshake = client.HandshakeAsync();
            if (!capture.Sent.Wait(TimeSpan.FromSeconds(30)))
                throw new InvalidOperationException("the DTLS client sent nothing");
            client.Close();
            _ = handshake.ContinueWith(t => t.Exception, TaskScheduler.Default); // ends cancelled, on purpose
        }
        return capture.Captured!;
    }

    private sealed class FirstDatagram : IDtlsDatagramSender
    {
        public ManualResetEventSlim Sent { get; } = new();

        public byte[]? Captured { get; private set; }

        public void SendDtls(ReadOnlySpan<byte> datagram)
        {
            if (Captured is not null)
                return;
            Captured = datagram.ToArray();
            Sent.Set();
        }
    }

    private static readonly byte[] Sps = Convert.FromHexString("6742c00dd90141fb0110000003001000000303c0f142a480");
    private static readonly byte[] Pps = [0x68, 0xce, 0x3c, 0x80];

    /// <summary>H.264 streams as a browser packetizes them (RFC 6184 mode 1), RFC 4571-framed RTP packets in one
    /// input.</summary>
    private static IEnumerable<(string, byte[])> H264()
    {
        byte[] idr = [0x65, .. Enumerable.Range(0, 60).Select(i => (byte)(i * 13 + 1))];
        byte[] stapA = [0x78, 0, (byte)Sps.Length, .. Sps, 0, (byte)Pps.Length, .. Pps];
        var fuA = new List<byte[]>();
        for (int offset = 1; offset < idr.Length; offset += 25)
        {
            int length = Math.Min(25, idr.Length - offset);
            byte header = (byte)(idr[0] & 0x1F);
            if (offset == 1)
                header |= 0x80;
            if (offset + length >= idr.Length)
                header |= 0x40;
            fuA.Add([(byte)((idr[0] & 0xE0) | 28), header, .. idr.AsSpan(offset, length)]);
        }

        ushort seq = 100;
        byte[] Packet(byte[] payload, uint timestamp, bool marker) =>
            Written(
                new RtpPacketWriter
                {
                    PayloadType = 102,
                    SequenceNumber = seq++,
                    Timestamp = timestamp,
                    Ssrc = 0x5EED,
                    Marker = marker,
                    Payload = payload,
                }
            );

        var keyFrame = new List<byte[]> { Packet(stapA, 3000, false) };
        for (int i = 0; i < fuA.Count; i++)
            keyFrame.Add(Packet(fuA[i], 3000, i == fuA.Count - 1));
        yield return ("stap-a-then-fu-a-idr", Framed(keyFrame));
        yield return (
            "single-nal-frames",
            Framed([Packet([0x41, 0x9a, 0x22, 0x11], 6000, true), Packet([0x41, 0x9a, 0x33], 9000, true)])
        );
    }

    private static byte[] Framed(IEnumerable<byte[]> packets)
    {
        var stream = new List<byte>();
        foreach (byte[] packet in packets)
        {
            byte[] length = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)packet.Length);
            stream.AddRange(length);
            stream.AddRange(packet);
        }
        return [.. stream];
    }

    private static IEnumerable<(string, byte[])> RoomsJson()
    {
        var json = RoomsJsonContext.Default;
        yield return (
            "join",
            JsonSerializer.SerializeToUtf8Bytes(
                new JoinMessage
                {
                    Action = RoomActions.Join,
                    RequestId = "r1",
                    RoomId = "room-1",
                    RoomKind = "m2m",
                    Role = "publisher",
                    UserId = "alice",
                    Audio = true,
                    Video = true,
                },
                json.JoinMessage
            )
        );
        yield return (
            "offer",
            JsonSerializer.SerializeToUtf8Bytes(
                new MediaSignalMessage
                {
                    Action = RoomActions.Offer,
                    RequestId = "r2",
                    Sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n",
                    StationId = "s1",
                },
                json.MediaSignalMessage
            )
        );
        yield return (
            "ice-candidate",
            JsonSerializer.SerializeToUtf8Bytes(
                new MediaSignalMessage
                {
                    Action = RoomActions.IceCandidate,
                    Candidate = "candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host",
                    SdpMid = "0",
                    SdpMLineIndex = 0,
                    To = "peer-2",
                },
                json.MediaSignalMessage
            )
        );
        yield return (
            "update-video",
            JsonSerializer.SerializeToUtf8Bytes(
                new UpdateVideoMessage
                {
                    Action = RoomActions.UpdateVideo,
                    Audio = false,
                    Video = true,
                },
                json.UpdateVideoMessage
            )
        );
        yield return (
            "simulcast-update",
            JsonSerializer.SerializeToUtf8Bytes(
                new SimulcastUpdateMessage
                {
                    Action = RoomActions.SimulcastUpdate,
                    StationId = "s1",
                    Layer = "h",
                },
                json.SimulcastUpdateMessage
            )
        );
        yield return (
            "publish-accept",
            JsonSerializer.SerializeToUtf8Bytes(
                new PublishDecisionMessage
                {
                    Action = RoomActions.PublishAccept,
                    ParticipantId = "p2",
                    Reason = "welcome",
                },
                json.PublishDecisionMessage
            )
        );
        yield return (
            "watch",
            JsonSerializer.SerializeToUtf8Bytes(
                new WatchMessage
                {
                    Action = RoomActions.Watch,
                    StationId = "s1",
                    PublisherId = "p1",
                },
                json.WatchMessage
            )
        );
        yield return (
            "heartbeat",
            JsonSerializer.SerializeToUtf8Bytes(
                new HeartbeatMessage { Action = RoomActions.Heartbeat },
                json.HeartbeatMessage
            )
        );
    }

    /// <summary>Messages of Epic's Pixel Streaming protocol (UE 5.5 frontend and plugin) as they reach the
    /// handler.</summary>
    private static IEnumerable<(string, byte[])> PsJson()
    {
        string[] messages =
        [
            """{"type":"endpointId","id":"DefaultStreamer","protocolVersion":"1.0.0"}""",
            """{"type":"listStreamers"}""",
            """{"type":"subscribe","streamerId":"DefaultStreamer"}""",
            """{"type":"offer","playerId":"player-1","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n","multiplex":true}""",
            """{"type":"answer","sdp":"v=0\r\no=- 3 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n","minBitrate":100000,"maxBitrate":100000000}""",
            """{"type":"iceCandidate","candidate":{"candidate":"candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"abcd"}}""",
            """{"type":"ping","time":1731369600123}""",
            """{"type":"disconnectPlayer","playerId":"player-1","reason":"idle"}""",
            """{"type":"layerPreference","spatialLayer":1,"temporalLayer":0,"playerId":"player-1"}""",
        ];
        string[] names =
        [
            "endpoint-id",
            "list-streamers",
            "subscribe",
            "offer",
            "answer",
            "ice-candidate",
            "ping",
            "disconnect-player",
            "layer-preference",
        ];
        return names.Zip(messages, (name, message) => (name, Encoding.UTF8.GetBytes(message)));
    }

    private static IEnumerable<(string, byte[])> HlsRequests()
    {
        (string, string)[] targets =
        [
            ("multivariant", "/hls/cam-1/index.m3u8"),
            ("media-plain", "/hls/cam-1/media.m3u8"),
            ("media-blocking-part", "/hls/cam-1/media.m3u8?_HLS_msn=7&_HLS_part=2"),
            ("media-blocking-skip", "/hls/cam-1/media.m3u8?_HLS_msn=8&_HLS_skip=YES"),
            ("media-skip-v2", "/hls/cam-1/media.m3u8?_HLS_msn=6&_HLS_part=9&_HLS_skip=v2"),
            ("init", "/hls/cam-1/abcdef012345/init.mp4"),
            ("segment", "/hls/cam-1/abcdef012345/6.m4s"),
            ("part", "/hls/cam-1/abcdef012345/7.3.m4s"),
            ("escaped", "/hls/cam%2D1/media.m3u8?_HLS_msn=%37&_HLS_part=0"),
        ];
        return targets.Select(t => (t.Item1, Encoding.UTF8.GetBytes(t.Item2)));
    }
}
