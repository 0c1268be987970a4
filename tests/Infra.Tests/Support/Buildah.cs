using MobZ.TestKit.Repository;
using System.Text.Json;

namespace MobZ.Infra.Tests.Support;

/// <summary>
/// buildah with its own storage under artifacts/buildah (vfs: works without overlay mounts) and chroot isolation
/// (no container runtime needed). No registry is reachable here, so the .NET base image is made locally: the cached
/// Debian root plus this machine's .NET SDK, and this machine's CA certificates so NuGet reaches its feed.
/// </summary>
public static class Buildah
{
    public const string BaseImage = "localhost/mobz-test/dotnet:10";
    private static readonly SemaphoreSlim Gate = new(1, 1);

    private static string StorageArgs => $"--root={Path.Combine(Repo.Artifacts, "buildah", "storage")} --runroot={Path.Combine(Repo.Artifacts, "buildah", "run")} --storage-driver=vfs";

    public static IEnumerable<string> Args(params string[] args) => [.. StorageArgs.Split(' '), .. args];

    public static Task<ShellResult> RunAsync(TimeSpan timeout, params string[] args) =>
        Shell.RunAsync("buildah", Args(args), timeout, env: new Dictionary<string, string?> { ["BUILDAH_ISOLATION"] = "chroot" });

    public static async Task<string> MustAsync(TimeSpan timeout, params string[] args)
    {
        var r = await RunAsync(timeout, args);
        if (r.ExitCode != 0) throw new InvalidOperationException($"buildah {string.Join(' ', args)} exited {r.ExitCode}:\n{r.Output}\n{r.Error}");
        return r.Output.Trim();
    }

    /// <summary>The local stand-in for both mcr.microsoft.com/dotnet images, built once.</summary>
    public static async Task<string> BaseImageAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if ((await RunAsync(TimeSpan.FromMinutes(1), "inspect", "--type", "image", BaseImage)).ExitCode == 0) return BaseImage;
            var tar = await DebianRoot.TarAsync();
            var container = await MustAsync(TimeSpan.FromMinutes(2), "from", "scratch");
            try
            {
                var root = await MustAsync(TimeSpan.FromMinutes(1), "mount", container);
                await Shell.MustAsync("tar", ["-C", root, "-xf", tar], TimeSpan.FromMinutes(5));
                var dotnet = DotnetRoot();
                Directory.CreateDirectory(Path.Combine(root, "usr/share"));
                await Shell.MustAsync("cp", ["-a", dotnet, Path.Combine(root, "usr/share/dotnet")], TimeSpan.FromMinutes(5));
                File.CreateSymbolicLink(Path.Combine(root, "usr/bin/dotnet"), "/usr/share/dotnet/dotnet");
                File.Copy("/etc/ssl/certs/ca-certificates.crt", Path.Combine(root, "etc/ssl/certs/ca-certificates.crt"), overwrite: true);
                await MustAsync(TimeSpan.FromMinutes(1), "config", "--env", "DOTNET_ROOT=/usr/share/dotnet", "--env", "DOTNET_CLI_TELEMETRY_OPTOUT=1",
                    "--env", "DOTNET_NOLOGO=1", container);
                await MustAsync(TimeSpan.FromMinutes(10), "commit", "-q", container, BaseImage);
            }
            finally
            {
                await RunAsync(TimeSpan.FromMinutes(2), "rm", container);
            }
            return BaseImage;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The image's OCI config (Entrypoint, Env, User, WorkingDir).</summary>
    public static async Task<JsonElement> ConfigAsync(string image)
    {
        using var doc = JsonDocument.Parse(await MustAsync(TimeSpan.FromMinutes(1), "inspect", "--type", "image", image));
        return doc.RootElement.GetProperty("OCIv1").GetProperty("config").Clone();
    }

    // `dotnet --list-sdks` prints "10.0.401 [/usr/share/dotnet/sdk]": the install root is the folder above sdk/.
    private static string DotnetRoot()
    {
        var line = Shell.MustAsync("dotnet", ["--list-sdks"], TimeSpan.FromMinutes(1)).GetAwaiter().GetResult().Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith("10.", StringComparison.Ordinal));
        return Path.GetDirectoryName(line[(line.IndexOf('[') + 1)..line.IndexOf(']')])!;
    }
}
