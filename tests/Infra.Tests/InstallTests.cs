using MobZ.Infra.Tests.Support;
using MobZ.TestKit.Repository;

namespace MobZ.Infra.Tests;

/// <summary>
/// scripts/install-prereqs.sh on a new machine: a fresh Debian root (debootstrap minbase, cached) entered with
/// chroot, where it must install Node.js, npm and cfn-lint, build the web bundles, and do nothing the second time.
/// The root gets this machine's way out (DNS, CA certificates, npm registry settings); pip gets wheels of the
/// cfn-lint this machine runs (PIP_FIND_LINKS), because no Python package index is reachable here.
/// </summary>
[Trait("Category", "Interop")]
public sealed class InstallTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mobz-install-").FullName;
    private string Root => Path.Combine(_dir, "root");
    private readonly List<string> _mounts = [];

    public async Task InitializeAsync()
    {
        await DebianRoot.UnpackAsync(Root);
        foreach (var fs in new[] { "proc", "dev" })
        {
            var target = Path.Combine(Root, fs);
            await Shell.MustAsync(
                "mount",
                fs == "proc" ? ["-t", "proc", "proc", target] : ["--bind", "/dev", target],
                TimeSpan.FromMinutes(1)
            );
            _mounts.Add(target);
        }
        File.Copy("/etc/resolv.conf", Path.Combine(Root, "etc/resolv.conf"), overwrite: true);
        // The new machine trusts what this one trusts (an egress proxy's CA, if any): ca-certificates keeps
        // /usr/local/share/ca-certificates when it rebuilds the bundle.
        if (Directory.Exists("/usr/local/share/ca-certificates"))
        {
            await Shell.MustAsync(
                "cp",
                ["-a", "/usr/local/share/ca-certificates/.", Path.Combine(Root, "usr/local/share/ca-certificates")],
                TimeSpan.FromMinutes(1)
            );
        }

        File.Copy(
            "/etc/ssl/certs/ca-certificates.crt",
            Path.Combine(Root, "etc/ssl/certs/ca-certificates.crt"),
            overwrite: true
        );
        var npmrc = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".npmrc");
        if (File.Exists(npmrc))
            File.Copy(npmrc, Path.Combine(Root, "root/.npmrc"));

        // The repository's files the script uses: itself, web/ (without node_modules) and where the bundles go.
        var src = Path.Combine(Root, "src");
        await Shell.MustAsync("mkdir", ["-p", Path.Combine(src, "src/LocalStack")], TimeSpan.FromMinutes(1));
        await Shell.MustAsync("cp", ["-a", Repo.PathOf("scripts"), src], TimeSpan.FromMinutes(1));
        var copy = await Shell.BashAsync(
            "tar -C \"$REPO\" -cf - --exclude=web/node_modules --exclude=ps/player.js --exclude=ps/streamer.bundle.js --exclude=hls/hls.light.min.js "
                + "web src/LocalStack/wwwroot | tar -C \"$SRC\" -xf -",
            TimeSpan.FromMinutes(2),
            env: new Dictionary<string, string?> { ["REPO"] = Repo.Root, ["SRC"] = src }
        );
        Assert.True(copy.ExitCode == 0, copy.All);

        var wheels = Path.Combine(Root, "wheels");
        await Shell.MustAsync(
            "python3",
            [Path.Combine(AppContext.BaseDirectory, "Support", "wheelhouse.py"), "cfn-lint", wheels],
            TimeSpan.FromMinutes(5)
        );
    }

    public async Task DisposeAsync()
    {
        foreach (var m in Enumerable.Reverse(_mounts))
            await Shell.RunAsync("umount", ["-l", m], TimeSpan.FromMinutes(1));
        // Never delete through a mount that is still there (the host's /dev).
        if (!File.ReadAllText("/proc/mounts").Contains(_dir, StringComparison.Ordinal))
            await Shell.RunAsync("rm", ["-rf", "--one-file-system", _dir], TimeSpan.FromMinutes(5));
    }

    private Task<ShellResult> InRootAsync(string script, TimeSpan timeout) =>
        Shell.RunAsync(
            "chroot",
            [Root, "/bin/bash", "-lc", script],
            timeout,
            env: new Dictionary<string, string?>
            {
                ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                ["HOME"] = "/root",
                ["PIP_FIND_LINKS"] = "/wheels",
                ["PIP_NO_INDEX"] = "1",
            }
        );

    [Fact]
    public async Task On_a_fresh_debian_the_script_installs_node_npm_and_cfn_lint_and_a_second_run_installs_nothing()
    {
        Assert.NotEqual(
            0,
            (
                await InRootAsync("command -v node || command -v npm || command -v cfn-lint", TimeSpan.FromMinutes(1))
            ).ExitCode
        );

        var first = await InRootAsync("cd /src && scripts/install-prereqs.sh web lint", TimeSpan.FromMinutes(15));
        Assert.True(first.ExitCode == 0, first.All);

        var versions = await InRootAsync(
            "node --version && npm --version && cfn-lint --version",
            TimeSpan.FromMinutes(2)
        );
        Assert.True(versions.ExitCode == 0, versions.All);
        Assert.Matches(@"(?m)^v\d+\.", versions.Output);
        Assert.Contains("cfn-lint 1.51.0", versions.Output);
        Assert.True(
            File.Exists(Path.Combine(Root, "src/src/LocalStack/wwwroot/ps/player.js")),
            "the web bundles were built"
        );

        // cfn-lint from the new install lints a template of the repository.
        File.Copy(Repo.PathOf("resources", "network.yml"), Path.Combine(Root, "src", "network.yml"));
        var lint = await InRootAsync("cfn-lint /src/network.yml", TimeSpan.FromMinutes(3));
        Assert.True(lint.ExitCode == 0, lint.All);

        var second = await InRootAsync("cd /src && scripts/install-prereqs.sh web lint", TimeSpan.FromMinutes(5));
        Assert.True(second.ExitCode == 0, second.All);
        Assert.DoesNotContain("installing", second.All);
    }
}
