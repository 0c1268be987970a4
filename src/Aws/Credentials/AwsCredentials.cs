namespace MobZ.Aws.Credentials;

/// <summary>An access key pair, the session token of temporary credentials, and when they stop working.</summary>
public sealed record AwsCredentials(
    string AccessKeyId,
    string SecretAccessKey,
    string? SessionToken = null,
    DateTimeOffset? Expiration = null
)
{
    public override string ToString() =>
        $"AwsCredentials({AccessKeyId}, expires {Expiration?.ToString("O") ?? "never"})";
}

/// <summary>Where signed requests get their credentials; implementations cache and refresh before expiry.</summary>
public interface IAwsCredentialsProvider
{
    ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken = default);
}

/// <summary>No usable credentials were found or the credentials endpoint failed.</summary>
public sealed class AwsCredentialsException(string message, Exception? inner = null) : Exception(message, inner);
