namespace MobZ.Munit;

/// <summary>Settings of one Munit process.</summary>
public sealed class MunitOptions
{
    /// <summary>Identifier in the registry; defaults to a random one per process.</summary>
    public string MunitId { get; set; } = "munit-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Address the UDP socket binds to (127.0.0.1 locally, 0.0.0.0 on ECS).</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>The one UDP port every peer uses; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>
    /// TCP port for ICE over TCP (RFC 6544 passive candidates, announced below UDP so browsers prefer UDP) — the way
    /// in for clients on networks that block UDP. Null (the default): the UDP port's number; 0 turns ICE-TCP off.
    /// </summary>
    public int? TcpPort { get; set; }

    /// <summary>
    /// Address put in ICE candidates when it differs from the bound one (ECS Fargate: the task's public IP).
    /// </summary>
    public string? PublicAddress { get; set; }

    /// <summary>Subscribers this Munit takes before it counts as full (placement and load).</summary>
    public int Capacity { get; set; } = 500;
}
