using System.Diagnostics;
using System.Text;
using MobZ.Access;
using MobZ.TestKit.Redis;
using MobZ.TestKit.Repository;
using Xunit.Abstractions;

namespace MobZ.Aws.Tests.Lambda;

/// <summary>
/// The `bootstrap` that make deploy ships: published with Native AOT exactly as scripts/deploy.sh does, then run as a
/// rooms function against the Runtime API double, on redis-server, answering through the @connections double. It
/// refuses a $connect without a token byte for byte as the JIT build does, and a granted client joins — so the
/// source-generated JSON, configuration binding (the access key comes from the environment) and SigV4 all work with
/// no JIT and no reflection. Budget=Long: the AOT publish took 3-7 minutes on two shared cores, more than
/// `make test` affords; `make test-aot` runs it.
/// </summary>
[Trait("Category", "Interop")]
[Trait("Budget", "Long")]
public sealed class NativeAotBootstrapTests(RedisServer redis, ITestOutputHelper output)
    : IClassFixture<RedisServer>,
        IDisposable
{
    private readonly string _publish = Directory.CreateTempSubdirectory("mobz-aot-").FullName;

    public void Dispose() => Directory.Delete(_publish, recursive: true);

    [Fact]
    public async Task The_native_bootstrap_refuses_connect_as_the_JIT_build_does_and_lets_a_granted_client_join()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var started = Stopwatch.StartNew();
        var (exitCode, log) = await RunAsync(
            "dotnet",
            [
                "publish",
                Repo.PathOf("src", "Signaling.Lambda"),
                "-c",
                configuration,
                "-r",
                "linux-x64",
                "-o",
                _publish,
                "-nologo",
            ],
            TimeSpan.FromMinutes(25)
        );
        output.WriteLine($"dotnet publish (Native AOT): {started.Elapsed.TotalSeconds:F0} s");
        Assert.True(exitCode == 0, log);
        // Trim and AOT warnings fail the publish (IlcTreatWarningsAsErrors); none may even be printed.
        Assert.DoesNotMatch(@"warning IL[23]\d{3}", log);

        var bootstrap = Path.Combine(_publish, "bootstrap");
        var magic = new byte[4];
        await using (var file = File.OpenRead(bootstrap))
            await file.ReadExactlyAsync(magic);
        Assert.Equal([0x7F, (byte)'E', (byte)'L', (byte)'F'], magic);
        Assert.False(File.Exists(Path.Combine(_publish, "bootstrap.dll")), "a native executable, no IL beside it");

        string jitRefusal;
        var jitBuild = Repo.PathOf("src", "Signaling.Lambda", "bin", configuration, "net10.0", "bootstrap.dll");
        await using (var jit = await FunctionProcess.StartAsync("dotnet", [jitBuild], redis))
        {
            jitRefusal = (await jit.ConnectAsync("c-none=", null, TimeSpan.FromSeconds(60))).Body;
        }

        await using var aot = await FunctionProcess.StartAsync(bootstrap, [], redis);
        var refusal = await aot.ConnectAsync("c-none=", null, TimeSpan.FromSeconds(60));
        Assert.Equal(401, FunctionProcess.StatusOf(refusal));
        Assert.Equal(jitRefusal, refusal.Body);

        var issuer = new AccessTokenIssuer(
            new AccessTokenOptions { HmacSecret = FunctionProcess.Secret, Audience = FunctionProcess.Audience },
            TimeProvider.System
        );
        var token = issuer.Issue("ann", "stage", AccessGrant.Join | AccessGrant.Subscribe, TimeSpan.FromHours(1));
        Assert.Equal(200, FunctionProcess.StatusOf(await aot.ConnectAsync("c-ann=", token)));
        await aot.MessageAsync(
            "c-ann=",
            """{"action":"Join","requestId":"j1","roomId":"stage","roomKind":"p2m","role":"viewer"}"""
        );
        var ack = await aot.ReplyAsync("c-ann=", "JoinAck");
        Assert.Equal("c-ann=", ack.GetProperty("participantId").GetString());
        Assert.Equal("j1", ack.GetProperty("requestId").GetString());

        Assert.All(aot.Connections.Received, r => Assert.Null(r.Rejection));
        Assert.Empty(aot.Runtime.Violations);
    }

    /// <summary>Runs a program to its end (its whole tree is killed at the deadline); stdout and stderr
    /// together.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(
        string file,
        IEnumerable<string> args,
        TimeSpan timeout
    )
    {
        var info = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repo.Root,
        };
        using var process = Process.Start(info)!;
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            lock (log)
                log.AppendLine(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (log)
                log.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            lock (log)
                throw new TimeoutException($"{file} did not finish within {timeout}:\n{log}");
        }
        process.WaitForExit();
        lock (log)
            return (process.ExitCode, log.ToString());
    }
}
