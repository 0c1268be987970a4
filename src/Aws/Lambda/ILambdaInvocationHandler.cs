namespace MobZ.Aws.Lambda;

/// <summary>Turns one event into the response payload; throwing reports an invocation error.</summary>
public interface ILambdaInvocationHandler
{
    /// <param name="cancellationToken">Cancelled at the invocation's deadline (less the runtime's reporting
    /// margin).</param>
    Task<ReadOnlyMemory<byte>> InvokeAsync(LambdaInvocation invocation, CancellationToken cancellationToken);

    /// <summary>
    /// Runs after the response has been posted and before the next invocation is taken: Lambda keeps the
    /// environment running until then. This is how work that must follow a $connect (which API Gateway only
    /// completes once the response is in) still runs promptly, e.g. greeting the new connection.
    /// </summary>
    /// <param name="cancellationToken">Cancelled at the invocation's deadline.</param>
    Task AfterResponseAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
