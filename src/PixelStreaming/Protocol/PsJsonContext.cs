using System.Text.Json.Serialization;

namespace MobZ.PixelStreaming.Protocol;

[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(IceServer[]))]
[JsonSerializable(typeof(IceServer))]
[JsonSerializable(typeof(IdentifyMessage))]
[JsonSerializable(typeof(EndpointIdConfirmMessage))]
[JsonSerializable(typeof(StreamerIdChangedMessage))]
[JsonSerializable(typeof(StreamerListMessage))]
[JsonSerializable(typeof(SubscribeFailedMessage))]
[JsonSerializable(typeof(PlayerConnectedMessage))]
[JsonSerializable(typeof(PlayerDisconnectedMessage))]
[JsonSerializable(typeof(StreamerDisconnectedMessage))]
[JsonSerializable(typeof(ErrorMessage))]
[JsonSerializable(typeof(QueueStatusMessage))]
[JsonSerializable(typeof(EndpointIdMessage))]
[JsonSerializable(typeof(SubscribeMessage))]
[JsonSerializable(typeof(DisconnectPlayerMessage))]
internal sealed partial class PsJsonContext : JsonSerializerContext;
