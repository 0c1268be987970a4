using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MobZ.Aws.Lambda;
using MobZ.Aws.Logging;
using MobZ.Signaling.Lambda;

// The provided.al2023 custom runtime: this executable is the function's `bootstrap` (docs/deploy-lambda.md).
var runtimeApi = Environment.GetEnvironmentVariable(LambdaRuntimeClient.RuntimeApiVariable);
if (string.IsNullOrEmpty(runtimeApi))
{
    Console.Error.WriteLine(
        $"{LambdaRuntimeClient.RuntimeApiVariable} is not set: this program runs inside AWS Lambda (or its emulator)."
    );
    return 2;
}

using var stopping = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stopping.Cancel();
});

// "next" is a long poll that lasts as long as the environment stays idle.
using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
using var bootstrapLogging = LoggerFactory.Create(b => b.AddCloudWatchJsonConsole());
IHost? host = null;
try
{
    return await LambdaBootstrap
        .RunAsync(
            new LambdaRuntimeClient(http, runtimeApi),
            async ct =>
            {
                (host, var handler) = await FunctionHost.StartAsync(args, ct).ConfigureAwait(false);
                return handler;
            },
            bootstrapLogging,
            stopping.Token
        )
        .ConfigureAwait(false);
}
finally
{
    if (host is not null)
    {
        await host.StopAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        host.Dispose();
    }
}
