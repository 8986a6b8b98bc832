using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace MlServing.Inference.Caching;

/// <summary>
/// Shared cache for a fleet: one multiplexer, one MGET per request, SETs sent without waiting for replies. Every
/// call is bounded by <see cref="CacheOptions.TimeoutMilliseconds"/>; failures are misses, counted and logged at
/// most once per interval, and after <see cref="CacheOptions.FailuresBeforeOpen"/> in a row the circuit opens so a
/// dead Redis costs nothing until a probe finds it back.
/// </summary>
public sealed partial class RedisPredictionStore : IPredictionStore, IAsyncDisposable
{
    private readonly CacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisPredictionStore> _logger;
    private readonly CircuitBreaker _breaker;
    private readonly Task<ConnectionMultiplexer> _connection;
    private readonly TimeSpan _timeout;
    private long _lastLog;
    private int _suppressed;
    private volatile string? _lastError;

    public RedisPredictionStore(string connectionString, IOptions<CacheOptions> options, TimeProvider time, ILogger<RedisPredictionStore> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _timeout = TimeSpan.FromMilliseconds(_options.TimeoutMilliseconds);
        _breaker = new CircuitBreaker(_options.FailuresBeforeOpen, TimeSpan.FromSeconds(_options.OpenSeconds), time);
        var configuration = ConfigurationOptions.Parse(connectionString);
        configuration.AbortOnConnectFail = false;
        configuration.ConnectRetry = 1;
        configuration.ConnectTimeout = Math.Max(configuration.ConnectTimeout, 1000);
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        _connection = ConnectionMultiplexer.ConnectAsync(configuration);
    }

    public string Provider => "redis";

    public CacheHealth Health => _breaker.IsOpen
        ? new CacheHealth(Provider, "degraded", "circuit open after repeated failures: " + _lastError)
        : _lastError is { } error && !IsConnected
            ? new CacheHealth(Provider, "degraded", error)
            : IsConnected ? CacheHealth.Healthy(Provider) : new CacheHealth(Provider, "degraded", "not connected");

    private bool IsConnected => _connection.IsCompletedSuccessfully && _connection.Result.IsConnected;

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

            var found = await _connection.Result.GetDatabase().StringGetAsync(redisKeys).WaitAsync(_timeout, _time, cancellationToken).ConfigureAwait(false);
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
            var database = _connection.Result.GetDatabase();
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
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastLog);
        if (last != 0 && _time.GetElapsedTime(last, now) < TimeSpan.FromSeconds(_options.ErrorLogIntervalSeconds))
        {
            Interlocked.Increment(ref _suppressed);
            return;
        }

        if (Interlocked.CompareExchange(ref _lastLog, now, last) == last)
        {
            LogFailure(_logger, reason, Interlocked.Exchange(ref _suppressed, 0));
        }
    }

    /// <summary>Never waits for a connect still in progress (an unreachable Redis must not hold up shutdown).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_connection.IsCompletedSuccessfully)
        {
            await _connection.Result.DisposeAsync().ConfigureAwait(false);
            return;
        }

        _ = _connection.ContinueWith(static connect => connect.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    [LoggerMessage(EventId = 1301, EventName = "CacheUnavailable", Level = LogLevel.Warning,
        Message = "Redis prediction cache failed ({Reason}); predictions come from the model. {Suppressed} more failures since the last message")]
    private static partial void LogFailure(ILogger logger, string reason, int suppressed);
}
