using Microsoft.Extensions.Logging;
using MlServing.Inference.Observability;
using MlServing.Inference.Redis;
using StackExchange.Redis;

namespace MlServing.Inference.Monitoring.Feedback;

/// <summary>
/// Predictions in Redis (the host's shared multiplexer), so the replica that receives the feedback need not be the one
/// that answered: SET with the TTL, sent without waiting; GET and DEL bounded by a timeout. A Redis that is down stores
/// nothing and answers joins with <see cref="RedisException"/> (the route answers 503).
/// </summary>
public sealed class RedisFeedbackStore : IFeedbackStore
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(30);

    private readonly RedisConnection _connection;
    private readonly string _prefix;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LogThrottle _throttle;

    public RedisFeedbackStore(RedisConnection connection, string keyPrefix, TimeProvider time, ILogger logger)
    {
        _connection = connection;
        _prefix = keyPrefix + "feedback:";
        _time = time;
        _logger = logger;
        _throttle = new LogThrottle(LogInterval, time);
        connection.Start();
    }

    public string Provider => "redis";

    public void Put(string model, string requestId, StoredPrediction prediction, TimeSpan ttl)
    {
        if (!_connection.IsConnected)
        {
            return;
        }

        try
        {
            _ = _connection.Database.StringSetAsync(Key(model, requestId), prediction.Encode(), ttl, When.Always, CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            Fail(ex.Message);
        }
    }

    public async ValueTask<StoredPrediction?> GetAsync(string model, string requestId, CancellationToken cancellationToken)
    {
        var value = await CallAsync(database => database.StringGetAsync(Key(model, requestId)), cancellationToken).ConfigureAwait(false);
        return value.HasValue ? StoredPrediction.Decode((byte[])value!) : null;
    }

    public async ValueTask<bool> RemoveAsync(string model, string requestId, CancellationToken cancellationToken) =>
        await CallAsync(database => database.KeyDeleteAsync(Key(model, requestId)), cancellationToken).ConfigureAwait(false);

    private async Task<T> CallAsync<T>(Func<IDatabase, Task<T>> command, CancellationToken cancellationToken)
    {
        if (!_connection.IsConnected)
        {
            throw new RedisException("not connected to Redis");
        }

        try
        {
            return await command(_connection.Database).WaitAsync(Timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            Fail(ex.Message);
            throw new RedisException("Redis did not answer within 1 s", ex);
        }
        catch (RedisException ex)
        {
            Fail(ex.Message);
            throw;
        }
    }

    private RedisKey Key(string model, string requestId) => _prefix + model + ":" + requestId;

    private void Fail(string reason)
    {
        if (_throttle.TryEnter(out var suppressed))
        {
            MonitoringLog.FeedbackStoreFailed(_logger, reason, suppressed);
        }
    }
}
