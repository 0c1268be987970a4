using System.Text.Json.Serialization;

namespace MobZ.Aws.Lambda;

/// <summary>One event handed out by GET /runtime/invocation/next, with the headers the Runtime API sends
/// along.</summary>
public sealed record LambdaInvocation(
    string RequestId,
    DateTimeOffset Deadline,
    string? InvokedFunctionArn,
    string? TraceId,
    ReadOnlyMemory<byte> Event
);

/// <summary>The error document the Runtime API expects on /invocation/{id}/error and /init/error.</summary>
public sealed record LambdaErrorBody(
    [property: JsonPropertyName("errorMessage")] string ErrorMessage,
    [property: JsonPropertyName("errorType")] string ErrorType,
    [property: JsonPropertyName("stackTrace")] IReadOnlyList<string>? StackTrace = null
)
{
    public static LambdaErrorBody From(Exception exception) =>
        new(
            exception.Message,
            exception.GetType().Name,
            exception.StackTrace?.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        );
}

/// <summary>A failure whose errorType the caller chooses (e.g. "Runtime.NoSuchHandler",
/// "Function.TimeoutError").</summary>
public sealed class LambdaFunctionException(string errorType, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public string ErrorType { get; } = errorType;
}

[JsonSerializable(typeof(LambdaErrorBody))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class LambdaJsonContext : JsonSerializerContext;
