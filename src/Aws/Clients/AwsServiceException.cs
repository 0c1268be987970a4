namespace MobZ.Aws.Clients;

/// <summary>An AWS API answered with an error: its code ("ClientException", "InvalidNetworkInterfaceID.NotFound"...),
/// message and HTTP status.</summary>
public sealed class AwsServiceException(string errorCode, string message, int statusCode, string? requestId = null)
    : Exception($"{errorCode}: {message}")
{
    public string ErrorCode { get; } = errorCode;
    public int StatusCode { get; } = statusCode;
    public string? RequestId { get; } = requestId;
}
