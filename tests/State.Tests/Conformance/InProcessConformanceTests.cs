using Microsoft.Extensions.Logging;
using MobZ.State.InProcess;

namespace MobZ.State.Tests.Conformance;

public sealed class InProcessConformanceTests : StateConformanceTests
{
    protected override Task<IStateBackend> OpenAsync(ILoggerFactory loggerFactory) =>
        Task.FromResult<IStateBackend>(new InProcessBackend(loggerFactory));

    protected override Task<IReadOnlyList<IStateBackend>> OpenClientsAsync(int count) =>
        Task.FromResult<IReadOnlyList<IStateBackend>>([Backend]);

    [Fact]
    public async Task Factory_without_configuration_builds_the_in_process_backend()
    {
        await using var backend = await StateBackend.CreateAsync(null, Logs);
        Assert.Equal("in-process", backend.Name);
        Assert.IsType<InProcessBackend>(backend);
    }
}
