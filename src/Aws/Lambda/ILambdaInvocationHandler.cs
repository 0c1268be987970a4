namespace MobZ.Aws.Lambda;

/// <summary>Turns one event into the response payload; throwing reports an invocation error.</summary>
public interface ILambdaInvocationHandler
{
    /// <param name="cancellationToken">Cancelled at the invocation's deadline (less the runtime's reporting margin).</param>
    Task<ReadOnlyMemory<byte>> InvokeAsync(LambdaInvocation invocation, CancellationToken cancellationToken);
}
