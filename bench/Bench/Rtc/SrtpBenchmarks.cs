using System.Buffers.Binary;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using MobZ.Rtc.Srtp;

namespace MobZ.Bench.Rtc;

/// <summary>
/// SRTP per packet on a 1200-byte payload, both profiles, next to the floor: the bare .NET crypto
/// calls on the same bytes. Protect must allocate nothing; the round trip (protect, then unprotect
/// by the receiving context) stands in for unprotect, which cannot repeat a packet without tripping
/// replay protection — unprotect ≈ round trip − protect.
/// </summary>
[MemoryDiagnoser]
public class SrtpBenchmarks
{
    private const int Payload = 1200;
    private const int PacketLength = 12 + Payload;

    private readonly byte[] _buffer = new byte[PacketLength + SrtpProfiles.MaxTrailerLength];
    private SrtpContext _cmSender = null!;
    private SrtpContext _cmReceiver = null!;
    private SrtpContext _gcmSender = null!;
    private SrtpContext _gcmReceiver = null!;
    private ushort _sequence;

    private ICryptoTransform _ecb = null!;
    private Aes _aes = null!;
    private readonly byte[] _counters = new byte[(Payload + 15) / 16 * 16];
    private readonly byte[] _keystream = new byte[(Payload + 15) / 16 * 16];
    private IncrementalHash _hmac = null!;
    private AesGcm _gcm = null!;
    private readonly byte[] _tag = new byte[20];

    [GlobalSetup]
    public void Setup()
    {
        var key = RandomNumberGenerator.GetBytes(16);
        var salt = RandomNumberGenerator.GetBytes(14);
        _cmSender = new SrtpContext(new SrtpKeys(SrtpProfile.Aes128CmHmacSha1_80, key, salt));
        _cmReceiver = new SrtpContext(new SrtpKeys(SrtpProfile.Aes128CmHmacSha1_80, key, salt));
        var gcmKey = RandomNumberGenerator.GetBytes(16);
        var gcmSalt = RandomNumberGenerator.GetBytes(12);
        _gcmSender = new SrtpContext(new SrtpKeys(SrtpProfile.AeadAes128Gcm, gcmKey, gcmSalt));
        _gcmReceiver = new SrtpContext(new SrtpKeys(SrtpProfile.AeadAes128Gcm, gcmKey, gcmSalt));

        _aes = Aes.Create();
        _aes.Key = key;
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        _ecb = _aes.CreateEncryptor();
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, RandomNumberGenerator.GetBytes(20));
        _gcm = new AesGcm(gcmKey, 16);
        WriteHeader(0);
    }

    [Benchmark(Description = "AES_CM_128_HMAC_SHA1_80 protect")]
    public int ProtectAesCm()
    {
        WriteHeader(++_sequence);
        _cmSender.ProtectRtp(_buffer, PacketLength, out int length);
        return length;
    }

    [Benchmark(Description = "AES_CM_128_HMAC_SHA1_80 protect + unprotect")]
    public int RoundTripAesCm()
    {
        WriteHeader(++_sequence);
        _cmSender.ProtectRtp(_buffer, PacketLength, out int length);
        _cmReceiver.UnprotectRtp(_buffer.AsSpan(0, length), out int plain);
        return plain;
    }

    [Benchmark(Description = "AEAD_AES_128_GCM protect")]
    public int ProtectGcm()
    {
        WriteHeader(++_sequence);
        _gcmSender.ProtectRtp(_buffer, PacketLength, out int length);
        return length;
    }

    [Benchmark(Description = "AEAD_AES_128_GCM protect + unprotect")]
    public int RoundTripGcm()
    {
        WriteHeader(++_sequence);
        _gcmSender.ProtectRtp(_buffer, PacketLength, out int length);
        _gcmReceiver.UnprotectRtp(_buffer.AsSpan(0, length), out int plain);
        return plain;
    }

    [Benchmark(Description = "floor: AES-ECB over 75 counter blocks + XOR")]
    public int FloorAesCtr()
    {
        _ecb.TransformBlock(_counters, 0, _counters.Length, _keystream, 0);
        var data = _buffer.AsSpan(12, Payload);
        for (int i = 0; i + 8 <= Payload; i += 8)
        {
            var span = data.Slice(i, 8);
            BinaryPrimitives.WriteUInt64LittleEndian(
                span,
                BinaryPrimitives.ReadUInt64LittleEndian(span)
                    ^ BinaryPrimitives.ReadUInt64LittleEndian(_keystream.AsSpan(i))
            );
        }
        return _keystream[0];
    }

    [Benchmark(Description = "floor: HMAC-SHA1 over header+payload+ROC")]
    public int FloorHmacSha1()
    {
        _hmac.AppendData(_buffer.AsSpan(0, PacketLength + 4));
        _hmac.TryGetHashAndReset(_tag, out int written);
        return written;
    }

    [Benchmark(Description = "floor: AesGcm.Encrypt payload, header as AAD")]
    public int FloorAesGcm()
    {
        Span<byte> nonce = stackalloc byte[12];
        nonce[11] = (byte)++_sequence;
        var payload = _buffer.AsSpan(12, Payload);
        _gcm.Encrypt(nonce, payload, payload, _tag.AsSpan(0, 16), _buffer.AsSpan(0, 12));
        return _tag[0];
    }

    private void WriteHeader(ushort sequence)
    {
        _buffer[0] = 0x80;
        _buffer[1] = 96;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(4), sequence * 3000u);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(8), 0x11223344);
    }
}
