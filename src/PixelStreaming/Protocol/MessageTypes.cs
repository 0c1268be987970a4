namespace MobZ.PixelStreaming.Protocol;

/// <summary>The <c>type</c> values of Epic's signalling protocol (UE 5.5, protocol 1.x) that we route.</summary>
public static class MessageTypes
{
    public const string Config = "config";
    public const string Identify = "identify";
    public const string EndpointId = "endpointId";
    public const string EndpointIdConfirm = "endpointIdConfirm";
    public const string StreamerIdChanged = "streamerIdChanged";
    public const string ListStreamers = "listStreamers";
    public const string StreamerList = "streamerList";
    public const string Subscribe = "subscribe";
    public const string Unsubscribe = "unsubscribe";
    public const string SubscribeFailed = "subscribeFailed";
    public const string PlayerConnected = "playerConnected";
    public const string PlayerDisconnected = "playerDisconnected";
    public const string StreamerDisconnected = "streamerDisconnected";
    public const string Offer = "offer";
    public const string Answer = "answer";
    public const string IceCandidate = "iceCandidate";
    public const string DisconnectPlayer = "disconnectPlayer";
    public const string LayerPreference = "layerPreference";
    public const string DataChannelRequest = "dataChannelRequest";
    public const string PeerDataChannels = "peerDataChannels";
    public const string Ping = "ping";
    public const string Pong = "pong";
    public const string Stats = "stats";
    public const string Error = "error";

    /// <summary>Ours: a waiting player's position and estimated wait.</summary>
    public const string QueueStatus = "queueStatus";

    /// <summary>The seed's pseudo-streamer: listed when no streamer is idle; subscribing to it queues the
    /// player.</summary>
    public const string WaitingQueue = "waiting_queue";
}
