using System.Diagnostics.Metrics;

namespace MobZ.State;

/// <summary>Numbers of the state layer (meter <c>MobZ.State</c>).</summary>
public static class StateMetrics
{
    public const string MeterName = "MobZ.State";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>
    /// SCRIPT LOADs of named atomic operations, tagged <c>operation</c> and <c>reason</c>: <c>first_use</c> once per
    /// operation and process, <c>noscript</c> when Redis had forgotten a script (a restart, a failover, SCRIPT FLUSH).
    /// A steadily rising <c>noscript</c> count means something keeps flushing the server's script cache.
    /// </summary>
    public static readonly Counter<long> ScriptLoads = Meter.CreateCounter<long>(
        "mobz.state.script.loads",
        "{load}",
        "Atomic operation scripts loaded into Redis"
    );
}
