using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MobZ.Aws.Lambda;

/// <summary>
/// The custom-runtime loop of a provided.al2023 function: take the next invocation, expose its trace id as
/// _X_AMZN_TRACE_ID, run the handler with a token cancelled at the deadline, and post the response or the
/// error. One invocation at a time, as Lambda delivers them to one execution environment.
/// </summary>
public sealed class LambdaRuntimeLoop(
    LambdaRuntimeClient client,
    ILambdaInvocationHandler handler,
    TimeProvider? time = null,
    ILogger<LambdaRuntimeLoop>? logger = null
)
{
    public const string TraceIdVariable = "_X_AMZN_TRACE_ID";

    /// <summary>Error type reported when the handler ran into the deadline.</summary>
    public const string TimeoutErrorType = "Function.TimeoutError";
    public const string UnhandledErrorType = "Function.Unhandled";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>Cancel this much before the deadline so the error report still reaches the Runtime API in
    /// time.</summary>
    public TimeSpan DeadlineMargin { get; init; } = TimeSpan.FromMilliseconds(50);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            LambdaInvocation invocation;
            try
            {
                invocation = await client.NextInvocationAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            try
            {
                await InvokeOnceAsync(invocation, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public async Task InvokeOnceAsync(LambdaInvocation invocation, CancellationToken stoppingToken)
    {
        Environment.SetEnvironmentVariable(TraceIdVariable, invocation.TraceId);
        using var scope = _logger.BeginScope(
            new Dictionary<string, object> { ["AwsRequestId"] = invocation.RequestId }
        );
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var remaining = invocation.Deadline - _time.GetUtcNow() - DeadlineMargin;
        if (invocation.Deadline != DateTimeOffset.MaxValue)
            deadline.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);

        ReadOnlyMemory<byte> response;
        try
        {
            response = await handler.InvokeAsync(invocation, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex)
            when (deadline.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            _logger.LogError("Invocation ran into its deadline {Deadline:O}", invocation.Deadline);
            await ReportAsync(
                    invocation,
                    new LambdaErrorBody($"Task timed out at {invocation.Deadline:O}", TimeoutErrorType, Trace(ex)),
                    TimeoutErrorType
                )
                .ConfigureAwait(false);
            return;
        }
        catch (Exception ex)
        {
            var errorType = ex is LambdaFunctionException typed ? typed.ErrorType : UnhandledErrorType;
            _logger.LogError(ex, "Invocation failed: {ErrorType}", errorType);
            var body = LambdaErrorBody.From(ex);
            if (ex is LambdaFunctionException functionError)
                body = body with { ErrorType = functionError.ErrorType };
            await ReportAsync(invocation, body, errorType).ConfigureAwait(false);
            return;
        }

        try
        {
            // Not cancelled by shutdown: a finished invocation's answer is worth the milliseconds it takes.
            await client
                .PostResponseAsync(invocation.RequestId, response, CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            // e.g. 413 for a response over 6 MB: report it as the invocation's error instead.
            _logger.LogError(ex, "Posting the response failed");
            await ReportAsync(invocation, LambdaErrorBody.From(ex), UnhandledErrorType).ConfigureAwait(false);
        }

        try
        {
            await handler.AfterResponseAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            _logger.LogWarning("Work after the response ran into the deadline {Deadline:O}", invocation.Deadline);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Work after the response failed");
        }
    }

    private async Task ReportAsync(LambdaInvocation invocation, LambdaErrorBody error, string errorType)
    {
        try
        {
            await client
                .PostInvocationErrorAsync(invocation.RequestId, error, errorType, CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            _logger.LogError(ex, "Posting the invocation error failed");
        }
    }

    private static IReadOnlyList<string>? Trace(Exception ex) =>
        ex.StackTrace?.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
