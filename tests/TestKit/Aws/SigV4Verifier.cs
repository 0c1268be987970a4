using System.Globalization;
using Microsoft.AspNetCore.Http;
using MobZ.Aws.Credentials;
using MobZ.Aws.Signing;

namespace MobZ.TestKit.Aws;

/// <summary>
/// What an AWS front end checks before anything else, for the test doubles: a well-formed SigV4 Authorization
/// for the expected key, region and service; host and x-amz-date signed; the session token present and signed
/// when the caller has one; X-Amz-Date within five minutes and matching the scope date; and the signature,
/// recomputed from the raw request line, the signed headers as received and the body.
/// </summary>
public static class SigV4Verifier
{
    /// <returns>null when the request would be accepted, else why not.</returns>
    public static string? Verify(
        HttpRequest request,
        string rawTarget,
        byte[] body,
        AwsCredentials expected,
        string region,
        string service
    )
    {
        if (!SigV4Authorization.TryParse(request.Headers.Authorization, out var auth))
            return "missing or malformed Authorization";
        if (auth!.Service != service || auth.Region != region || auth.AccessKeyId != expected.AccessKeyId)
            return "wrong credential scope";
        if (!auth.SignedHeaders.Contains("host") || !auth.SignedHeaders.Contains("x-amz-date"))
            return "host and x-amz-date must be signed";
        if (
            expected.SessionToken is { } token
            && (
                request.Headers["X-Amz-Security-Token"] != token || !auth.SignedHeaders.Contains("x-amz-security-token")
            )
        )
        {
            return "session token missing or unsigned";
        }

        if (
            !DateTimeOffset.TryParseExact(
                request.Headers["X-Amz-Date"],
                SigV4Signer.AmzDateFormat,
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal,
                out var date
            )
            || Math.Abs((DateTimeOffset.UtcNow - date).TotalMinutes) > 5
        )
        {
            return "X-Amz-Date missing or skewed";
        }

        if (auth.Date != date.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture))
            return "scope date differs from X-Amz-Date";

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var name in auth.SignedHeaders)
        {
            var values = request.Headers[name];
            if (values.Count == 0)
                return $"signed header {name} absent";
            headers.AddRange(values.Select(v => new KeyValuePair<string, string>(name, v!)));
        }
        var q = rawTarget.IndexOf('?');
        var recomputed = SigV4Signer.Sign(
            new SigV4Request(
                request.Method,
                q < 0 ? rawTarget : rawTarget[..q],
                q < 0 ? "" : rawTarget[q..],
                headers,
                SigV4Signer.HexSha256(body)
            ),
            expected,
            region,
            service,
            date
        );
        return recomputed.Signature == auth.Signature ? null : "signature does not match";
    }
}
