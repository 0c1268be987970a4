using System.Globalization;
using MobZ.MunitHost.Configuration;

namespace MobZ.MunitHost;

/// <summary>
/// <c>MobZ.MunitHost healthcheck</c>: asks the running process's <c>/healthz</c> on loopback and exits 0 or 1,
/// for Docker's HEALTHCHECK and the ECS container health check (the runtime image has no curl).
/// </summary>
public static class HealthProbe
{
    public const string Command = "healthcheck";

    public static async Task<int> RunAsync(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        var port =
            int.TryParse(
                getVariable(MunitHostSettings.HttpPortVariable),
                NumberStyles.None,
                CultureInfo.InvariantCulture,
                out var p
            ) && p is > 0 and <= 65535
                ? p
                : MunitHostSettings.DefaultHttpPort;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(4) };
        try
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz")).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
                return 0;
            await Console.Error.WriteLineAsync($"healthz answered {(int)response.StatusCode}").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"healthz unreachable: {ex.Message}").ConfigureAwait(false);
        }
        return 1;
    }
}
