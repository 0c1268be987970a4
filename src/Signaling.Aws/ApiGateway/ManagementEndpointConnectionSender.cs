using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MobZ.Aws.Credentials;
using MobZ.Signaling.Abstractions;

namespace MobZ.Signaling.Aws.ApiGateway;

/// <summary>
/// The <see cref="IConnectionSender"/> of a Lambda function: an <see cref="ApiGatewayManagementClient"/> for the
/// configured endpoint (MOBZ_CONNECTIONS_ENDPOINT, needed by functions that also serve HTTP routes), or else for
/// the domainName/stage of the WebSocket event being handled — which is what API Gateway itself tells the
/// function. One client per endpoint is kept for the life of the execution environment.
/// </summary>
public sealed class ManagementEndpointConnectionSender(
    HttpClient http,
    IAwsCredentialsProvider credentials,
    string? region,
    Uri? configuredEndpoint,
    ILoggerFactory loggerFactory
) : IConnectionSender
{
    public const string EndpointVariable = "MOBZ_CONNECTIONS_ENDPOINT";

    private readonly ConcurrentDictionary<Uri, ApiGatewayManagementClient> _clients = new();
    private Uri? _observedEndpoint;

    public Uri? Endpoint => configuredEndpoint ?? Volatile.Read(ref _observedEndpoint);

    /// <summary>Called for each WebSocket event before its handler runs.</summary>
    public void Observe(WebSocketEvent evt) =>
        Volatile.Write(
            ref _observedEndpoint,
            ApiGatewayManagementClient.EndpointFor(evt.RequestContext.DomainName, evt.RequestContext.Stage)
        );

    public Task<SendStatus> SendAsync(
        string connectionId,
        ReadOnlyMemory<byte> payload,
        CancellationToken cancellationToken = default
    ) =>
        payload.Length > IConnectionSender.MaxPayloadBytes
            ? Task.FromResult(SendStatus.TooLarge)
            : Client().SendAsync(connectionId, payload, cancellationToken);

    public Task<ConnectionInfo?> GetConnectionAsync(
        string connectionId,
        CancellationToken cancellationToken = default
    ) => Client().GetConnectionAsync(connectionId, cancellationToken);

    public Task<bool> DeleteConnectionAsync(string connectionId, CancellationToken cancellationToken = default) =>
        Client().DeleteConnectionAsync(connectionId, cancellationToken);

    private ApiGatewayManagementClient Client()
    {
        var endpoint = Endpoint
            ?? throw new InvalidOperationException(
                $"No @connections endpoint yet: set {EndpointVariable}=https://{{api-id}}.execute-api.{{region}}.amazonaws.com/{{stage}} for functions that send outside a WebSocket event."
            );
        return _clients.GetOrAdd(endpoint, e => new ApiGatewayManagementClient(
            http,
            e,
            credentials,
            region
                ?? ApiGatewayManagementClient.RegionFromDomainName(e.Host)
                ?? throw new InvalidOperationException(
                    "AWS_REGION is not set and the endpoint is not an execute-api domain."
                ),
            logger: loggerFactory.CreateLogger<ApiGatewayManagementClient>()
        ));
    }
}
