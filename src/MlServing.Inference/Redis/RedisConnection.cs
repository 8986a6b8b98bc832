using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace MlServing.Inference.Redis;

/// <summary>
/// The host's one Redis multiplexer (<c>ConnectionStrings:Redis</c>), shared by the prediction cache and the feedback
/// store. It connects in the background when first asked for and reconnects by itself; callers check
/// <see cref="IsConnected"/> and fail open rather than wait for it.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>>? _connection;

    public RedisConnection(IConfiguration configuration)
    {
        ConnectionString = configuration.GetConnectionString("Redis");
        if (string.IsNullOrEmpty(ConnectionString))
        {
            return;
        }

        var options = ConfigurationOptions.Parse(ConnectionString);
        options.AbortOnConnectFail = false;
        options.ConnectRetry = 1;
        options.ConnectTimeout = Math.Max(options.ConnectTimeout, 1000);
        options.ReconnectRetryPolicy = new LinearRetry(500);
        _connection = new Lazy<Task<ConnectionMultiplexer>>(() => ConnectionMultiplexer.ConnectAsync(options));
    }

    public string? ConnectionString { get; }

    public bool IsConfigured => _connection is not null;

    public bool IsConnected => _connection is { IsValueCreated: true, Value: { IsCompletedSuccessfully: true } connect } && connect.Result.IsConnected;

    /// <summary>Starts connecting (once); a store calls it when it is created.</summary>
    public void Start()
    {
        if (_connection is null)
        {
            throw new InvalidOperationException("ConnectionStrings:Redis is not set.");
        }

        _ = _connection.Value;
    }

    /// <summary>The database; only valid while <see cref="IsConnected"/>.</summary>
    public IDatabase Database => _connection!.Value.Result.GetDatabase();

    /// <summary>Never waits for a connect still in progress (an unreachable Redis must not hold up shutdown).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_connection is not { IsValueCreated: true } lazy)
        {
            return;
        }

        var connect = lazy.Value;
        if (connect.IsCompletedSuccessfully)
        {
            await connect.Result.DisposeAsync().ConfigureAwait(false);
            return;
        }

        _ = connect.ContinueWith(static c => c.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }
}
