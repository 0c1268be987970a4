using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MobZ.Infra.Tests.Support;
using MobZ.TestKit;
using MobZ.TestKit.Redis;

namespace MobZ.Infra.Tests;

/// <summary>
/// docker/Dockerfile.munit built with buildah (as `make deploy` builds it with Docker), on the local .NET base image,
/// restoring from this machine's NuGet feed (its NuGet.Config passed as the build secret), then its entrypoint run
/// as the image says (user, environment) against a throwaway redis-server until it answers /healthz.
/// </summary>
[Trait("Category", "Interop")]
public sealed class MunitImageTests
{
    private const string Image = "localhost/mobz-munit:test";

    [Fact]
    public async Task The_munit_image_builds_and_its_entrypoint_serves_healthz()
    {
        var baseImage = await Buildah.BaseImageAsync();
        var build = new List<string>
        {
            "bud", "--isolation", "chroot", "--layers=false", "-f", "docker/Dockerfile.munit",
            "--build-arg", $"SDK_IMAGE={baseImage}", "--build-arg", $"RUNTIME_IMAGE={baseImage}", "-t", Image,
        };
        var nugetConfig = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "NuGet", "NuGet.Config");
        if (File.Exists(nugetConfig)) build.AddRange(["--secret", $"id=nuget,src={nugetConfig}"]);
        build.Add(".");
        var built = await Buildah.RunAsync(TimeSpan.FromMinutes(12), [.. build]);
        Assert.True(built.ExitCode == 0, built.All);

        var config = await Buildah.ConfigAsync(Image);
        var entrypoint = config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(["dotnet", "/app/MobZ.MunitHost.dll"], entrypoint);
        Assert.Equal("1654", config.GetProperty("User").GetString());

        await using var redis = await RedisServer.StartPrivateAsync();
        var http = FreePort(SocketType.Stream, ProtocolType.Tcp);
        var udp = FreePort(SocketType.Dgram, ProtocolType.Udp);
        var container = await Buildah.MustAsync(TimeSpan.FromMinutes(5), "from", "-q", Image);
        var run = new List<string> { "run", "--isolation", "chroot", "--network", "host", "--user", config.GetProperty("User").GetString()! };
        foreach (var e in config.GetProperty("Env").EnumerateArray()) run.AddRange(["-e", e.GetString()!]);
        run.AddRange(["-e", $"MOBZ_REDIS={redis.Configuration}", "-e", $"MUNIT_HTTP_PORT={http}", "-e", $"MUNIT_UDP_PORT={udp}",
            "-e", "MUNIT_PUBLIC_IP=127.0.0.1", "-e", "MUNIT_BIND_ADDRESS=127.0.0.1", container, "--", .. entrypoint]);
        var info = new ProcessStartInfo("buildah") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in Buildah.Args([.. run])) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var health = await Eventually.ValueAsync(async () =>
            {
                if (process.HasExited) throw new InvalidOperationException($"the container exited {process.ExitCode}:\n{log}");
                try { return await client.GetStringAsync($"http://127.0.0.1:{http}/healthz"); }
                catch (HttpRequestException) { return null; }
                catch (TaskCanceledException) { return null; }
            }, TimeSpan.FromMinutes(2), "the Munit in the image answers /healthz");
            using var doc = JsonDocument.Parse(health);
            Assert.StartsWith("munit-", doc.RootElement.GetProperty("munitId").GetString());
            Assert.False(doc.RootElement.GetProperty("draining").GetBoolean());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            // buildah's chroot runner leaves the container's process in its own session: it is found by the ports
            // this test gave it, and ended by id.
            foreach (var pid in ProcessesWithEnvironment($"MUNIT_HTTP_PORT={http}", $"MUNIT_UDP_PORT={udp}"))
                try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
            await Buildah.RunAsync(TimeSpan.FromMinutes(2), "rm", container);
        }
    }

    private static IEnumerable<int> ProcessesWithEnvironment(params string[] entries)
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string[] environ;
            try { environ = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0'); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (entries.All(environ.Contains)) yield return pid;
        }
    }

    private static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
