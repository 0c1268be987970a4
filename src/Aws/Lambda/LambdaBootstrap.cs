using Microsoft.Extensions.Logging;

namespace MobZ.Aws.Lambda;

/// <summary>
/// Runs a custom runtime: initialise the function (any exception is posted to /init/error and ends the
/// process with a failure code, so Lambda reports Runtime.InitError), then loop over invocations.
/// </summary>
public static class LambdaBootstrap
{
    public const string InitErrorType = "Runtime.UnknownReason";

    public static async Task<int> RunAsync(
        LambdaRuntimeClient client,
        Func<CancellationToken, Task<ILambdaInvocationHandler>> initialize,
        ILoggerFactory loggerFactory,
        CancellationToken stoppingToken,
        TimeProvider? time = null
    )
    {
        var logger = loggerFactory.CreateLogger(typeof(LambdaBootstrap));
        ILambdaInvocationHandler handler;
        try
        {
            handler = await initialize(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var errorType = ex is LambdaFunctionException typed ? typed.ErrorType : InitErrorType;
            logger.LogCritical(ex, "Initialisation failed: {ErrorType}", errorType);
            await client
                .PostInitErrorAsync(
                    LambdaErrorBody.From(ex) with
                    {
                        ErrorType = errorType,
                    },
                    errorType,
                    CancellationToken.None
                )
                .ConfigureAwait(false);
            return 1;
        }
        var loop = new LambdaRuntimeLoop(client, handler, time, loggerFactory.CreateLogger<LambdaRuntimeLoop>());
        try
        {
            await loop.RunAsync(stoppingToken).ConfigureAwait(false);
            return 0;
        }
        catch (HttpRequestException ex)
        {
            // The Runtime API itself failed (500 on next means the environment is being torn down): exit so
            // Lambda starts a fresh one rather than looping on a dead endpoint.
            logger.LogCritical(ex, "The Runtime API failed; exiting");
            return 1;
        }
    }
}
