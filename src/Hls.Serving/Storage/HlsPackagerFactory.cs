using Microsoft.Extensions.Logging;
using MobZ.State;

namespace MobZ.Hls.Serving.Storage;

/// <summary>The packager of a stream that writes to the state store <c>MapHls</c> serves from.</summary>
internal sealed class HlsPackagerFactory : IHlsPackagerFactory
{
    private readonly IStateStore _store;
    private readonly IMessageBus _bus;
    private readonly HlsOptions _options;
    private readonly string _keyPrefix;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;

    public HlsPackagerFactory(
        IStateStore store,
        IMessageBus bus,
        HlsOptions options,
        string keyPrefix,
        ILoggerFactory loggers,
        TimeProvider time
    )
    {
        _keyPrefix = keyPrefix;
        _store = store;
        _bus = bus;
        _options = options;
        _loggers = loggers;
        _time = time;
    }

    public HlsPackager Create(string stream)
    {
        ILogger logger = _loggers.CreateLogger("MobZ.Hls.Packager");
        return new HlsPackager(stream, Writer(stream, logger), _options, logger, _time);
    }

    public HlsLadder CreateLadder(string stream)
    {
        ILogger logger = _loggers.CreateLogger("MobZ.Hls.Packager");
        return new HlsLadder(stream, Writer(stream, logger), _options, logger, _time);
    }

    private HlsStreamWriter Writer(string stream, ILogger logger)
    {
        if (!HlsKeys.IsValidStreamName(stream))
        {
            throw new ArgumentException("A stream name is 1-128 letters, digits, '-' or '_'.", nameof(stream));
        }

        return new HlsStreamWriter(stream, _store, _bus, _options, logger, _keyPrefix);
    }
}
