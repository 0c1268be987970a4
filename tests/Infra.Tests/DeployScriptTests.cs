using MobZ.Infra.Tests.Support;
using MobZ.TestKit.Repository;

namespace MobZ.Infra.Tests;

/// <summary>
/// scripts/deploy.sh and destroy.sh in a scratch clone of their files, with docker, zip, cfn-lint and dotnet replaced
/// by recorders on PATH, and aws by Support/fake_aws.py (AWS cannot be reached from here), which refuses a call the
/// real CLI would refuse (unknown command or option, missing required parameter) and keeps a small account as files: it
/// logs in to ECR before pushing, it never ships uncommitted changes under the commit's name, it makes what a new
/// account lacks and nothing a second time, and destroy deletes the stacks (and the rest only when asked).
/// </summary>
public sealed class DeployScriptTests : IDisposable
{
    private const string Repository = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mobz-munit";
    private readonly string _dir = Directory.CreateTempSubdirectory("mobz-deploy-").FullName;
    private string Work => Path.Combine(_dir, "repo");
    private string Calls => Path.Combine(_dir, "calls.log");
    private string State => Path.Combine(_dir, "account");

    public DeployScriptTests()
    {
        CopyDir(Repo.PathOf("scripts"), Path.Combine(Work, "scripts"));
        CopyDir(Repo.PathOf("resources"), Path.Combine(Work, "resources"));
        CopyDir(Repo.PathOf("docker"), Path.Combine(Work, "docker"));
        File.WriteAllText(Path.Combine(Work, ".gitignore"), "artifacts/\n");

        var bin = Directory.CreateDirectory(Path.Combine(_dir, "bin")).FullName;
        // Every fake writes one line per call; `aws ecr get-login-password` prints a token, `docker login` records
        // what it read on stdin, `dotnet publish -o DIR` and `zip ... FILE .` leave their output where the script
        // looks. aws is the fake account: describe-stacks answers the rooms endpoint once the signaling stack has been
        // deployed.
        File.WriteAllText(
            Path.Combine(bin, "aws"),
            $"#!/bin/bash\nexec /usr/bin/python3 {Path.Combine(AppContext.BaseDirectory, "Support", "fake_aws.py")} \"$@\"\n"
        );
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(
                Path.Combine(bin, "aws"),
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            );
        }

        Fake(bin, "docker", """[[ "$1" == login ]] && echo "docker stdin $(cat)" >>"$CALLS" """);
        Fake(bin, "zip", """touch "$2" """);
        Fake(bin, "cfn-lint", "");
        Fake(
            bin,
            "dotnet",
            """for ((i=1;i<=$#;i++)); do [[ "${!i}" == -o ]] && { j=$((i+1)); mkdir -p "${!j}"; touch "${!j}/bootstrap"; }; done"""
        );
        Git("init", "-q", "-b", "main");
        Git("add", "-A");
        Git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "deploy test");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // A new account's deployer: a region, credentials, and none of the optional variables.
    private Dictionary<string, string?> Env(
        bool dirtyAllowed = false,
        string region = "eu-west-1",
        IReadOnlyDictionary<string, string?>? extra = null
    )
    {
        var env = new Dictionary<string, string?>
        {
            ["PATH"] = Path.Combine(_dir, "bin") + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["CALLS"] = Calls,
            ["AWS_STATE"] = State,
            ["AWS_REGION"] = region,
            ["AWS_DEFAULT_REGION"] = null,
            ["MOBZ_ENGINE"] = null,
            ["MOBZ_CODE_BUCKET"] = null,
            ["MOBZ_MUNIT_REPOSITORY"] = null,
            ["MOBZ_TOKEN_SECRET_ARN"] = null,
            ["MOBZ_API_KEY_SECRET_ARN"] = null,
            ["MOBZ_DESTROY_RETAINED"] = null,
            ["MOBZ_DEPLOY_DIRTY"] = dirtyAllowed ? "1" : null,
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
            env[k] = v;
        return env;
    }

    private Task<ShellResult> DeployAsync(
        bool dirtyAllowed = false,
        string region = "eu-west-1",
        IReadOnlyDictionary<string, string?>? extra = null
    ) =>
        Shell.RunAsync(
            "/bin/bash",
            [Path.Combine(Work, "scripts", "deploy.sh")],
            TimeSpan.FromMinutes(2),
            Work,
            Env(dirtyAllowed, region, extra)
        );

    private Task<ShellResult> DestroyAsync(IReadOnlyDictionary<string, string?>? extra = null) =>
        Shell.RunAsync(
            "/bin/bash",
            [Path.Combine(Work, "scripts", "destroy.sh")],
            TimeSpan.FromMinutes(2),
            Work,
            Env(extra: extra)
        );

    private string[] Recorded() => File.Exists(Calls) ? File.ReadAllLines(Calls) : [];

    private string[] Aws() => [.. Recorded().Where(c => c.StartsWith("aws ", StringComparison.Ordinal))];

    /// <summary>Runs, requires success and no call the CLI would refuse, and returns the aws calls of this
    /// run.</summary>
    private async Task<(ShellResult Result, string[] Calls)> MustAsync(Func<Task<ShellResult>> run)
    {
        if (File.Exists(Calls))
            File.Delete(Calls);
        var result = await run();
        var refused = File.Exists(Calls + ".refused") ? File.ReadAllText(Calls + ".refused") : "";
        Assert.True(refused.Length == 0, "calls the AWS CLI refuses:\n" + refused);
        Assert.True(result.ExitCode == 0, result.All + "\n" + string.Join('\n', Recorded()));
        return (result, Aws());
    }

    private const string Bucket = "mobz-code-123456789012-eu-west-1";
    private const string TokenArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mobz/player-token-key-AbCdEf";
    private const string ApiKeyArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mobz/api-key-AbCdEf";

    private static readonly string[] Creations =
    [
        "aws s3api create-bucket",
        "aws s3api put-public-access-block",
        "aws ecr create-repository",
        "aws secretsmanager create-secret",
        "aws secretsmanager restore-secret",
        "aws iam create-service-linked-role",
    ];

    [Fact]
    public async Task On_a_new_account_deploy_creates_bucket_repository_secrets_and_role_with_documented_CLI_calls()
    {
        var (result, calls) = await MustAsync(() => DeployAsync());

        // In order, each after the look-up that found it missing (the fake refuses any option the CLI lacks).
        string[] expected =
        [
            "aws sts get-caller-identity --query Account --output text",
            $"aws s3api head-bucket --bucket {Bucket}",
            $"aws s3api create-bucket --bucket {Bucket} --create-bucket-configuration LocationConstraint=eu-west-1",
            $"aws s3api put-public-access-block --bucket {Bucket} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
            "aws ecr describe-repositories --repository-names mobz-munit --region eu-west-1",
            "aws ecr create-repository --repository-name mobz-munit --image-scanning-configuration scanOnPush=true --region eu-west-1",
            "aws secretsmanager describe-secret --secret-id mobz/player-token-key --query [ARN,DeletedDate] --output text",
            "aws secretsmanager describe-secret --secret-id mobz/api-key --query [ARN,DeletedDate] --output text",
            "aws iam get-role --role-name AWSServiceRoleForECS",
            "aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com",
        ];
        var positions = expected.Select(e => Array.IndexOf(calls, e)).ToArray();
        Assert.True(
            positions.All(p => p >= 0) && positions.SequenceEqual(positions.Order()),
            "expected, in order:\n"
                + string.Join('\n', expected.Where((e, i) => positions[i] < 0).Select(e => "missing: " + e))
                + "\ncalls:\n"
                + string.Join('\n', calls)
        );

        // Two secrets with generated values: 256-bit keys as hex, different, read from files (never on a command line).
        var created = calls
            .Where(c => c.StartsWith("aws secretsmanager create-secret", StringComparison.Ordinal))
            .ToArray();
        Assert.Equal(2, created.Length);
        Assert.Matches(
            @"^aws secretsmanager create-secret --name mobz/player-token-key --description .+ --secret-string file:///\S+ --query ARN --output text$",
            created[0]
        );
        Assert.Matches(
            @"^aws secretsmanager create-secret --name mobz/api-key --description .+ --secret-string file:///\S+ --query ARN --output text$",
            created[1]
        );
        var values = new[] { "mobz%2Fplayer-token-key", "mobz%2Fapi-key" }
            .Select(f =>
                System
                    .Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(State, "secrets", f)))
                    .RootElement.GetProperty("SecretString")
                    .GetString()!
            )
            .ToArray();
        Assert.All(values, v => Assert.Matches("^[0-9a-f]{64}$", v));
        Assert.NotEqual(values[0], values[1]);
        Assert.DoesNotContain(Recorded(), c => values.Any(v => c.Contains(v, StringComparison.Ordinal)));

        // The stacks get the created secrets' ARNs and the created bucket; the URLs are printed.
        Assert.Contains(calls, c =>
            c.StartsWith("aws cloudformation deploy --stack-name mobz-signaling", StringComparison.Ordinal)
            && c.Contains($"CodeBucket={Bucket} ", StringComparison.Ordinal)
            && c.Contains($"PlayerTokenSecretArn={TokenArn} ApiKeySecretArn={ApiKeyArn}", StringComparison.Ordinal)
        );
        Assert.Contains(calls, c =>
            c.StartsWith("aws cloudformation deploy --stack-name mobz-munits", StringComparison.Ordinal)
            && c.Contains($"AccessTokenSecretArn={TokenArn} ", StringComparison.Ordinal)
        );
        Assert.Contains(
            "rooms WebSocket:           wss://abc123.execute-api.eu-west-1.amazonaws.com/prod",
            result.Output
        );
        Assert.Contains(
            "Pixel Streaming WebSocket: wss://def456.execute-api.eu-west-1.amazonaws.com/prod",
            result.Output
        );
        Assert.Contains(
            "HTTP API:                  https://ghi789.execute-api.eu-west-1.amazonaws.com (",
            result.Output
        );
        Assert.Contains(
            "LL-HLS playback:           http://mobz-hls-1.eu-west-1.elb.amazonaws.com/hls/{room}/index.m3u8",
            result.Output
        );
    }

    [Fact]
    public async Task A_second_deploy_finds_everything_and_creates_nothing()
    {
        await MustAsync(() => DeployAsync());
        var secretsBefore = Directory
            .GetFiles(Path.Combine(State, "secrets"))
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

        var (_, calls) = await MustAsync(() => DeployAsync());
        Assert.DoesNotContain(calls, c => Creations.Any(c.StartsWith));
        Assert.Contains($"aws s3api head-bucket --bucket {Bucket}", calls);
        Assert.Contains("aws ecr describe-repositories --repository-names mobz-munit --region eu-west-1", calls);
        Assert.Equal(
            secretsBefore,
            Directory.GetFiles(Path.Combine(State, "secrets")).ToDictionary(f => Path.GetFileName(f), File.ReadAllText)
        );
        Assert.Contains(calls, c =>
            c.StartsWith("aws cloudformation deploy --stack-name mobz-signaling", StringComparison.Ordinal)
            && c.Contains($"PlayerTokenSecretArn={TokenArn} ApiKeySecretArn={ApiKeyArn}", StringComparison.Ordinal)
        );
        // The signaling stack exists now: the Munits are deployed once, with the rooms endpoint.
        Assert.Single(calls, c =>
            c.StartsWith("aws cloudformation deploy --stack-name mobz-munits", StringComparison.Ordinal)
        );
    }

    [Fact]
    public async Task Given_names_are_used_as_they_are_and_the_account_is_not_looked_up()
    {
        Directory.CreateDirectory(Path.Combine(State, "buckets"));
        File.WriteAllText(Path.Combine(State, "buckets", "team-code"), "");
        var (_, calls) = await MustAsync(() =>
            DeployAsync(
                extra: new Dictionary<string, string?>
                {
                    ["MOBZ_CODE_BUCKET"] = "team-code",
                    ["MOBZ_MUNIT_REPOSITORY"] = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/munit",
                    ["MOBZ_TOKEN_SECRET_ARN"] = "team/token",
                    ["MOBZ_API_KEY_SECRET_ARN"] = "team/key",
                }
            )
        );
        Assert.DoesNotContain(calls, c =>
            c.StartsWith("aws sts", StringComparison.Ordinal)
            || c.StartsWith("aws s3api create-bucket", StringComparison.Ordinal)
        );
        // The repository's region is the one in its URI; the secrets are made under the given names.
        Assert.Contains(
            "aws ecr create-repository --repository-name team/munit --image-scanning-configuration scanOnPush=true --region eu-central-1",
            calls
        );
        Assert.Contains(calls, c =>
            c.StartsWith("aws secretsmanager create-secret --name team/token ", StringComparison.Ordinal)
        );
        Assert.Contains(calls, c =>
            c.StartsWith("aws s3 cp ", StringComparison.Ordinal)
            && c.Contains(" s3://team-code/mobz/bootstrap-", StringComparison.Ordinal)
        );
        Assert.Contains(calls, c =>
            c.StartsWith("aws cloudformation deploy --stack-name mobz-munits", StringComparison.Ordinal)
            && c.Contains(
                "MunitImage=123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/munit:",
                StringComparison.Ordinal
            )
        );
    }

    [Fact]
    public async Task In_us_east_1_the_bucket_is_created_without_a_location_constraint()
    {
        var (_, calls) = await MustAsync(() => DeployAsync(region: "us-east-1"));
        Assert.Contains("aws s3api create-bucket --bucket mobz-code-123456789012-us-east-1", calls);
    }

    [Fact]
    public async Task The_fake_CLI_refuses_what_the_real_one_refuses()
    {
        // The checks above mean something only if a wrong call fails: an unknown option, a missing required one, a
        // bucket outside us-east-1 without its location constraint.
        foreach (
            var bad in new[]
            {
                "ecr create-repository --name mobz-munit",
                "secretsmanager create-secret --secret-string x",
                "cloudformation deploy --stack-name s",
                "s3api create-bucket --bucket b",
            }
        )
        {
            var r = await Shell.BashAsync($"aws {bad}", TimeSpan.FromMinutes(1), Work, Env());
            Assert.True(r.ExitCode is 252 or 254, $"aws {bad} exited {r.ExitCode}: {r.All}");
        }
    }

    [Fact]
    public async Task Destroy_deletes_the_stacks_in_reverse_order_and_keeps_the_rest_unless_asked()
    {
        await MustAsync(() => DeployAsync());

        var (_, calls) = await MustAsync(() => DestroyAsync());
        string[] expected =
        [
            "aws cloudformation delete-stack --stack-name mobz-signaling",
            "aws cloudformation wait stack-delete-complete --stack-name mobz-signaling",
            "aws cloudformation delete-stack --stack-name mobz-munits",
            "aws cloudformation wait stack-delete-complete --stack-name mobz-munits",
            "aws cloudformation delete-stack --stack-name mobz-network",
            "aws cloudformation wait stack-delete-complete --stack-name mobz-network",
        ];
        Assert.Equal(
            expected,
            calls.Where(c =>
                c.Contains("delete-stack", StringComparison.Ordinal) || c.Contains(" wait ", StringComparison.Ordinal)
            )
        );
        Assert.DoesNotContain(calls, c =>
            c.StartsWith("aws s3 rb", StringComparison.Ordinal)
            || c.Contains("delete-repository", StringComparison.Ordinal)
            || c.Contains("delete-secret", StringComparison.Ordinal)
            || c.StartsWith("aws sts", StringComparison.Ordinal)
        );
        Assert.Empty(Directory.GetFiles(Path.Combine(State, "stacks")));
        Assert.Single(Directory.GetFiles(Path.Combine(State, "buckets")));

        // Again: nothing left to delete, and it says so.
        var (again, againCalls) = await MustAsync(() => DestroyAsync());
        Assert.DoesNotContain(againCalls, c => c.Contains("delete-stack", StringComparison.Ordinal));
        Assert.Contains("stack mobz-network: absent", again.Output);

        // With the opt-in: the bucket (with its objects), the repository (with its images), the secrets (recoverable).
        var (_, retained) = await MustAsync(() =>
            DestroyAsync(new Dictionary<string, string?> { ["MOBZ_DESTROY_RETAINED"] = "1" })
        );
        Assert.Contains($"aws s3 rb s3://{Bucket} --force", retained);
        Assert.Contains("aws ecr delete-repository --repository-name mobz-munit --force --region eu-west-1", retained);
        Assert.Contains(
            "aws secretsmanager delete-secret --secret-id mobz/player-token-key --recovery-window-in-days 7",
            retained
        );
        Assert.Contains(
            "aws secretsmanager delete-secret --secret-id mobz/api-key --recovery-window-in-days 7",
            retained
        );
        Assert.Empty(Directory.GetFiles(Path.Combine(State, "buckets")));
        Assert.Empty(Directory.GetFiles(Path.Combine(State, "repos")));

        // A deploy inside the recovery window restores the secrets (their values are what clients hold) and makes the
        // rest again.
        var (_, redeploy) = await MustAsync(() => DeployAsync());
        Assert.Contains("aws secretsmanager restore-secret --secret-id mobz/player-token-key", redeploy);
        Assert.Contains("aws secretsmanager restore-secret --secret-id mobz/api-key", redeploy);
        Assert.DoesNotContain(redeploy, c =>
            c.StartsWith("aws secretsmanager create-secret", StringComparison.Ordinal)
        );
        Assert.Contains(redeploy, c => c.StartsWith("aws s3api create-bucket", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_clean_tree_logs_in_to_ecr_before_pushing_the_image_tagged_with_the_commit()
    {
        await MustAsync(() => DeployAsync());

        var calls = Recorded();
        var commit = Git("rev-parse", "--short", "HEAD").Trim();
        var password = Array.FindIndex(calls, c => c == "aws ecr get-login-password --region eu-west-1");
        var login = Array.FindIndex(calls, c =>
            c == "docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com"
        );
        var token = Array.IndexOf(calls, "docker stdin ecr-token-1");
        var push = Array.FindIndex(calls, c => c == $"docker push {Repository}:{commit}");
        // aws and docker login run side by side in a pipe; the login is done once it has read the token.
        Assert.True(password >= 0 && login >= 0 && token >= 0 && push > token, string.Join('\n', calls));
        Assert.Contains(calls, c =>
            c.StartsWith("aws s3 cp", StringComparison.Ordinal)
            && c.EndsWith($"s3://{Bucket}/mobz/bootstrap-{commit}.zip", StringComparison.Ordinal)
        );
    }

    [Fact]
    public async Task Uncommitted_changes_are_refused_before_anything_is_built_or_uploaded()
    {
        File.AppendAllText(Path.Combine(Work, "resources", "network.yml"), "# local edit\n");
        var result = await DeployAsync();
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("uncommitted changes", result.Error);
        Assert.DoesNotContain(Recorded(), c =>
            c.StartsWith("docker", StringComparison.Ordinal) || c.StartsWith("aws", StringComparison.Ordinal)
        );

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
        Assert.Matches(
            $@"^docker push {System.Text.RegularExpressions.Regex.Escape(Repository)}:{commit}-dirty-[0-9a-f]{{12}}$",
            first
        );

        File.Delete(Calls);
        File.AppendAllText(Path.Combine(Work, "resources", "network.yml"), "# edit two\n");
        Assert.Equal(0, (await DeployAsync(dirtyAllowed: true)).ExitCode);
        var second = Assert.Single(Recorded(), c => c.StartsWith("docker push", StringComparison.Ordinal));
        Assert.NotEqual(first, second);
        Assert.Contains(Recorded(), c =>
            c.Contains(second["docker push ".Length..].Split(':')[1] + ".zip", StringComparison.Ordinal)
        );
    }

    private string Git(params string[] args)
    {
        var r = Shell.RunAsync("git", args, TimeSpan.FromMinutes(1), Work).GetAwaiter().GetResult();
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"git {string.Join(' ', args)}: {r.All}");
        return r.Output;
    }

    private static void Fake(string bin, string name, string body)
    {
        var path = Path.Combine(bin, name);
        File.WriteAllText(path, $"#!/bin/bash\necho \"{name} $*\" >>\"$CALLS\"\n{body}\nexit 0\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static void CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from))
        {
            File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(Path.Combine(to, Path.GetFileName(f)), File.GetUnixFileMode(f));
        }
    }

    [Fact]
    public async Task On_a_new_account_Munits_are_redeployed_with_the_connections_endpoint_once_signaling_exists()
    {
        var (_, calls) = await MustAsync(() => DeployAsync());

        var munits = calls
            .Select((c, i) => (c, i))
            .Where(x => x.c.StartsWith("aws cloudformation deploy --stack-name mobz-munits", StringComparison.Ordinal))
            .ToList();
        var signaling = Array.FindIndex(calls, c =>
            c.StartsWith("aws cloudformation deploy --stack-name mobz-signaling", StringComparison.Ordinal)
        );
        Assert.Equal(2, munits.Count);
        Assert.Contains("RoomsConnectionsEndpoint= ", munits[0].c + " ");
        Assert.True(munits[0].i < signaling && signaling < munits[1].i, string.Join('\n', calls));
        Assert.Contains(
            "RoomsConnectionsEndpoint=https://abc123.execute-api.eu-west-1.amazonaws.com/prod",
            munits[1].c
        );
    }
}
