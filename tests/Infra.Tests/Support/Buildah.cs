using System.Diagnostics;
using System.Text.Json;
using MobZ.TestKit.Repository;

namespace MobZ.Infra.Tests.Support;

/// <summary>
/// buildah with the storage `make images` uses with it (scripts/container-engine.sh: vfs under artifacts/buildah,
/// chroot isolation; no daemon or container runtime needed), so images built here and there are one cache.
/// </summary>
public static class Buildah
{
    private static string StorageArgs =>
        $"--root={Path.Combine(Repo.Artifacts, "buildah", "storage")} --runroot={Path.Combine(Repo.Artifacts, "buildah", "run")} --storage-driver=vfs";

    public static IEnumerable<string> Args(params string[] args) => [.. StorageArgs.Split(' '), .. args];

    public static Task<ShellResult> RunAsync(TimeSpan timeout, params string[] args) =>
        Shell.RunAsync(
            "buildah",
            Args(args),
            timeout,
            env: new Dictionary<string, string?> { ["BUILDAH_ISOLATION"] = "chroot" }
        );

    public static async Task<string> MustAsync(TimeSpan timeout, params string[] args)
    {
        var r = await RunAsync(timeout, args);
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"buildah {string.Join(' ', args)} exited {r.ExitCode}:\n{r.Output}\n{r.Error}"
            );
        }

        return r.Output.Trim();
    }

    /// <summary>
    /// `scripts/images.sh {target}` with buildah and the locally made base image (no registry is reachable from the
    /// tests), tagged <paramref name="image"/>; returns how long it took.
    /// </summary>
    public static async Task<TimeSpan> BuildImageAsync(string target, string image, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        var r = await Shell.RunAsync(
            Repo.PathOf("scripts", "images.sh"),
            [target],
            timeout,
            env: new Dictionary<string, string?>
            {
                ["MOBZ_ENGINE"] = "buildah",
                ["MOBZ_BASE"] = "local",
                ["MOBZ_BUILDAH_ROOT"] = null,
                ["MOBZ_SDK_IMAGE"] = null,
                ["MOBZ_RUNTIME_IMAGE"] = null,
                [target == "munit" ? "MOBZ_MUNIT_IMAGE" : "MOBZ_LOCAL_IMAGE"] = image,
            }
        );
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"scripts/images.sh {target} exited {r.ExitCode}:\n{r.Output}\n{r.Error}"
            );
        }

        return stopwatch.Elapsed;
    }

    /// <summary>The image's OCI config (Entrypoint, Env, User, WorkingDir).</summary>
    public static async Task<JsonElement> ConfigAsync(string image)
    {
        using var doc = JsonDocument.Parse(
            await MustAsync(TimeSpan.FromMinutes(1), "inspect", "--type", "image", image)
        );
        return doc.RootElement.GetProperty("OCIv1").GetProperty("config").Clone();
    }
}
