using MobZ.Signaling.Abstractions.Turn;

namespace MobZ.PixelStreaming;

/// <summary>
/// Settings of the Pixel Streaming capability (configuration section "PixelStreaming", plus the
/// environment variables named on each property).
/// </summary>
public sealed class PixelStreamingOptions
{
    public const string SectionName = "PixelStreaming";

    /// <summary>Prefix of every key this capability keeps in the state store.</summary>
    public string KeyPrefix { get; set; } = "ps:";

    /// <summary>Sent to every client in <c>config.protocolVersion</c>; Epic's 5.5 frontend speaks 1.3.0.</summary>
    public string ProtocolVersion { get; set; } = "1.3.0";

    /// <summary>ICE servers handed to both peers in <c>config.peerConnectionOptions</c>.</summary>
    public List<IceServerOptions> IceServers { get; set; } = [];

    /// <summary>
    /// A TURN server sharing a secret with us (coturn use-auth-secret): every player and streamer gets credentials
    /// of its own in <c>config</c>, for networks that block UDP. Env PS_TURN_URLS (comma-separated), PS_TURN_SECRET.
    /// URLs without the secret: startup fails.
    /// </summary>
    public TurnOptions Turn { get; set; } = new();

    /// <summary>
    /// Env PS_PEER_CONNECTION_OPTIONS: a JSON object sent as <c>config.peerConnectionOptions</c> as it is, like
    /// the <c>--peer_options</c> of Epic's SignallingWebServer (iceServers, bundlePolicy, encodings, ...).
    /// <see cref="IceServers"/> fill in <c>iceServers</c> when the object has none. Not a JSON object: startup fails.
    /// </summary>
    public string? PeerConnectionOptions { get; set; }

    /// <summary>Env DISABLE_IP_WHITELIST=true: accept streamers from any address (development only).</summary>
    public bool DisableIpAllowList { get; set; }

    public RestApiOptions Api { get; set; } = new();

    /// <summary>How long the greeting (config, identify) is retried while the gateway still answers 410.</summary>
    public TimeSpan GreetingDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First pause after a 410; doubled per attempt up to <see cref="GreetingMaxBackoff"/>.</summary>
    public TimeSpan GreetingInitialBackoff { get; set; } = TimeSpan.FromMilliseconds(5);

    public TimeSpan GreetingMaxBackoff { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Timeout of one HTTP call to a streaming worker.</summary>
    public TimeSpan WorkerTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Port of the streaming worker next to each streamer instance (ECS tasks).</summary>
    public int WorkerPort { get; set; } = 8081;

    /// <summary>
    /// Which <see cref="Instances.IInstanceProvider"/> starts streaming instances for POST /api/instances: "ecs" (this
    /// library), or a name a host registered with AddKeyedSingleton&lt;IInstanceProvider&gt; (the local stack adds
    /// "local"). Null (the default): none, and the instance API answers 503 "no instance provider configured". Env
    /// PS_INSTANCE_PROVIDER.
    /// </summary>
    public string? InstanceProvider { get; set; }

    /// <summary>
    /// How long an instance may stay starting before it is given up on (its task stopped). On ECS this covers a
    /// GPU host scaling out from none: the instance launch, the ECS agent registering, the image pull.
    /// </summary>
    public TimeSpan InstanceStartTimeout { get; set; } = TimeSpan.FromMinutes(10);

    public EcsProviderOptions Ecs { get; set; } = new();
}

public sealed class IceServerOptions
{
    public List<string> Urls { get; set; } = [];
    public string? Username { get; set; }
    public string? Credential { get; set; }
}

public sealed class RestApiOptions
{
    /// <summary>Header that carries the API key.</summary>
    public string ApiKeyHeader { get; set; } = "x-api-key";

    /// <summary>The key every /api call must present. Env PS_API_KEY. Null refuses every /api call.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// True when <see cref="ApiKey"/> is a development default a host set itself (the local stack, when nothing is
    /// configured), never from configuration: the admin page may then be told the key, which is public anyway.
    /// </summary>
    public bool IsDevelopmentKey { get; set; }
}

public sealed class EcsProviderOptions
{
    public string Region { get; set; } = "us-east-1";
    public string Cluster { get; set; } = "";
    public string TaskDefinition { get; set; } = "";

    /// <summary>Container whose environment receives STREAMER_ID.</summary>
    public string ContainerName { get; set; } = "streamer";
    public List<string> Subnets { get; set; } = [];
    public List<string> SecurityGroups { get; set; } = [];

    /// <summary>Launch type when no capacity provider is named (FARGATE: awsvpc with a public IP, needs
    /// Subnets).</summary>
    public string LaunchType { get; set; } = "FARGATE";

    /// <summary>
    /// ECS capacity provider to place streamers with (the GPU hosts of resources/ecs-fargate.yml); replaces the
    /// launch type. Without Subnets the task uses its host's network and public address (host network mode).
    /// </summary>
    public string? CapacityProvider { get; set; }

    /// <summary>Override of the ECS endpoint (tests); null means the regional AWS endpoint.</summary>
    public Uri? EcsEndpoint { get; set; }

    /// <summary>Override of the EC2 endpoint (tests); null means the regional AWS endpoint.</summary>
    public Uri? Ec2Endpoint { get; set; }
}
