using BenchmarkDotNet.Running;
using MobZ.Bench.Signaling;

if (args is ["join-storm", .. var rest])
    return await JoinStorm.RunAsync(rest);

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

public partial class Program;
