namespace MobZ.Rtc.Dtls.Handshake;

/// <summary>Code points from the IANA TLS registries that the server handshake uses.</summary>
internal static class TlsConstants
{
    /// <summary>TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (RFC 5289): offered by Chromium, Firefox, aiortc/OpenSSL and
    /// BouncyCastle.</summary>
    public const ushort SuiteEcdheEcdsaAes128GcmSha256 = 0xC02B;

    /// <summary>TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3).</summary>
    public const ushort EmptyRenegotiationInfoScsv = 0x00FF;

    public const ushort ExtensionEcPointFormats = 11;
    public const ushort ExtensionUseSrtp = 14;
    public const ushort ExtensionExtendedMasterSecret = 23;
    public const ushort ExtensionRenegotiationInfo = 0xFF01;

    /// <summary>secp256r1 (RFC 8422 §5.1.1); the only group we offer.</summary>
    public const ushort GroupSecp256r1 = 23;

    /// <summary>SignatureAndHashAlgorithm (RFC 5246 §7.4.1.4.1): hash byte then signature byte.</summary>
    public const ushort EcdsaSha256 = 0x0403;
    public const ushort RsaPkcs1Sha256 = 0x0401;

    public const byte CertificateTypeRsaSign = 1;
    public const byte CertificateTypeEcdsaSign = 64;

    public const int VerifyDataLength = 12;
    public const int MasterSecretLength = 48;
}

/// <summary>Alert descriptions we send or name in reasons (RFC 5246 §7.2).</summary>
internal static class TlsAlert
{
    public const byte Warning = 1;
    public const byte Fatal = 2;

    public const byte CloseNotify = 0;
    public const byte UnexpectedMessage = 10;
    public const byte HandshakeFailure = 40;
    public const byte BadCertificate = 42;
    public const byte IllegalParameter = 47;
    public const byte DecodeError = 50;
    public const byte DecryptError = 51;
    public const byte ProtocolVersion = 70;
    public const byte InternalError = 80;

    public static string Name(byte description) =>
        description switch
        {
            CloseNotify => "close_notify",
            UnexpectedMessage => "unexpected_message",
            HandshakeFailure => "handshake_failure",
            BadCertificate => "bad_certificate",
            IllegalParameter => "illegal_parameter",
            DecodeError => "decode_error",
            DecryptError => "decrypt_error",
            ProtocolVersion => "protocol_version",
            InternalError => "internal_error",
            _ => $"alert({description})",
        };
}
