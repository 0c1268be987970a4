using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.Aws.Credentials;
using MobZ.TestKit.Aws;

namespace MobZ.Aws.Tests.Doubles;

/// <summary>
/// A regional AWS endpoint for one service (AWS itself cannot run here). Every request must pass
/// <see cref="SigV4Verifier"/> (else 403 as AWS answers), then <see cref="Handle"/> decides the answer; what
/// arrived is recorded for the test to check against the service's documented request format.
/// </summary>
public sealed class AwsApiDouble : IAsyncDisposable
{
    private readonly WebApplication _app;

    public sealed record Received(
        string Method,
        string RawTarget,
        IReadOnlyDictionary<string, string> Headers,
        string Body
    );

    public sealed record Answer(int Status, string ContentType, string Body, string? ErrorTypeHeader = null);

    public ConcurrentQueue<Received> Requests { get; } = new();
    public Func<Received, Answer> Handle { get; set; } = _ => new Answer(200, "application/json", "{}");
    public Uri Endpoint { get; private set; } = null!;

    private AwsApiDouble(WebApplication app) => _app = app;

    public static async Task<AwsApiDouble> StartAsync(AwsCredentials credentials, string region, string service)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new AwsApiDouble(app);
        app.Run(async context =>
        {
            var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var rejection = SigV4Verifier.Verify(
                context.Request,
                rawTarget,
                buffer.ToArray(),
                credentials,
                region,
                service
            );
            if (rejection is not null)
            {
                context.Response.StatusCode = 403;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(
                    $$"""{"__type":"InvalidSignatureException","message":"{{rejection}}"}"""
                );
                return;
            }
            var received = new Received(
                context.Request.Method,
                rawTarget,
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
                System.Text.Encoding.UTF8.GetString(buffer.ToArray())
            );
            fake.Requests.Enqueue(received);
            var answer = fake.Handle(received);
            context.Response.StatusCode = answer.Status;
            context.Response.ContentType = answer.ContentType;
            if (answer.ErrorTypeHeader is not null)
                context.Response.Headers["x-amzn-ErrorType"] = answer.ErrorTypeHeader;
            context.Response.Headers["x-amzn-RequestId"] = "req-1";
            await context.Response.WriteAsync(answer.Body);
        });
        await app.StartAsync();
        fake.Endpoint = new Uri(
            app.Services.GetRequiredService<IServer>()
                .Features.GetRequiredFeature<IServerAddressesFeature>()
                .Addresses.First() + "/"
        );
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
