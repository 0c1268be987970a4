using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MobZ.Aws.Clients;

/// <summary>
/// The AWS JSON 1.1 protocol (ECS, CloudWatch Logs, ...): POST / with <c>X-Amz-Target: {targetPrefix}.{Operation}</c>
/// and <c>Content-Type: application/x-amz-json-1.1</c>, SigV4-signed. Errors come back as
/// <c>{"__type": "...#Code", "message": "..."}</c> and are thrown as <see cref="AwsServiceException"/>;
/// throttling codes and 5xx are retried.
/// </summary>
public sealed class AwsJsonClient(SignedRequestSender sender, Uri endpoint, string targetPrefix)
{
    public const string ContentType = "application/x-amz-json-1.1";

    /// <summary>ECS: target prefix of every ECS operation.</summary>
    public const string EcsTargetPrefix = "AmazonEC2ContainerServiceV20141113";

    public async Task<TResponse> SendAsync<TRequest, TResponse>(
        string operation,
        TRequest request,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType,
        CancellationToken cancellationToken = default
    )
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        using var response = await sender
            .SendAsync(
                () =>
                {
                    var message = new HttpRequestMessage(HttpMethod.Post, endpoint)
                    {
                        Content = new ByteArrayContent(body),
                    };
                    message.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
                    message.Headers.TryAddWithoutValidation("X-Amz-Target", $"{targetPrefix}.{operation}");
                    return message;
                },
                async r => IsThrottling((await ReadErrorAsync(r, cancellationToken).ConfigureAwait(false)).ErrorCode),
                cancellationToken
            )
            .ConfigureAwait(false);

        if (!response.IsSuccessStatusCode)
            throw await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await JsonSerializer.DeserializeAsync(stream, responseType, cancellationToken).ConfigureAwait(false)
            ?? throw new AwsServiceException(
                "EmptyResponse",
                $"{operation} returned no body.",
                (int)response.StatusCode
            );
    }

    private static bool IsThrottling(string code) =>
        code
            is "ThrottlingException"
                or "Throttling"
                or "TooManyRequestsException"
                or "RequestLimitExceeded"
                or "ServerException";

    internal static async Task<AwsServiceException> ReadErrorAsync(
        HttpResponseMessage response,
        CancellationToken cancellationToken
    )
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
        string? type = null,
            message = null;
        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (json.RootElement.TryGetProperty("__type", out var t) && t.ValueKind == JsonValueKind.String)
                    type = t.GetString();
                foreach (var name in new[] { "message", "Message" })
                {
                    if (json.RootElement.TryGetProperty(name, out var m) && m.ValueKind == JsonValueKind.String)
                        message = m.GetString();
                }
            }
        }
        catch (JsonException)
        {
            message = text.Length > 200 ? text[..200] : text;
        }
        type ??= response.Headers.TryGetValues("x-amzn-ErrorType", out var types) ? types.FirstOrDefault() : null;
        // "__type" may be namespaced ("com.amazonaws.ecs#ClientException") and the header may carry ":..." details.
        var code = type is null ? $"Http{(int)response.StatusCode}" : type[(type.LastIndexOf('#') + 1)..].Split(':')[0];
        return new AwsServiceException(code, message ?? "", (int)response.StatusCode, requestId);
    }
}
