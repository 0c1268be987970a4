namespace MobZ.Aws.Signing;

/// <summary>
/// What SigV4 signs: the method, the path and query exactly as they go on the wire (still percent-encoded),
/// the headers to sign (every one given here is signed; repeated names are allowed) and the payload's
/// SHA-256 in lowercase hex.
/// </summary>
public sealed record SigV4Request(
    string Method,
    string RawPath,
    string RawQuery,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string PayloadHash
);

/// <summary>Everything the signer produced, each stage separately so tests and servers can compare them.</summary>
public sealed record SigV4Signature(
    string CanonicalRequest,
    string StringToSign,
    string SignedHeaders,
    string CredentialScope,
    string Signature,
    string Authorization
);
