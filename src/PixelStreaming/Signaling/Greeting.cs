using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using MobZ.PixelStreaming.Matching;
using MobZ.PixelStreaming.Protocol;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Abstractions.Turn;
using MobZ.State;

namespace MobZ.PixelStreaming.Signaling;

/// <summary>
/// Delivers a connection's greeting (<c>config</c>; then <c>identify</c> for a streamer) exactly once and as
/// early as the gateway allows. Two paths race for it through one state field:
/// the retry path, started right after <c>$connect</c> returns, writes and backs off on 410 until the
/// gateway has completed the upgrade; the first-frame path, run before any message of the client is
/// handled, proves the connection is writable (the client just wrote to it). The field moves
/// pending → sending → sent (retry) or pending → sent (first frame); whoever moves it writes the greeting.
/// </summary>
public sealed class Greeting(
    IStateStore store,
    PsKeys keys,
    IConnectionSender sender,
    PixelStreamingOptions options,
    TurnCredentials turn,
    TimeProvider time,
    ILogger<Greeting> logger
)
{
    private static readonly TimeSpan SendingPoll = TimeSpan.FromMilliseconds(2);

    /// <summary>The retry path. Returns when the greeting is sent (by either path), the connection is gone, or the
    /// deadline passed.</summary>
    public async Task DeliverWithRetryAsync(string connectionId, string role, CancellationToken cancellationToken)
    {
        var key = keys.Connection(connectionId);
        var deadline = time.GetUtcNow() + options.GreetingDeadline;
        var backoff = options.GreetingInitialBackoff;
        var attempts = 0;
        while (true)
        {
            var claimed = await store
                .CreateTransaction()
                .When(new StateCondition.HashEqual(key, PsFields.Greeting, GreetingStates.Pending))
                .HashSet(key, PsFields.Greeting, GreetingStates.Sending)
                .ExecuteAsync();
            if (!claimed)
                return; // the first-frame path sent it, or the connection is gone

            attempts++;
            var status = await SendGreetingAsync(connectionId, role, cancellationToken);
            if (status == SendStatus.Gone)
            {
                await store
                    .CreateTransaction()
                    .When(new StateCondition.HashEqual(key, PsFields.Greeting, GreetingStates.Sending))
                    .HashSet(key, PsFields.Greeting, GreetingStates.Pending)
                    .ExecuteAsync();
                if (time.GetUtcNow() + backoff > deadline)
                {
                    logger.LogWarning(
                        "Greeting of {ConnectionId} not delivered: still 410 after {Attempts} attempts",
                        connectionId,
                        attempts
                    );
                    return;
                }
                await Task.Delay(backoff, time, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.GreetingMaxBackoff.Ticks));
                continue;
            }

            await store
                .CreateTransaction()
                .When(new StateCondition.HashEqual(key, PsFields.Greeting, GreetingStates.Sending))
                .HashSet(key, PsFields.Greeting, GreetingStates.Sent)
                .ExecuteAsync();
            if (status != SendStatus.Sent)
            {
                logger.LogWarning("Greeting of {ConnectionId} failed with {Status}", connectionId, status);
            }
            else
            {
                logger.LogDebug(
                    "Greeting of {ConnectionId} delivered after {Attempts} attempt(s)",
                    connectionId,
                    attempts
                );
            }

            return;
        }
    }

    /// <summary>The first-frame path: makes sure the greeting went out before anything else is answered.</summary>
    public async Task EnsureSentAsync(
        string connectionId,
        string role,
        string? seenState,
        CancellationToken cancellationToken
    )
    {
        if (seenState is GreetingStates.Sent or null)
            return;
        var key = keys.Connection(connectionId);
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(2);
        while (time.GetUtcNow() < deadline)
        {
            var claimed = await store
                .CreateTransaction()
                .When(new StateCondition.HashEqual(key, PsFields.Greeting, GreetingStates.Pending))
                .HashSet(key, PsFields.Greeting, GreetingStates.Sent)
                .ExecuteAsync();
            if (claimed)
            {
                await SendGreetingAsync(connectionId, role, cancellationToken);
                return;
            }
            var state = await store.HashGetAsync(key, PsFields.Greeting);
            if (state != GreetingStates.Sending)
                return;
            // The retry path is writing it this instant; wait so our reply cannot overtake it.
            await Task.Delay(SendingPoll, time, cancellationToken);
        }
    }

    private byte[]? _config;

    private async Task<SendStatus> SendGreetingAsync(
        string connectionId,
        string role,
        CancellationToken cancellationToken
    )
    {
        // With a TURN server each connection gets credentials of its own; without one the frame is the same for all.
        var config = turn.For(options.Turn, connectionId) is { } relay
            ? ConfigFrame(options, relay)
            : _config ??= ConfigFrame(options, null);
        var status = await sender.SendAsync(connectionId, config, cancellationToken);
        if (status != SendStatus.Sent || role != Roles.Streamer)
            return status;
        return await sender.SendAsync(
            connectionId,
            JsonSerializer.SerializeToUtf8Bytes(new IdentifyMessage(), PsJsonContext.Default.IdentifyMessage),
            cancellationToken
        );
    }

    /// <summary>
    /// The <c>config</c> frame. peerConnectionOptions is the operator's JSON object passed through untouched (as
    /// Epic's server does), so it is built as JSON rather than a record; iceServers come from the typed list when it
    /// has none. The connection's own TURN entry, if any, is appended to whichever list is sent.
    /// </summary>
    public static byte[] ConfigFrame(PixelStreamingOptions options, TurnCredential? relay)
    {
        var peer = ParsePeerConnectionOptions(options.PeerConnectionOptions);
        if (peer["iceServers"] is not JsonArray servers)
        {
            var typed = options.IceServers.Select(s => new IceServer(s.Urls, s.Username, s.Credential)).ToArray();
            servers = (JsonArray)JsonSerializer.SerializeToNode(typed, PsJsonContext.Default.IceServerArray)!;
            peer["iceServers"] = servers;
        }
        if (relay is not null)
        {
            servers.Add(
                JsonSerializer.SerializeToNode(
                    new IceServer(relay.Urls, relay.Username, relay.Password),
                    PsJsonContext.Default.IceServer
                )
            );
        }

        var config = new JsonObject
        {
            ["type"] = MessageTypes.Config,
            ["peerConnectionOptions"] = peer,
            ["protocolVersion"] = options.ProtocolVersion,
        };
        return JsonSerializer.SerializeToUtf8Bytes(config, PsNodeJsonContext.Default.JsonObject);
    }

    /// <summary>Null or blank: an empty object. Anything but a JSON object is a configuration error, reported at
    /// startup.</summary>
    public static JsonObject ParsePeerConnectionOptions(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return [];
        try
        {
            return JsonNode.Parse(json) as JsonObject
                ?? throw new InvalidOperationException(
                    "PixelStreaming:PeerConnectionOptions (PS_PEER_CONNECTION_OPTIONS) must be a JSON object"
                );
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException(
                $"PixelStreaming:PeerConnectionOptions (PS_PEER_CONNECTION_OPTIONS) is not valid JSON: {e.Message}",
                e
            );
        }
    }
}
