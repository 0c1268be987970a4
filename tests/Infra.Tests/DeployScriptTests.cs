using MobZ.TestKit.Repository;
using MobZ.Infra.Tests.Support;

namespace MobZ.Infra.Tests;

/// <summary>
/// scripts/deploy.sh in a scratch clone of its own files, with aws, docker, zip, cfn-lint and dotnet replaced by
/// recorders on PATH (AWS cannot be reached from here): it logs in to ECR before pushing, and it never ships
/// uncommitted changes under the commit's name.
/// </summary>
public sealed class DeployScriptTests : IDisposable
{
    private const string Repository = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mobz-munit";
    private readonly string _dir = Directory.CreateTempSubdirectory("mobz-deploy-").FullName;
    private string Work => Path.Combine(_dir, "repo");
    private string Calls => Path.Combine(_dir, "calls.log");

    public DeployScriptTests()
    {
        Directory.CreateDirectory(Path.Combine(Work, "scripts"));
        foreach (var script in new[] { "deploy.sh", "install-prereqs.sh" })
            File.Copy(Repo.PathOf("scripts", script), Path.Combine(Work, "scripts", script));
        CopyDir(Repo.PathOf("resources"), Path.Combine(Work, "resources"));
        CopyDir(Repo.PathOf("docker"), Path.Combine(Work, "docker"));
        File.WriteAllText(Path.Combine(Work, ".gitignore"), "artifacts/\n");

        var bin = Directory.CreateDirectory(Path.Combine(_dir, "bin")).FullName;
        // Every fake writes one line per call; `aws ecr get-login-password` prints a token, `docker login` records
        // what it read on stdin, `dotnet publish -o DIR` and `zip ... FILE .` leave their output where the script looks.
        // describe-stacks answers the rooms endpoint once the signaling stack has been deployed (as on a new account).
        Fake(bin, "aws", """
            [[ "$1 $2" == "ecr get-login-password" ]] && echo ecr-token-1
            if [[ "$1 $2" == "cloudformation describe-stacks" ]]; then
              grep -q -- "cloudformation deploy --stack-name mobz-signaling" "$CALLS" && echo "https://abc123.execute-api.eu-west-1.amazonaws.com/prod" || exit 254
            fi
            true
            """);
        Fake(bin, "docker", """[[ "$1" == login ]] && echo "docker stdin $(cat)" >>"$CALLS" """);
        Fake(bin, "zip", """touch "$2" """);
        Fake(bin, "cfn-lint", "");
        Fake(bin, "dotnet", """for ((i=1;i<=$#;i++)); do [[ "${!i}" == -o ]] && { j=$((i+1)); mkdir -p "${!j}"; touch "${!j}/bootstrap"; }; done""");
        Git("init", "-q", "-b", "main");
        Git("add", "-A");
        Git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "deploy test");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Dictionary<string, string?> Env(bool dirtyAllowed = false) => new()
    {
        ["PATH"] = Path.Combine(_dir, "bin") + ":" + Environment.GetEnvironmentVariable("PATH"),
        ["CALLS"] = Calls,
        ["MOBZ_CODE_BUCKET"] = "mobz-code",
        ["MOBZ_MUNIT_REPOSITORY"] = Repository,
        ["MOBZ_TOKEN_SECRET_ARN"] = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:token",
        ["MOBZ_API_KEY_SECRET_ARN"] = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:key",
        ["MOBZ_DEPLOY_DIRTY"] = dirtyAllowed ? "1" : null,
    };

    private Task<ShellResult> DeployAsync(bool dirtyAllowed = false) =>
        Shell.RunAsync("/bin/bash", [Path.Combine(Work, "scripts", "deploy.sh")], TimeSpan.FromMinutes(2), Work, Env(dirtyAllowed));

    private string[] Recorded() => File.Exists(Calls) ? File.ReadAllLines(Calls) : [];

    [Fact]
    public async Task A_clean_tree_logs_in_to_ecr_before_pushing_the_image_tagged_with_the_commit()
    {
        var result = await DeployAsync();
        Assert.True(result.ExitCode == 0, result.All);

        var calls = Recorded();
        var commit = Git("rev-parse", "--short", "HEAD").Trim();
        var password = Array.FindIndex(calls, c => c == "aws ecr get-login-password --region eu-west-1");
        var login = Array.FindIndex(calls, c => c == "docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com");
        var token = Array.IndexOf(calls, "docker stdin ecr-token-1");
        var push = Array.FindIndex(calls, c => c == $"docker push {Repository}:{commit}");
        // aws and docker login run side by side in a pipe; the login is done once it has read the token.
        Assert.True(password >= 0 && login >= 0 && token >= 0 && push > token, string.Join('\n', calls));
        Assert.Contains(calls, c => c.StartsWith("aws s3 cp", StringComparison.Ordinal) && c.EndsWith($"s3://mobz-code/mobz/bootstrap-{commit}.zip", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Uncommitted_changes_are_refused_before_anything_is_built_or_uploaded()
    {
        File.AppendAllText(Path.Combine(Work, "resources", "network.yml"), "# local edit\n");
        var result = await DeployAsync();
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("uncommitted changes", result.Error);
        Assert.DoesNotContain(Recorded(), c => c.StartsWith("docker", StringComparison.Ordinal) || c.StartsWith("aws", StringComparison.Ordinal));

        // A new file that git would add counts too.
        Git("checkout", "--", "resources/network.yml");
        File.WriteAllText(Path.Combine(Work, "docker", "extra.txt"), "new\n");
        Assert.NotEqual(0, (await DeployAsync()).ExitCode);
    }

    [Fact]
    public async Task Allowed_dirty_deploys_are_tagged_with_a_hash_of_their_content()
    {
        var commit = Git("rev-parse", "--short", "HEAD").Trim();
        File.AppendAllText(Path.Combine(Work, "resources", "network.yml"), "# edit one\n");
        Assert.Equal(0, (await DeployAsync(dirtyAllowed: true)).ExitCode);
        var first = Assert.Single(Recorded(), c => c.StartsWith("docker push", StringComparison.Ordinal));
        Assert.Matches($@"^docker push {System.Text.RegularExpressions.Regex.Escape(Repository)}:{commit}-dirty-[0-9a-f]{{12}}$", first);

        File.Delete(Calls);
        File.AppendAllText(Path.Combine(Work, "resources", "network.yml"), "# edit two\n");
        Assert.Equal(0, (await DeployAsync(dirtyAllowed: true)).ExitCode);
        var second = Assert.Single(Recorded(), c => c.StartsWith("docker push", StringComparison.Ordinal));
        Assert.NotEqual(first, second);
        Assert.Contains(Recorded(), c => c.Contains(second["docker push ".Length..].Split(':')[1] + ".zip", StringComparison.Ordinal));
    }

    private string Git(params string[] args)
    {
        var r = Shell.RunAsync("git", args, TimeSpan.FromMinutes(1), Work).GetAwaiter().GetResult();
        if (r.ExitCode != 0) throw new InvalidOperationException($"git {string.Join(' ', args)}: {r.All}");
        return r.Output;
    }

    private static void Fake(string bin, string name, string body)
    {
        var path = Path.Combine(bin, name);
        File.WriteAllText(path, $"#!/bin/bash\necho \"{name} $*\" >>\"$CALLS\"\n{body}\nexit 0\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static void CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }

    [Fact]
    public async Task On_a_new_account_the_Munits_are_deployed_again_with_the_rooms_connections_endpoint_once_signaling_exists()
    {
        var result = await DeployAsync();
        Assert.True(result.ExitCode == 0, result.All);

        var calls = Recorded();
        var munits = calls.Select((c, i) => (c, i)).Where(x => x.c.StartsWith("aws cloudformation deploy --stack-name mobz-munits", StringComparison.Ordinal)).ToList();
        var signaling = Array.FindIndex(calls, c => c.StartsWith("aws cloudformation deploy --stack-name mobz-signaling", StringComparison.Ordinal));
        Assert.Equal(2, munits.Count);
        Assert.Contains("RoomsConnectionsEndpoint= ", munits[0].c + " ");
        Assert.True(munits[0].i < signaling && signaling < munits[1].i, string.Join('\n', calls));
        Assert.Contains("RoomsConnectionsEndpoint=https://abc123.execute-api.eu-west-1.amazonaws.com/prod", munits[1].c);
    }
}
