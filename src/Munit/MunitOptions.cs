namespace MobZ.Munit;

/// <summary>Settings of one Munit process.</summary>
public sealed class MunitOptions
{
    /// <summary>Identifier in the registry; defaults to a random one per process.</summary>
    public string MunitId { get; set; } = "munit-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Address the UDP socket binds to (127.0.0.1 locally, 0.0.0.0 on ECS).</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>The first media worker's UDP port; worker <c>i</c> binds this plus <c>i</c> (announced in the ICE
    /// candidates of the peers placed on it). 0 picks a free port for each.</summary>
    public int Port { get; set; }

    /// <summary>
    /// Media workers: each a thread with its own UDP port (and ICE-TCP port), peers, SRTP contexts, media engine and
    /// timers (docs/munit.md, "Workers"). Null (the default): one per core. A room's stations all go to one worker,
    /// the least loaded when the room's first station arrives.
    /// </summary>
    public int? Workers { get; set; }

    /// <summary><see cref="Workers"/> as used: at least 1, one per core when unset.</summary>
    public int EffectiveWorkers =>
        Workers is { } n
            ? n is >= 1 and <= MaxWorkers
                ? n
                : throw new ArgumentOutOfRangeException(nameof(Workers), n, $"Workers must be 1..{MaxWorkers}")
            : Math.Clamp(Environment.ProcessorCount, 1, MaxWorkers);

    /// <summary>Upper bound of <see cref="Workers"/> (a port each).</summary>
    public const int MaxWorkers = 64;

    /// <summary>
    /// TCP port for ICE over TCP (RFC 6544 passive candidates, announced below UDP so browsers prefer UDP) — the way
    /// in for clients on networks that block UDP; worker <c>i</c> listens on this plus <c>i</c>. Null (the default):
    /// each worker's UDP port's number; 0 turns ICE-TCP off.
    /// </summary>
    public int? TcpPort { get; set; }

    /// <summary>
    /// Address put in ICE candidates when it differs from the bound one (ECS Fargate: the task's public IP).
    /// </summary>
    public string? PublicAddress { get; set; }

    /// <summary>Kernel send buffer of the UDP media socket (bytes, capped by <c>net.core.wmem_max</c>). Sends never
    /// wait for it; what it cannot hold is dropped and counted as <c>socket_full</c> (docs/rtc.md, "Egress").</summary>
    public int SocketSendBufferSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Kernel receive buffer of the UDP media socket (bytes, capped by <c>net.core.rmem_max</c>).</summary>
    public int SocketReceiveBufferSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Datagrams sent in one <c>sendmmsg</c> at most (the receive thread's batch).</summary>
    public int EgressBatchSize { get; set; } = 64;

    /// <summary>Datagrams read in one <c>recvmmsg</c> at most before what they produced is sent.</summary>
    public int IngressBatchSize { get; set; } = 32;

    /// <summary>recvmmsg/sendmmsg on 64-bit Linux; false forces the portable path (one non-blocking recvfrom/sendto
    /// per datagram), which other platforms use anyway.</summary>
    public bool SystemCallBatching { get; set; } = true;

    /// <summary>Subscribers this Munit takes before it counts as full (placement and load).</summary>
    public int Capacity { get; set; } = 500;
}
