namespace MobZ.State;

/// <summary>
/// The backend could not be reached (Redis down or restarting). Callers treat it as transient: keys still
/// hold the truth, so retrying or reconciling after <see cref="IMessageBus.Reconnected"/> is safe.
/// Thrown instead of the client library's own exceptions so no caller depends on the Redis client.
/// </summary>
public sealed class StateUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
