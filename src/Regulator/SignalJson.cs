using System.Text.Json;
using MobZ.Contracts;

namespace MobZ.Regulator;

internal static class SignalJson
{
    public static string Serialize(MunitSignal signal) =>
        JsonSerializer.Serialize(signal, ContractsJsonContext.Default.MunitSignal);

    public static string Serialize(MediaResponse response) =>
        JsonSerializer.Serialize(response, ContractsJsonContext.Default.MediaResponse);

    public static string Serialize(StationsRestoredEvent restored) =>
        JsonSerializer.Serialize(restored, ContractsJsonContext.Default.StationsRestoredEvent);

    public static string Serialize(PeerLostEvent lost) =>
        JsonSerializer.Serialize(lost, ContractsJsonContext.Default.PeerLostEvent);

    public static string Serialize(StationsMovedEvent moved) =>
        JsonSerializer.Serialize(moved, ContractsJsonContext.Default.StationsMovedEvent);

    /// <returns>null with a reason when the text is not a signal this Regulator understands.</returns>
    public static MunitSignal? TryParse(string json, out string? error)
    {
        try
        {
            var signal = JsonSerializer.Deserialize(json, ContractsJsonContext.Default.MunitSignal);
            if (signal is null)
            {
                error = "empty message";
                return null;
            }
            if (signal.Version != MunitSignal.CurrentVersion)
            {
                error = $"unsupported contract version {signal.Version}";
                return null;
            }
            if (signal is DrainSignal { DeadlineSeconds: { } deadline } && !DrainSignal.IsValidDeadline(deadline))
            {
                error = $"drain deadline {deadline} s is outside 0..{DrainSignal.MaxDeadlineSeconds} s";
                return null;
            }
            error = null;
            return signal;
        }
        catch (JsonException ex)
        {
            error = ex.Message;
            return null;
        }
        catch (NotSupportedException ex)
        {
            error = ex.Message;
            return null;
        }
    }
}
