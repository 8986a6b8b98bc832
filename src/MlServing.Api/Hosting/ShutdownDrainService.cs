using Microsoft.Extensions.Options;

namespace MlServing.Api.Hosting;

/// <summary>
/// The host calls <see cref="StoppingAsync"/> before it stops any service, the web server included: on SIGTERM
/// readiness is already 503 (it reads ApplicationStopping) and this delay keeps the listener open while traffic
/// moves away. Then Kestrel stops accepting and waits for in-flight requests, whose queued batches the model
/// pipelines finish.
/// </summary>
internal sealed partial class ShutdownDrainService : IHostedLifecycleService
{
    private readonly ShutdownOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ShutdownDrainService> _logger;

    public ShutdownDrainService(IOptions<ShutdownOptions> options, TimeProvider time, ILogger<ShutdownDrainService> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        LogDraining(_logger, _options.DrainDelaySeconds);
        if (_options.DrainDelaySeconds > 0)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(_options.DrainDelaySeconds), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The shutdown timeout ran out: stop waiting and let the server close.
            }
        }
    }

    [LoggerMessage(EventId = 2101, EventName = "Draining", Level = LogLevel.Information,
        Message = "Shutting down: readiness is 503; serving for {DrainDelaySeconds} s more, then finishing in-flight and queued requests")]
    private static partial void LogDraining(ILogger logger, int drainDelaySeconds);
}
