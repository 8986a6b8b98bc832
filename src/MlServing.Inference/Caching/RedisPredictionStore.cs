using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlServing.Inference.Observability;
using MlServing.Inference.Redis;
using StackExchange.Redis;

namespace MlServing.Inference.Caching;

/// <summary>
/// Shared cache for a fleet: the host's one multiplexer (<see cref="RedisConnection"/>), one MGET per request, SETs sent without waiting for replies. Every
/// call is bounded by <see cref="CacheOptions.TimeoutMilliseconds"/>; failures are misses, counted and logged at
/// most once per interval, and after <see cref="CacheOptions.FailuresBeforeOpen"/> in a row the circuit opens so a
/// dead Redis costs nothing until a probe finds it back.
/// </summary>
public sealed partial class RedisPredictionStore : IPredictionStore
{
    private readonly CacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisPredictionStore> _logger;
    private readonly CircuitBreaker _breaker;
    private readonly RedisConnection _connection;
    private readonly TimeSpan _timeout;
    private readonly LogThrottle _throttle;
    private volatile string? _lastError;

    public RedisPredictionStore(RedisConnection connection, IOptions<CacheOptions> options, TimeProvider time, ILogger<RedisPredictionStore> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _timeout = TimeSpan.FromMilliseconds(_options.TimeoutMilliseconds);
        _breaker = new CircuitBreaker(_options.FailuresBeforeOpen, TimeSpan.FromSeconds(_options.OpenSeconds), time);
        _throttle = new LogThrottle(TimeSpan.FromSeconds(_options.ErrorLogIntervalSeconds), time);
        _connection = connection;
        connection.Start();
    }

    public string Provider => "redis";

    public CacheHealth Health => _breaker.IsOpen
        ? new CacheHealth(Provider, "degraded", "circuit open after repeated failures: " + _lastError)
        : _lastError is { } error && !IsConnected
            ? new CacheHealth(Provider, "degraded", error)
            : IsConnected ? CacheHealth.Healthy(Provider) : new CacheHealth(Provider, "degraded", "not connected");

    private bool IsConnected => _connection.IsConnected;

    public async ValueTask<CacheLookup> GetAsync(CacheKey[] keys, CancellationToken cancellationToken)
    {
        if (!_breaker.TryEnter() || !IsConnected)
        {
            if (!_breaker.IsOpen && !IsConnected)
            {
                Fail("not connected to Redis");
            }

            return new CacheLookup(new byte[]?[keys.Length], true);
        }

        try
        {
            var redisKeys = new RedisKey[keys.Length];
            for (var i = 0; i < keys.Length; i++)
            {
                redisKeys[i] = Key(keys[i]);
            }

            var found = await _connection.Database.StringGetAsync(redisKeys).WaitAsync(_timeout, _time, cancellationToken).ConfigureAwait(false);
            var values = new byte[]?[keys.Length];
            for (var i = 0; i < found.Length; i++)
            {
                values[i] = found[i].HasValue ? (byte[]?)found[i] : null;
            }

            _breaker.Success();
            _lastError = null;
            return new CacheLookup(values, false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Fail(ex.Message);
            return new CacheLookup(new byte[]?[keys.Length], true);
        }
    }

    public void Set(ReadOnlySpan<CacheKey> keys, ReadOnlySpan<byte[]> values, TimeSpan ttl)
    {
        if (_breaker.IsOpen || !IsConnected)
        {
            return;
        }

        try
        {
            var database = _connection.Database;
            for (var i = 0; i < keys.Length; i++)
            {
                _ = database.StringSetAsync(Key(keys[i]), values[i], ttl, When.Always, CommandFlags.FireAndForget);
            }
        }
        catch (RedisException ex)
        {
            Fail(ex.Message);
        }
    }

    private RedisKey Key(CacheKey key) => _options.KeyPrefix + key.ToString();

    private void Fail(string reason)
    {
        _lastError = reason;
        _breaker.Failure();
        if (_throttle.TryEnter(out var suppressed))
        {
            LogFailure(_logger, reason, suppressed);
        }
    }

    [LoggerMessage(EventId = 1301, EventName = "CacheUnavailable", Level = LogLevel.Warning,
        Message = "Redis prediction cache failed ({Reason}); predictions come from the model. {Suppressed} more failures since the last message")]
    private static partial void LogFailure(ILogger logger, string reason, int suppressed);
}
