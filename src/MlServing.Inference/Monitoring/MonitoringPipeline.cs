using System.Runtime.CompilerServices;
using MlServing.Inference.Pipeline;

namespace MlServing.Inference.Monitoring;

/// <summary>
/// Sees every answered request of a version (above the cache, so cached rows count too) and hands it to the version's
/// monitor. The async state machine is pooled: monitoring adds no allocation to a request it only counts.
/// </summary>
internal sealed class MonitoringPipeline : IInferencePipeline
{
    private readonly IInferencePipeline _inner;
    private readonly VersionMonitor _monitor;
    private readonly ModelMonitors _monitors;
    private readonly TimeProvider _time;

    public MonitoringPipeline(IInferencePipeline inner, VersionMonitor monitor, ModelMonitors monitors, TimeProvider time)
    {
        _inner = inner;
        _monitor = monitor;
        _monitors = monitors;
        _time = time;
    }

    public IInferencePipeline Inner => _inner;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var result = await _inner.InferAsync(request, cancellationToken).ConfigureAwait(false);
        if (result.IsSuccess)
        {
            _monitor.Observe(request, result, started);
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        _monitors.Retire(_monitor);
    }
}
