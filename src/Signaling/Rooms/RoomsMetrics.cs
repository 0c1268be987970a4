using System.Diagnostics;
using System.Diagnostics.Metrics;
using MobZ.Signaling.Rooms.Protocol;

namespace MobZ.Signaling.Rooms;

/// <summary>
/// Numbers of the rooms signaling (meter <see cref="MeterName"/>): messages by action, refusals by error code
/// and handler latency. The action tag is one of the protocol's actions or "unknown", so a client sending
/// made-up actions cannot grow the number of series. See docs/operations.md.
/// </summary>
public sealed class RoomsMetrics
{
    public const string MeterName = "MobZ.Signaling";

    private readonly Counter<long> _messages;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _connects;
    private readonly Counter<long> _connectsRefused;
    private readonly Counter<long> _whipStarted;
    private readonly Counter<long> _whipEnded;
    private readonly Counter<long> _whipRefused;

    public RoomsMetrics(IMeterFactory? meterFactory = null)
    {
        var meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        _messages = meter.CreateCounter<long>(
            "mobz.signaling.messages",
            "{message}",
            "Client messages handled, by action"
        );
        _errors = meter.CreateCounter<long>(
            "mobz.signaling.errors",
            "{error}",
            "Error replies sent, by action and error code"
        );
        _duration = meter.CreateHistogram<double>(
            "mobz.signaling.handler.duration",
            "s",
            "Time to handle one client message, by action",
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
            }
        );
        _connects = meter.CreateCounter<long>(
            "mobz.signaling.connects",
            "{connection}",
            "Sockets admitted at $connect with a valid access token"
        );
        _connectsRefused = meter.CreateCounter<long>(
            "mobz.signaling.connects.refused",
            "{connection}",
            "Sockets refused at $connect, by HTTP status and reason (missing token, expired, bad signature, ...)"
        );
        _whipStarted = meter.CreateCounter<long>(
            "mobz.signaling.whip.sessions.started",
            "{session}",
            "WHIP publishers (POST /whip/{room}) answered 201 by a Munit"
        );
        _whipEnded = meter.CreateCounter<long>(
            "mobz.signaling.whip.sessions.ended",
            "{session}",
            "WHIP sessions ended, by reason (left: DELETE; mediaLost: media ended or station moved; kicked, roomClosed)"
        );
        _whipRefused = meter.CreateCounter<long>(
            "mobz.signaling.whip.sessions.refused",
            "{session}",
            "WHIP requests refused, by HTTP status and reason (no token, not granted, bad offer, room busy, no Munit...)"
        );
    }

    public void WhipStarted() => _whipStarted.Add(1);

    /// <summary>The reason is a <see cref="ChangeReasons"/> value: a fixed set of series.</summary>
    public void WhipEnded(string reason) => _whipEnded.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>The reason is one of the WHIP handler's fixed refusal names.</summary>
    public void WhipRefused(int status, string reason) =>
        _whipRefused.Add(
            1,
            new KeyValuePair<string, object?>("status", status),
            new KeyValuePair<string, object?>("reason", reason)
        );

    public void Connected() => _connects.Add(1);

    /// <summary>The reason is an <see cref="MobZ.Access.AccessFailure"/> name (or NoJoinGrant, StoreUnavailable): a
    /// fixed set of series.</summary>
    public void ConnectRefused(int status, string reason) =>
        _connectsRefused.Add(
            1,
            new KeyValuePair<string, object?>("status", status),
            new KeyValuePair<string, object?>("reason", reason)
        );

    /// <summary>Call when a message has been handled (successfully or with an error reply).</summary>
    public void Handled(string? action, long startTimestamp, string? errorCode)
    {
        var tag = new KeyValuePair<string, object?>("action", ActionTag(action));
        _messages.Add(1, tag);
        _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tag);
        if (errorCode is not null)
            _errors.Add(1, tag, new KeyValuePair<string, object?>("code", errorCode));
    }

    private static string ActionTag(string? action) =>
        action is not null && RoomActions.ClientRoutes.Contains(action) ? action : "unknown";
}
