using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using MobZ.Contracts;
using MobZ.State;

namespace MobZ.Signaling.Tests.Harness;

/// <summary>
/// Stands in for a Munit's Regulator until the real one exists: registers in the store like a Regulator
/// (registry score, info hash, alive key), listens on its channel on the real bus, records orders, and
/// answers every MediaRequest with a syntactically valid SDP.
/// </summary>
public sealed class MunitResponder : IAsyncDisposable
{
    private readonly IStateBackend _backend;
    private IAsyncDisposable? _subscription;

    private MunitResponder(IStateBackend backend, string munitId)
    {
        _backend = backend;
        MunitId = munitId;
    }

    public string MunitId { get; }
    public ConcurrentQueue<MunitSignal> Signals { get; } = new();
    public IEnumerable<AssignSignal> Assigns => Signals.OfType<AssignSignal>();
    public IEnumerable<UnassignSignal> Unassigns => Signals.OfType<UnassignSignal>();
    public IEnumerable<MediaRequest> Requests => Signals.OfType<MediaRequest>();

    /// <summary>When set, requests with this op are answered ok=false.</summary>
    public string? FailOp { get; set; }

    public static async Task<MunitResponder> StartAsync(
        IStateBackend backend,
        string munitId,
        double load = 0,
        bool draining = false,
        bool alive = true
    )
    {
        var responder = new MunitResponder(backend, munitId);
        await responder.RegisterAsync(load, draining, alive);
        responder._subscription = await backend.Bus.SubscribeAsync(MunitKeys.Channel(munitId), responder.OnSignalAsync);
        return responder;
    }

    /// <summary>Writes the registration, as a Regulator does at start and again after the store lost its
    /// data.</summary>
    public async Task RegisterAsync(double load = 0, bool draining = false, bool alive = true)
    {
        var store = _backend.Store;
        await store.HashSetAsync(
            MunitKeys.Info(MunitId),
            new Dictionary<string, string>
            {
                [MunitInfoFields.MunitId] = MunitId,
                [MunitInfoFields.Address] = "127.0.0.1",
                [MunitInfoFields.Port] = "40000",
                [MunitInfoFields.Capacity] = "100",
                [MunitInfoFields.Load] = load.ToString(CultureInfo.InvariantCulture),
                [MunitInfoFields.Draining] = draining ? "true" : "false",
            }
        );
        await store.SortedSetAddAsync(MunitKeys.Registry, MunitId, load);
        if (alive)
            await store.SetStringAsync(MunitKeys.Alive(MunitId), "1", TimeSpan.FromMinutes(5));
    }

    private async Task OnSignalAsync(string json)
    {
        var signal = JsonSerializer.Deserialize(json, ContractsJsonContext.Default.MunitSignal)!;
        Signals.Enqueue(signal);
        if (signal is not MediaRequest request || request.ReplyTo.Length == 0)
            return;
        var response =
            request.Op == FailOp
                ? new MediaResponse(request.RequestId, false) { Error = "refused by test" }
                : new MediaResponse(request.RequestId, true)
                {
                    Sdp = request.Op is MediaOps.Watch or MediaOps.Publish ? Sdp(request) : null,
                };
        await _backend.Bus.PublishAsync(
            request.ReplyTo,
            JsonSerializer.Serialize(response, ContractsJsonContext.Default.MediaResponse)
        );
    }

    /// <summary>An ICE-lite, BUNDLEd audio+video description like a Munit's, one per request.</summary>
    public static string Sdp(MediaRequest request)
    {
        string direction = request.Op == MediaOps.Watch ? "sendonly" : "recvonly";
        string type = request.Op == MediaOps.Watch ? "offer" : "answer";
        return string.Join(
            "\r\n",
            "v=0",
            $"o=- {Math.Abs(request.RequestId.GetHashCode())} 2 IN IP4 127.0.0.1",
            $"s=munit-{type}",
            "t=0 0",
            "a=ice-lite",
            "a=group:BUNDLE 0 1",
            "a=msid-semantic: WMS",
            "m=audio 40000 UDP/TLS/RTP/SAVPF 111",
            "c=IN IP4 127.0.0.1",
            "a=mid:0",
            "a=ice-ufrag:mzUf",
            "a=ice-pwd:mobzmobzmobzmobzmobzmobz",
            "a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF",
            $"a=setup:{(type == "offer" ? "actpass" : "passive")}",
            $"a={direction}",
            "a=rtcp-mux",
            "a=rtpmap:111 opus/48000/2",
            "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host",
            "m=video 40000 UDP/TLS/RTP/SAVPF 96",
            "c=IN IP4 127.0.0.1",
            "a=mid:1",
            $"a={direction}",
            "a=rtcp-mux",
            "a=rtpmap:96 VP8/90000",
            ""
        );
    }

    public async ValueTask DisposeAsync()
    {
        if (_subscription is not null)
            await _subscription.DisposeAsync();
    }
}
