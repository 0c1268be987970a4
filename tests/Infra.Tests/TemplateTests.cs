using MobZ.Infra.Tests.Support;
using MobZ.TestKit.Repository;

namespace MobZ.Infra.Tests;

/// <summary>
/// The CloudFormation templates lint clean and give the Pixel Streaming instance provider what it needs on a new
/// account: its ECS settings in the functions' environment, GPU capacity for the streamers, the worker port open to
/// the address the Lambdas come from, and Munit deployments that roll back.
/// </summary>
public sealed class TemplateTests
{
    private static string Template(string name) => File.ReadAllText(Repo.PathOf("resources", name));

    [Fact]
    public async Task Cfn_lint_passes_every_template()
    {
        var templates = Directory.GetFiles(Repo.PathOf("resources"), "*.yml").Order().ToArray();
        var result = await Shell.RunAsync("cfn-lint", templates, TimeSpan.FromMinutes(5));
        Assert.True(result.ExitCode == 0, result.All);
    }

    [Theory]
    [InlineData("PixelStreamingFunction")]
    [InlineData("HttpFunction")]
    public void Functions_that_start_instances_get_the_cluster_task_definition_and_gpu_capacity_provider(
        string function
    )
    {
        var env = Yaml.Block(Yaml.Block(Template("signaling.yml"), function), "Variables:");
        Assert.Contains("PS_INSTANCE_PROVIDER: ecs", env);
        foreach (
            var key in new[]
            {
                "PixelStreaming__Ecs__Cluster",
                "PixelStreaming__Ecs__TaskDefinition",
                "PixelStreaming__Ecs__CapacityProvider",
            }
        )
        {
            Assert.Matches($@"(?m)^\s*{key}: \S", env);
        }

        Assert.Contains("${Prefix}-streamer-capacity-provider", env);
        var policy = Yaml.Block(Template("signaling.yml"), "FunctionRole:");
        foreach (
            var action in new[]
            {
                "ecs:RunTask",
                "ecs:DescribeTasks",
                "ecs:DescribeContainerInstances",
                "ec2:DescribeInstances",
                "ecs:StopTask",
            }
        )
        {
            Assert.Contains(action, policy);
        }
    }

    [Fact]
    public void Streamers_run_on_gpu_instances_behind_an_ecs_capacity_provider()
    {
        var t = Template("ecs-fargate.yml");
        var types = Yaml.Block(t, "StreamerInstanceType:");
        var allowed = System
            .Text.RegularExpressions.Regex.Match(types, @"AllowedValues: \[(.*)\]")
            .Groups[1]
            .Value.Split(", ");
        Assert.NotEmpty(allowed);
        Assert.All(allowed, type => Assert.Matches(@"^(g4dn|g5)\.", type));
        Assert.Contains("/aws/service/ecs/optimized-ami/", Yaml.Block(t, "StreamerGpuAmi:"));
        Assert.Contains("/gpu/", Yaml.Block(t, "StreamerGpuAmi:"));

        var launch = Yaml.Block(t, "StreamerLaunchTemplate:");
        Assert.Contains("ImageId: !Ref StreamerGpuAmi", launch);
        Assert.Contains("InstanceType: !Ref StreamerInstanceType", launch);
        Assert.Contains("ECS_CLUSTER=${Cluster}", launch);
        Assert.Contains("AWS::AutoScaling::AutoScalingGroup", Yaml.Block(t, "StreamerHosts:"));
        var provider = Yaml.Block(t, "StreamerCapacityProvider:");
        Assert.Contains("AWS::ECS::CapacityProvider", provider);
        Assert.Contains("AutoScalingGroupArn: !Ref StreamerHosts", provider);
        Assert.Contains("!Ref StreamerCapacityProvider", Yaml.Block(t, "ClusterCapacityProviders:"));

        var task = Yaml.Block(t, "StreamerTask:");
        Assert.Contains("RequiresCompatibilities: [EC2]", task);
        Assert.Matches(@"- Type: GPU\s+Value: ""1""", task);
        Assert.DoesNotContain("FARGATE", task);
        Assert.Contains("Name: !Sub \"${Prefix}-streamer-capacity-provider\"", Yaml.Block(t, "Outputs:"));
    }

    [Fact]
    public void The_worker_port_admits_the_nat_address_the_lambdas_come_from()
    {
        var sg = Yaml.Block(Template("ecs-fargate.yml"), "StreamerSecurityGroup:");
        Assert.Matches(@"FromPort: 8081\s+ToPort: 8081\s+CidrIp: !Sub\s+- ""\$\{NatIp\}/32""", sg);
        Assert.Contains("${Prefix}-nat-ip", sg);
        Assert.Contains("Name: !Sub \"${Prefix}-nat-ip\"", Yaml.Block(Template("network.yml"), "Outputs:"));
    }

    /// <summary>Issue 12: WHIP reaches the rooms function (whose @connections endpoint is the rooms API's), and API
    /// Gateway's CORS lets a browser send the bearer token and read the session URL.</summary>
    [Fact]
    public void The_http_api_routes_whip_to_the_rooms_function_with_cors_for_bearer_tokens()
    {
        var t = Template("signaling.yml");
        Assert.Matches(@"RouteKey: ANY /whip/\{proxy\+\}\s+Target: !Sub ""integrations/\$\{WhipIntegration\}""", t);
        var integration = Yaml.Block(t, "WhipIntegration:");
        Assert.Contains("ApiId: !Ref HttpApi", integration);
        Assert.Contains("IntegrationUri: !GetAtt RoomsFunction.Arn", integration);
        Assert.Contains("PayloadFormatVersion: \"2.0\"", integration);
        var permission = Yaml.Block(t, "WhipInvokePermission:");
        Assert.Contains("FunctionName: !Ref RoomsFunction", permission);
        Assert.Contains("${HttpApi}/*", permission);
        var cors = Yaml.Block(Yaml.Block(t, "HttpApi:"), "CorsConfiguration:");
        Assert.Matches(@"AllowHeaders: \[[^\]]*authorization", cors);
        Assert.Matches(@"AllowMethods: \[[^\]]*PATCH", cors);
        Assert.Matches(@"ExposeHeaders: \[[^\]]*location", cors);
    }

    [Fact]
    public void Munit_deployments_stop_and_roll_back_on_failure()
    {
        var breaker = Yaml.Block(Yaml.Block(Template("ecs-fargate.yml"), "MunitService:"), "DeploymentCircuitBreaker:");
        Assert.Contains("Enable: true", breaker);
        Assert.Contains("Rollback: true", breaker);
    }

    [Fact]
    public void Munits_accept_ice_over_tcp_on_their_tcp_port_unless_it_is_zero()
    {
        var t = Template("ecs-fargate.yml");
        Assert.Contains("HasIceTcp: !Not [!Equals [!Ref MunitTcpPort, 0]]", Yaml.Block(t, "Conditions:"));
        Assert.Matches(
            @"- HasIceTcp\s+- IpProtocol: tcp\s+FromPort: !Ref MunitTcpPort\s+ToPort: !Ref MunitTcpPortLast\s+CidrIp: 0\.0\.0\.0/0",
            Yaml.Block(t, "MunitSecurityGroup:")
        );
        var task = Yaml.Block(t, "MunitTask:");
        Assert.Matches(
            @"- HasIceTcp\s+- ContainerPortRange: !Sub ""\$\{MunitTcpPort\}-\$\{MunitTcpPortLast\}""\s+Protocol: tcp",
            task
        );
        Assert.Matches(@"Name: MUNIT_TCP_PORT\s+Value: !Ref MunitTcpPort", task);
    }

    [Fact]
    public void Munits_open_a_udp_port_per_media_worker_and_run_as_many_workers()
    {
        var t = Template("ecs-fargate.yml");
        Assert.Matches(
            @"- IpProtocol: udp\s+FromPort: !Ref MunitUdpPort\s+ToPort: !Ref MunitUdpPortLast\s+CidrIp: 0\.0\.0\.0/0",
            Yaml.Block(t, "MunitSecurityGroup:")
        );
        var task = Yaml.Block(t, "MunitTask:");
        Assert.Matches(
            @"- ContainerPortRange: !Sub ""\$\{MunitUdpPort\}-\$\{MunitUdpPortLast\}""\s+Protocol: udp",
            task
        );
        Assert.Matches(@"Name: MobZ__Munit__Workers\s+Value: !Ref MunitWorkers", task);
        // The task's 2 vCPUs, one worker each, on ports 40000 and 40001.
        Assert.Contains("Default: 2", Yaml.Block(t, "MunitWorkers:"));
        Assert.Contains("Default: 40001", Yaml.Block(t, "MunitUdpPortLast:"));
        Assert.Contains("Default: 40001", Yaml.Block(t, "MunitTcpPortLast:"));
    }

    [Fact]
    public void Munit_tasks_get_the_access_token_key_from_secrets_manager_to_check_playback_tokens()
    {
        var t = Template("ecs-fargate.yml");
        Assert.Contains("Type: String", Yaml.Block(t, "AccessTokenSecretArn:"));
        // no key, no deployment: playback never opens by accident
        Assert.DoesNotContain("Default:", Yaml.Block(t, "AccessTokenSecretArn:"));
        Assert.Matches(
            @"Secrets:\s+- Name: MobZ__Access__HmacSecret\s+ValueFrom: !Ref AccessTokenSecretArn",
            Yaml.Block(t, "MunitTask:")
        );
        Assert.Matches(
            @"Action: secretsmanager:GetSecretValue\s+Resource: !Ref AccessTokenSecretArn",
            Yaml.Block(t, "ExecutionRole:")
        );
        // The Munits and the signaling functions get the one key (DeployScriptTests checks the ARNs deploy passes).
        var deploy = File.ReadAllText(Repo.PathOf("scripts", "deploy.sh"));
        Assert.Contains("AccessTokenSecretArn=\"$token_secret_arn\"", deploy);
        Assert.Contains("PlayerTokenSecretArn=\"$token_secret_arn\"", deploy);
        // The same issuer and audience as the functions that sign the tokens.
        var signaling = Template("signaling.yml");
        static string Default(string template, string parameter) =>
            Yaml.Block(template, parameter).Split("Default:")[1].Split('\n')[0].Trim();
        Assert.Equal(Default(signaling, "PlayerTokenIssuer"), Default(t, "AccessTokenIssuer"));
        Assert.Equal(Default(signaling, "PlayerTokenAudience"), Default(t, "AccessTokenAudience"));
        Assert.Matches(
            @"Name: MobZ__Access__Issuer\s+Value: !Ref AccessTokenIssuer\s+- Name: MobZ__Access__Audience\s+Value: !Ref AccessTokenAudience",
            Yaml.Block(t, "MunitTask:")
        );
    }
}
