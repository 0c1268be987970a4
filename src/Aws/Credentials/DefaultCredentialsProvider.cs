using Microsoft.Extensions.Logging;

namespace MobZ.Aws.Credentials;

/// <summary>
/// The chain the AWS SDKs use, cut to what MobZ runs on: environment variables (Lambda) first, then the ECS
/// container credentials endpoint (Fargate tasks).
/// </summary>
public static class DefaultCredentialsProvider
{
    public static IAwsCredentialsProvider Create(
        HttpClient http,
        ILogger? logger = null,
        Func<string, string?>? getVariable = null
    )
    {
        var environment = new EnvironmentCredentialsProvider(getVariable);
        if (environment.IsAvailable)
            return environment;
        var endpoint = ContainerCredentialsProvider.EndpointFromEnvironment(getVariable);
        if (endpoint is not null)
        {
            return new ContainerCredentialsProvider(
                http,
                endpoint,
                ContainerCredentialsProvider.AuthorizationTokenFromEnvironment(getVariable),
                logger: logger
            );
        }

        throw new AwsCredentialsException(
            "No AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is set."
        );
    }

    /// <summary>AWS_REGION (set by Lambda and ECS), else AWS_DEFAULT_REGION.</summary>
    public static string? RegionFromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        var region = getVariable("AWS_REGION");
        return string.IsNullOrEmpty(region) ? NullIfEmpty(getVariable("AWS_DEFAULT_REGION")) : region;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
