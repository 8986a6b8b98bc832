using System.Globalization;
using MlServing.Inference.Observability;
using MlServing.Inference.Pipeline;
using MlServing.Inference.Runtime;

namespace MlServing.Inference.Repository;

/// <summary>
/// A loaded, warmed-up model version: an immutable snapshot. Requests hold a lease on it (<see cref="TryAcquire"/>),
/// so a reload that retires it never fails them: the repository's own reference is dropped on retirement, and the
/// pipeline drains and the ONNX Runtime session is released after the last lease ends.
/// </summary>
public sealed class ModelVersion : IAsyncDisposable
{
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _references = 1;
    private int _retired;

    internal ModelVersion(string name, long version, ModelConfig config, ModelSession session, IInferencePipeline pipeline, ModelVersionMetrics metrics)
    {
        Name = name;
        Version = version;
        VersionText = version.ToString(CultureInfo.InvariantCulture);
        Config = config;
        Session = session;
        Pipeline = pipeline;
        Metrics = metrics;
        Features = config.Features is { } features ? new FeatureMap(features) : null;
    }

    public string Name { get; }

    public long Version { get; }

    public string VersionText { get; }

    public ModelConfig Config { get; }

    public ModelSession Session { get; }

    public ModelSignature Signature => Session.Signature;

    public IInferencePipeline Pipeline { get; }

    public ModelVersionMetrics Metrics { get; }

    public FeatureMap? Features { get; }

    public string[]? Labels => Config.Labels;

    public bool AllowNonFinite => Config.AllowNonFinite;

    /// <summary>False once retired: it takes no new lease, and is released when the last one ends.</summary>
    public bool IsServing => Volatile.Read(ref _retired) == 0;

    /// <summary>Completes when the pipeline has drained and the session is released.</summary>
    public Task Disposed => _disposed.Task;

    /// <summary>Takes a lease unless the version is retired. Every successful call needs one <see cref="Release"/>.</summary>
    public bool TryAcquire()
    {
        if (!IsServing)
        {
            return false;
        }

        var current = Volatile.Read(ref _references);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _ = FreeAsync();
        }
    }

    /// <summary>Drops the owner's reference (retires the version); completes when the last request has finished and resources are released.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _retired, 1) == 0)
        {
            Release();
        }

        return new ValueTask(Disposed);
    }

    private async Task FreeAsync()
    {
        try
        {
            await Pipeline.DisposeAsync().ConfigureAwait(false);
            Session.Dispose();
        }
        finally
        {
            _disposed.TrySetResult();
        }
    }
}
