using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MobZ.Aws.Credentials;

namespace MobZ.Aws.Signing;

/// <summary>
/// AWS Signature Version 4 (header form, AWS4-HMAC-SHA256). <see cref="Sign"/> is the pure algorithm, checked
/// against AWS's published test suite; <see cref="SignAsync"/> applies it to an outgoing HttpRequestMessage.
/// </summary>
public static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <param name="request">Must already carry every header to sign, including host and x-amz-date.</param>
    public static SigV4Signature Sign(
        SigV4Request request,
        AwsCredentials credentials,
        string region,
        string service,
        DateTimeOffset time,
        bool normalizePath = true
    )
    {
        var utc = time.ToUniversalTime();
        var amzDate = utc.ToString(AmzDateFormat, CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var (canonicalHeaders, signedHeaders) = SigV4Canonical.Headers(request.Headers);

        var canonicalRequest = string.Join(
            '\n',
            request.Method.ToUpperInvariant(),
            SigV4Canonical.Uri(request.RawPath, normalizePath),
            SigV4Canonical.Query(request.RawQuery),
            canonicalHeaders,
            signedHeaders,
            request.PayloadHash
        );

        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = string.Join(
            '\n',
            Algorithm,
            amzDate,
            scope,
            HexSha256(Encoding.UTF8.GetBytes(canonicalRequest))
        );

        var key = SigningKey(credentials.SecretAccessKey, date, region, service);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        var authorization =
            $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        return new SigV4Signature(canonicalRequest, stringToSign, signedHeaders, scope, signature, authorization);
    }

    /// <summary>kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").</summary>
    public static byte[] SigningKey(string secretAccessKey, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    public static string HexSha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>
    /// Adds X-Amz-Date, X-Amz-Security-Token (signed, as the AWS SDKs do) and Authorization to
    /// <paramref name="message"/>. Signs host, content-type and every x-amz-* header present.
    /// The content is buffered to hash it.
    /// </summary>
    public static async Task<SigV4Signature> SignAsync(
        HttpRequestMessage message,
        AwsCredentials credentials,
        string region,
        string service,
        DateTimeOffset now,
        CancellationToken cancellationToken = default
    )
    {
        var uri = message.RequestUri ?? throw new ArgumentException("RequestUri is required.", nameof(message));
        var body = message.Content is null
            ? []
            : await message.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var payloadHash = body.Length == 0 ? EmptyPayloadHash : HexSha256(body);

        message.Headers.Remove("X-Amz-Date");
        message.Headers.Remove("X-Amz-Security-Token");
        message.Headers.Remove("Authorization");
        message.Headers.TryAddWithoutValidation(
            "X-Amz-Date",
            now.ToUniversalTime().ToString(AmzDateFormat, CultureInfo.InvariantCulture)
        );
        if (credentials.SessionToken is not null)
            message.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.SessionToken);

        var headers = new List<KeyValuePair<string, string>> { new("host", message.Headers.Host ?? HostHeader(uri)) };
        foreach (var (name, values) in message.Headers)
        {
            if (name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
                headers.Add(new(name, string.Join(',', values)));
        }
        if (message.Content?.Headers.ContentType is { } contentType)
            headers.Add(new("content-type", contentType.ToString()));

        var signature = Sign(
            new SigV4Request(message.Method.Method, uri.AbsolutePath, uri.Query, headers, payloadHash),
            credentials,
            region,
            service,
            now
        );
        message.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        return signature;
    }

    /// <summary>The Host header HttpClient will send: the authority without a default port.</summary>
    public static string HostHeader(Uri uri) => uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}";
}
