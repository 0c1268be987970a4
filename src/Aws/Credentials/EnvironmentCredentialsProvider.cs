namespace MobZ.Aws.Credentials;

/// <summary>
/// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, as Lambda sets them for the function's role.
/// Read on every call: Lambda never rotates them inside one execution environment, but tests and
/// long-lived shells may change them.
/// </summary>
public sealed class EnvironmentCredentialsProvider(Func<string, string?>? getVariable = null) : IAwsCredentialsProvider
{
    private readonly Func<string, string?> _getVariable = getVariable ?? Environment.GetEnvironmentVariable;

    public bool IsAvailable =>
        !string.IsNullOrEmpty(_getVariable("AWS_ACCESS_KEY_ID"))
        && !string.IsNullOrEmpty(_getVariable("AWS_SECRET_ACCESS_KEY"));

    public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken = default)
    {
        var keyId = _getVariable("AWS_ACCESS_KEY_ID");
        var secret = _getVariable("AWS_SECRET_ACCESS_KEY");
        if (string.IsNullOrEmpty(keyId) || string.IsNullOrEmpty(secret))
            throw new AwsCredentialsException("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set.");
        var token = _getVariable("AWS_SESSION_TOKEN");
        return ValueTask.FromResult(new AwsCredentials(keyId, secret, string.IsNullOrEmpty(token) ? null : token));
    }
}
