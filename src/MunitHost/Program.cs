using MobZ.MunitHost;
using MobZ.MunitHost.Configuration;
using MobZ.MunitHost.Ecs;

// One Munit (SFU) with its Regulator per ECS Fargate task; configuration from the environment (docs/deploy.md).
if (args is [HealthProbe.Command])
    return await HealthProbe.RunAsync();

MunitHostSettings settings;
try
{
    settings = MunitHostSettings.FromEnvironment();
}
catch (MunitHostConfigurationException ex)
{
    Console.Error.WriteLine($"munit: {ex.Message}");
    return 2;
}

try
{
    var (app, backend) = await MunitHostApp.BuildAsync(settings, args);
    await using (backend)
    {
        await app.RunAsync(); // stops (drain, hand-over) and disposes the host
    }
    return 0;
}
catch (Exception ex)
    when (ex
            is EcsDiscoveryException
                or MobZ.Aws.Credentials.AwsCredentialsException
                or MobZ.Aws.Clients.AwsServiceException
                or MobZ.State.StateUnavailableException
    )
{
    // Start-up failures are one line for the task's stopped reason; ECS starts a replacement.
    Console.Error.WriteLine($"munit: cannot start: {ex.Message}");
    return 1;
}
