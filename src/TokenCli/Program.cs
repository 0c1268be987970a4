using Microsoft.Extensions.Configuration;
using MobZ.TokenCli;

var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
return TokenCommand.Run(args, configuration, TimeProvider.System, Console.Out, Console.Error);
