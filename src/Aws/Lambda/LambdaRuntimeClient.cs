using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace MobZ.Aws.Lambda;

/// <summary>
/// The Lambda Runtime API (2018-06-01) at AWS_LAMBDA_RUNTIME_API: next invocation (a long poll), response,
/// error, and init error. The HttpClient must have an infinite timeout: "next" blocks until an event arrives.
/// </summary>
public sealed class LambdaRuntimeClient
{
    public const string RuntimeApiVariable = "AWS_LAMBDA_RUNTIME_API";
    public const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

    private readonly HttpClient _http;
    private readonly Uri _base;

    /// <param name="runtimeApi">host:port, as in AWS_LAMBDA_RUNTIME_API.</param>
    public LambdaRuntimeClient(HttpClient http, string runtimeApi)
    {
        _http = http;
        _base = new Uri($"http://{runtimeApi}/2018-06-01/runtime/");
    }

    public async Task<LambdaInvocation> NextInvocationAsync(CancellationToken cancellationToken)
    {
        using var response = await _http
            .GetAsync(new Uri(_base, "invocation/next"), HttpCompletionOption.ResponseContentRead, cancellationToken)
            .ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException(
                $"Runtime API /invocation/next answered {(int)response.StatusCode}.",
                null,
                response.StatusCode
            );
        }

        var requestId = Header(response, "Lambda-Runtime-Aws-Request-Id")
            ?? throw new HttpRequestException("Runtime API /invocation/next sent no Lambda-Runtime-Aws-Request-Id.");
        var deadline = long.TryParse(
            Header(response, "Lambda-Runtime-Deadline-Ms"),
            NumberStyles.None,
            CultureInfo.InvariantCulture,
            out var ms
        )
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.MaxValue;
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new LambdaInvocation(
            requestId,
            deadline,
            Header(response, "Lambda-Runtime-Invoked-Function-Arn"),
            Header(response, "Lambda-Runtime-Trace-Id"),
            body
        );
    }

    public Task PostResponseAsync(string requestId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var content = new ReadOnlyMemoryContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return PostAsync(
            $"invocation/{Uri.EscapeDataString(requestId)}/response",
            content,
            errorType: null,
            cancellationToken
        );
    }

    public Task PostInvocationErrorAsync(
        string requestId,
        LambdaErrorBody error,
        string errorTypeHeader,
        CancellationToken cancellationToken
    ) =>
        PostAsync(
            $"invocation/{Uri.EscapeDataString(requestId)}/error",
            ErrorContent(error),
            errorTypeHeader,
            cancellationToken
        );

    public Task PostInitErrorAsync(
        LambdaErrorBody error,
        string errorTypeHeader,
        CancellationToken cancellationToken
    ) => PostAsync("init/error", ErrorContent(error), errorTypeHeader, cancellationToken);

    private static ByteArrayContent ErrorContent(LambdaErrorBody error)
    {
        var content = new ByteArrayContent(
            JsonSerializer.SerializeToUtf8Bytes(error, LambdaJsonContext.Default.LambdaErrorBody)
        );
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private async Task PostAsync(
        string path,
        HttpContent content,
        string? errorType,
        CancellationToken cancellationToken
    )
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_base, path)) { Content = content };
        if (errorType is not null)
            request.Headers.TryAddWithoutValidation(ErrorTypeHeader, errorType);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpRequestException(
                $"Runtime API {path} answered {(int)response.StatusCode}: {body}",
                null,
                response.StatusCode
            );
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
