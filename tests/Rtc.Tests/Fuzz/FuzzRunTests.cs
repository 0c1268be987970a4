using System.Diagnostics;
using Xunit.Abstractions;

namespace MobZ.Rtc.Tests.Fuzz;

/// <summary>
/// The bounded fuzz run of `make test`: scripts/fuzz.sh runs every harness of fuzz/MobZ.Fuzz (RTP, RTCP, STUN, DTLS
/// records, SDP, H.264, rooms and Pixel Streaming JSON, HLS requests) under AFL++ for a few seconds each, from the
/// checked-in corpus (docs/fuzzing.md). Interop-tagged so it runs alone, after the parallel unit phase, instead of
/// starving it.
/// </summary>
[Trait("Category", "Interop")]
public sealed class FuzzRunTests(ITestOutputHelper output)
{
    private const int SecondsPerHarness = 6;

    [Fact]
    public async Task Every_harness_runs_under_afl_without_a_crash()
    {
        Assert.True(
            (Environment.GetEnvironmentVariable("PATH") ?? "")
                .Split(':')
                .Any(dir => File.Exists(Path.Combine(dir, "afl-fuzz"))),
            "AFL++ (afl-fuzz) is not installed: scripts/install-prereqs.sh installs Debian's afl++"
        );
        string root = RepositoryRoot();
        var start = new ProcessStartInfo("bash", [Path.Combine(root, "scripts", "fuzz.sh")])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["FUZZ_SECONDS"] = SecondsPerHarness.ToString() },
        };
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        // Nine harnesses of six seconds plus the build and instrumentation: generous for a loaded machine.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(deadline.Token);
        string report = await stdout + await stderr;
        output.WriteLine(report);

        // The lines that are not a clean harness's stats come first: a CI log keeps only the start of a message.
        var problems = report.Split('\n').Where(line => !line.Contains("crashes 0,") && line.Trim().Length > 0);
        Assert.True(
            process.ExitCode == 0,
            $"scripts/fuzz.sh exited {process.ExitCode}:\n{string.Join('\n', problems)}\n\nwhole report:\n{report}"
        );
        Assert.Equal(9, report.Split('\n').Count(line => line.Contains(" execs in ") && line.Contains("crashes 0")));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MobZ.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException("MobZ.sln not found above the test binaries");
    }
}
