using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MobZ.Contracts;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.State;

namespace MobZ.Signaling.Rooms.Media;

/// <summary>
/// Talks to Munits through their Regulators: fire-and-forget orders, and request/response over the process's
/// reply channel, matched to the request by its id. The reply channel is subscribed before the first request is
/// published, so a fast answer cannot be missed.
/// </summary>
public sealed class MunitClient(IMessageBus bus, IOptions<RoomOptions> options, ILogger<MunitClient> logger)
{
    public const string ReplyChannelPrefix = "signaling:reply:";

    // One reply channel per process, subscribed once: a channel per request cost a SUBSCRIBE, its readiness check
    // and an UNSUBSCRIBE each time, and on a Redis Cluster an answer now and then arrived before the subscription
    // (a Watch in a JoinAck went missing about once per 2,000 requests).
    private readonly string _replyChannel = ReplyChannelPrefix + Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, TaskCompletionSource<MediaResponse>> _pending = new(
        StringComparer.Ordinal
    );
    private readonly SemaphoreSlim _subscribing = new(1, 1);
    private IAsyncDisposable? _replies;

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
        await EnsureRepliesAsync().ConfigureAwait(false);
        var request = new MediaRequest(requestId, _replyChannel, op, stationId, peerId);
        if (fill is not null)
            request = fill(request);

        var answered = new TaskCompletionSource<MediaResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[requestId] = answered;
        try
        {
            return await RequestAsync(munitId, op, stationId, request, answered.Task, cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(requestId, out _);
        }
    }

    private async Task<string?> RequestAsync(
        string munitId,
        string op,
        string stationId,
        MediaRequest request,
        Task<MediaResponse> answered,
        CancellationToken cancellationToken
    )
    {
        long receivers = await SendAsync(munitId, request).ConfigureAwait(false);
        if (receivers == 0)
            throw new SignalException(ErrorCodes.NoMunitAvailable, $"Munit {munitId} is not listening");

        MediaResponse reply;
        try
        {
            reply = await answered
                .WaitAsync(options.Value.MediaRequestTimeout, cancellationToken)
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

    private async Task EnsureRepliesAsync()
    {
        if (Volatile.Read(ref _replies) is not null)
            return;
        await _subscribing.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_replies is null)
                Volatile.Write(ref _replies, await bus.SubscribeAsync(_replyChannel, OnReply).ConfigureAwait(false));
        }
        finally
        {
            _subscribing.Release();
        }
    }

    private Task OnReply(string message)
    {
        try
        {
            var response = JsonSerializer.Deserialize(message, ContractsJsonContext.Default.MediaResponse);
            if (response?.RequestId is { } id && _pending.TryGetValue(id, out var answered))
                answered.TrySetResult(response);
        }
        catch (JsonException ex)
        {
            logger.LogWarning(ex, "Malformed MediaResponse on {Channel}", _replyChannel);
        }

        return Task.CompletedTask;
    }

    /// <summary>A request nobody waits for (leave).</summary>
    public Task<long> NotifyAsync(string munitId, string op, string stationId, string peerId) =>
        SendAsync(munitId, new MediaRequest(Guid.NewGuid().ToString("N"), "", op, stationId, peerId));
}
