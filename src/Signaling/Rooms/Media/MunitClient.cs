using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MobZ.Contracts;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.State;

namespace MobZ.Signaling.Rooms.Media;

/// <summary>
/// Talks to Munits through their Regulators: fire-and-forget orders, and request/response over a
/// per-request reply channel. The reply channel is subscribed before the request is published, so a
/// fast answer cannot be missed.
/// </summary>
public sealed class MunitClient(IMessageBus bus, IOptions<RoomOptions> options, ILogger<MunitClient> logger)
{
    public const string ReplyChannelPrefix = "signaling:reply:";

    public async Task<long> SendAsync(string munitId, MunitSignal signal)
    {
        string json = JsonSerializer.Serialize(signal, ContractsJsonContext.Default.MunitSignal);
        long receivers = await bus.PublishAsync(MunitKeys.Channel(munitId), json).ConfigureAwait(false);
        if (receivers == 0)
        {
            logger.LogWarning(
                "No Regulator listened for {SignalType} on Munit {MunitId}; it reconciles from the store",
                signal.GetType().Name,
                munitId
            );
        }

        return receivers;
    }

    /// <summary>An order every Regulator hears (<see cref="MunitKeys.BroadcastChannel"/>).</summary>
    public Task<long> BroadcastAsync(MunitSignal signal) =>
        bus.PublishAsync(
            MunitKeys.BroadcastChannel,
            JsonSerializer.Serialize(signal, ContractsJsonContext.Default.MunitSignal)
        );

    /// <summary>Sends a request and waits for its <see cref="MediaResponse"/>; the SDP of a successful
    /// answer.</summary>
    /// <exception cref="SignalException">MUNIT_TIMEOUT, MUNIT_ERROR or NO_MUNIT_AVAILABLE.</exception>
    public async Task<string?> RequestAsync(
        string munitId,
        string op,
        string stationId,
        string peerId,
        Func<MediaRequest, MediaRequest>? fill = null,
        CancellationToken cancellationToken = default
    )
    {
        string requestId = Guid.NewGuid().ToString("N");
        string replyTo = ReplyChannelPrefix + requestId;
        var request = new MediaRequest(requestId, replyTo, op, stationId, peerId);
        if (fill is not null)
            request = fill(request);

        var answered = new TaskCompletionSource<MediaResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await bus.SubscribeAsync(replyTo, message =>
            {
                try
                {
                    var response = JsonSerializer.Deserialize(message, ContractsJsonContext.Default.MediaResponse);
                    if (response is not null && response.RequestId == requestId)
                        answered.TrySetResult(response);
                }
                catch (JsonException ex)
                {
                    logger.LogWarning(ex, "Malformed MediaResponse on {Channel}", replyTo);
                }
                return Task.CompletedTask;
            })
            .ConfigureAwait(false);

        long receivers = await SendAsync(munitId, request).ConfigureAwait(false);
        if (receivers == 0)
            throw new SignalException(ErrorCodes.NoMunitAvailable, $"Munit {munitId} is not listening");

        MediaResponse reply;
        try
        {
            reply = await answered
                .Task.WaitAsync(options.Value.MediaRequestTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            logger.LogWarning(
                "Munit {MunitId} did not answer {Op} for station {StationId} in time",
                munitId,
                op,
                stationId
            );
            throw new SignalException(ErrorCodes.MunitTimeout, $"The media server did not answer {op} in time");
        }
        if (reply.Version != MunitSignal.CurrentVersion)
        {
            logger.LogWarning("Munit {MunitId} answered with contract version {Version}", munitId, reply.Version);
            throw new SignalException(
                ErrorCodes.MunitError,
                $"The media server speaks contract version {reply.Version}"
            );
        }
        if (!reply.Ok)
            throw new SignalException(ErrorCodes.MunitError, reply.Error ?? $"The media server refused {op}");
        return reply.Sdp;
    }

    /// <summary>A request nobody waits for (leave).</summary>
    public Task<long> NotifyAsync(string munitId, string op, string stationId, string peerId) =>
        SendAsync(munitId, new MediaRequest(Guid.NewGuid().ToString("N"), "", op, stationId, peerId));
}
