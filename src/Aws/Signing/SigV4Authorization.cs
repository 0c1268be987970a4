namespace MobZ.Aws.Signing;

/// <summary>The parts of an "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." header.</summary>
public sealed record SigV4Authorization(
    string AccessKeyId,
    string Date,
    string Region,
    string Service,
    IReadOnlyList<string> SignedHeaders,
    string Signature
)
{
    public static bool TryParse(string? header, out SigV4Authorization? authorization)
    {
        authorization = null;
        if (header is null || !header.StartsWith(SigV4Signer.Algorithm + " ", StringComparison.Ordinal))
            return false;
        string? credential = null,
            signedHeaders = null,
            signature = null;
        foreach (
            var part in header[(SigV4Signer.Algorithm.Length + 1)..]
                .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        )
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
                return false;
            var value = part[(eq + 1)..];
            switch (part[..eq])
            {
                case "Credential":
                    credential = value;
                    break;
                case "SignedHeaders":
                    signedHeaders = value;
                    break;
                case "Signature":
                    signature = value;
                    break;
            }
        }
        var scope = credential?.Split('/');
        if (scope is not { Length: 5 } || scope[4] != "aws4_request" || signedHeaders is null || signature is null)
            return false;
        authorization = new SigV4Authorization(
            scope[0],
            scope[1],
            scope[2],
            scope[3],
            signedHeaders.Split(';'),
            signature
        );
        return true;
    }
}
