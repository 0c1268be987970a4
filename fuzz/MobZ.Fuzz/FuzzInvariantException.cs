namespace MobZ.Fuzz;

/// <summary>A parser accepted an input but broke one of its own promises about it (a span outside the packet, a reply
/// that does not parse).</summary>
public sealed class FuzzInvariantException(string message) : Exception(message)
{
    public static void Check(bool condition, string promise)
    {
        if (!condition)
            throw new FuzzInvariantException(promise);
    }
}
