using System.Security.Cryptography;
using MobZ.Rtc.Srtp;

namespace MobZ.Rtc.Dtls.Handshake;

/// <summary>
/// Our second flight (RFC 5246 §7.3): ServerHello, Certificate, ServerKeyExchange (ECDHE P-256 signed
/// with our ECDSA key), CertificateRequest (browsers must authenticate: the fingerprint pins their
/// certificate, RFC 5763 §5) and ServerHelloDone, as whole messages with sequence numbers 0..4.
/// </summary>
internal static class ServerFlightBuilder
{
    /// <summary>Room for everything but the certificate and the signature.</summary>
    private const int FixedPart = 512;

    public static byte[] Build(
        DtlsCertificate certificate,
        ReadOnlySpan<byte> clientRandom,
        ReadOnlySpan<byte> serverRandom,
        ReadOnlySpan<byte> publicPoint,
        SrtpProfile profile,
        bool extendedMasterSecret,
        bool renegotiationInfo,
        bool pointFormats
    )
    {
        var buffer = new byte[FixedPart + certificate.Der.Length + 2 * 80];
        var writer = new HandshakeWriter(buffer);
        ushort sequence = 0;

        writer.BeginMessage(HandshakeType.ServerHello, sequence++);
        writer.WriteUInt16(DtlsRecords.Version12);
        writer.Write(serverRandom);
        writer.WriteByte(0); // no session id: we never resume
        writer.WriteUInt16(TlsConstants.SuiteEcdheEcdsaAes128GcmSha256);
        writer.WriteByte(0); // null compression
        int extensionsAt = writer.Position;
        writer.WriteUInt16(0);
        if (renegotiationInfo)
        {
            writer.WriteUInt16(TlsConstants.ExtensionRenegotiationInfo);
            writer.WriteUInt16(1);
            writer.WriteByte(0); // empty renegotiated_connection: initial handshake (RFC 5746 §3.6)
        }
        if (extendedMasterSecret)
        {
            writer.WriteUInt16(TlsConstants.ExtensionExtendedMasterSecret);
            writer.WriteUInt16(0);
        }
        if (pointFormats)
        {
            writer.WriteUInt16(TlsConstants.ExtensionEcPointFormats);
            writer.WriteUInt16(2);
            writer.WriteByte(1);
            writer.WriteByte(0); // uncompressed
        }
        writer.WriteUInt16(TlsConstants.ExtensionUseSrtp);
        writer.WriteUInt16(5);
        writer.WriteUInt16(2);
        writer.WriteUInt16((ushort)profile);
        writer.WriteByte(0); // no MKI
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(
            buffer.AsSpan(extensionsAt),
            (ushort)(writer.Position - extensionsAt - 2)
        );
        writer.EndMessage();

        writer.BeginMessage(HandshakeType.Certificate, sequence++);
        writer.WriteUInt24(3 + certificate.Der.Length);
        writer.WriteUInt24(certificate.Der.Length);
        writer.Write(certificate.Der);
        writer.EndMessage();

        writer.BeginMessage(HandshakeType.ServerKeyExchange, sequence++);
        int paramsAt = writer.Position;
        writer.WriteByte(3); // named_curve
        writer.WriteUInt16(TlsConstants.GroupSecp256r1);
        writer.WriteByte((byte)publicPoint.Length);
        writer.Write(publicPoint);
        // RFC 4492 §5.4: the signature covers client_random + server_random + ServerECDHParams.
        Span<byte> signed = stackalloc byte[2 * ClientHello.RandomLength + writer.Position - paramsAt];
        clientRandom.CopyTo(signed);
        serverRandom.CopyTo(signed[ClientHello.RandomLength..]);
        buffer.AsSpan(paramsAt, writer.Position - paramsAt).CopyTo(signed[(2 * ClientHello.RandomLength)..]);
        byte[] signature = certificate.Sign(signed);
        writer.WriteUInt16(TlsConstants.EcdsaSha256);
        writer.WriteUInt16((ushort)signature.Length);
        writer.Write(signature);
        writer.EndMessage();

        writer.BeginMessage(HandshakeType.CertificateRequest, sequence++);
        writer.WriteByte(2);
        writer.WriteByte(TlsConstants.CertificateTypeEcdsaSign);
        writer.WriteByte(TlsConstants.CertificateTypeRsaSign);
        // SHA-256 only: the CertificateVerify is then checked against the one running transcript hash.
        writer.WriteUInt16(4);
        writer.WriteUInt16(TlsConstants.EcdsaSha256);
        writer.WriteUInt16(TlsConstants.RsaPkcs1Sha256);
        writer.WriteUInt16(0); // no certificate authorities: the certificate is self-signed and pinned
        writer.EndMessage();

        writer.BeginMessage(HandshakeType.ServerHelloDone, sequence);
        writer.EndMessage();
        return writer.Written.ToArray();
    }

    /// <summary>The number of messages <see cref="Build"/> writes; our Finished follows with this sequence
    /// number.</summary>
    public const ushort MessageCount = 5;

    public static byte[] NewRandom() => RandomNumberGenerator.GetBytes(ClientHello.RandomLength);
}
