namespace MobZ.Rtc.Srtp;

/// <summary>A master key and master salt for one direction, as exported by DTLS-SRTP.</summary>
public sealed class SrtpKeys
{
    public SrtpKeys(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        if (!SrtpProfiles.IsSupported(profile))
            throw new ArgumentOutOfRangeException(nameof(profile), profile, "unsupported SRTP profile");
        if (masterKey.Length != SrtpProfiles.KeyLength(profile))
        {
            throw new ArgumentException(
                $"master key must be {SrtpProfiles.KeyLength(profile)} bytes",
                nameof(masterKey)
            );
        }

        if (masterSalt.Length != SrtpProfiles.SaltLength(profile))
        {
            throw new ArgumentException(
                $"master salt must be {SrtpProfiles.SaltLength(profile)} bytes",
                nameof(masterSalt)
            );
        }

        Profile = profile;
        MasterKey = masterKey.ToArray();
        MasterSalt = masterSalt.ToArray();
    }

    public SrtpProfile Profile { get; }
    public byte[] MasterKey { get; }
    public byte[] MasterSalt { get; }

    /// <summary>
    /// Splits DTLS exporter output (RFC 5764 §4.2): client key, server key, client salt, server salt.
    /// The client's pair protects what the DTLS client sends.
    /// </summary>
    public static (SrtpKeys Client, SrtpKeys Server) FromKeyingMaterial(
        SrtpProfile profile,
        ReadOnlySpan<byte> material
    )
    {
        int keyLength = SrtpProfiles.KeyLength(profile);
        int saltLength = SrtpProfiles.SaltLength(profile);
        if (material.Length != 2 * (keyLength + saltLength))
        {
            throw new ArgumentException(
                $"keying material must be {2 * (keyLength + saltLength)} bytes",
                nameof(material)
            );
        }

        var clientKey = material[..keyLength];
        var serverKey = material.Slice(keyLength, keyLength);
        var clientSalt = material.Slice(2 * keyLength, saltLength);
        var serverSalt = material.Slice(2 * keyLength + saltLength, saltLength);
        return (new SrtpKeys(profile, clientKey, clientSalt), new SrtpKeys(profile, serverKey, serverSalt));
    }

    public static int KeyingMaterialLength(SrtpProfile profile) =>
        2 * (SrtpProfiles.KeyLength(profile) + SrtpProfiles.SaltLength(profile));
}
