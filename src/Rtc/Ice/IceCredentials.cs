using System.Security.Cryptography;
using System.Text;

namespace MobZ.Rtc.Ice;

/// <summary>
/// An ICE username fragment and password (RFC 8445 §5.3, grammar RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/";
/// ufrag 4-256 chars, pwd 22-256 chars). Generated values carry at least 24 bits (ufrag) and 128 bits (pwd) of
/// randomness.
/// </summary>
public sealed class IceCredentials
{
    public const int UfragLength = 8;
    public const int PasswordLength = 24;

    private const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public IceCredentials(string ufrag, string password)
    {
        if (!IsValid(ufrag, 4) || !IsValid(password, 22))
        {
            throw new ArgumentException("ICE ufrag needs 4-256 and pwd 22-256 ice-chars (ALPHA / DIGIT / '+' / '/').");
        }

        Ufrag = ufrag;
        Password = password;
        UfragBytes = Encoding.ASCII.GetBytes(ufrag);
        PasswordBytes = Encoding.ASCII.GetBytes(password);
    }

    public string Ufrag { get; }
    public string Password { get; }

    /// <summary>ASCII bytes of the ufrag, for comparing against STUN USERNAME without allocating.</summary>
    public ReadOnlyMemory<byte> UfragBytes { get; }

    /// <summary>ASCII bytes of the password: the MESSAGE-INTEGRITY key for checks sent to this agent.</summary>
    public ReadOnlyMemory<byte> PasswordBytes { get; }

    public static IceCredentials Generate() => new(RandomString(UfragLength), RandomString(PasswordLength));

    public static bool IsValid(string value, int minimumLength)
    {
        if (value.Length < minimumLength || value.Length > 256)
        {
            return false;
        }

        foreach (char c in value)
        {
            if (!IsIceChar(c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsIceChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/';

    private static string RandomString(int length) => new(RandomNumberGenerator.GetItems<char>(IceChars, length));
}
