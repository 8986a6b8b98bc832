using Prometheus;

namespace MlServing.Inference.Observability;

/// <summary>The labelled engine children of one model version, resolved once when the version loads.</summary>
public sealed class ModelVersionMetrics
{
    internal ModelVersionMetrics(EngineMetrics metrics, string model, string version)
    {
        QueueDuration = metrics.QueueDuration.WithLabels(model, version);
        ComputeDuration = metrics.ComputeDuration.WithLabels(model, version);
        BatchSize = metrics.BatchSize.WithLabels(model, version);
        QueueDepth = metrics.QueueDepth.WithLabels(model, version);
        QueueCapacity = metrics.QueueCapacity.WithLabels(model, version);
        Ready = metrics.ModelReady.WithLabels(model, version);
        CacheHits = metrics.CacheLookups.WithLabels(model, version, "hit");
        CacheMisses = metrics.CacheLookups.WithLabels(model, version, "miss");
        CacheErrors = metrics.CacheLookups.WithLabels(model, version, "error");
        QueueDuration.Publish();
        ComputeDuration.Publish();
        BatchSize.Publish();
        QueueDepth.Publish();
        CacheHits.Publish();
        CacheMisses.Publish();
        CacheErrors.Publish();
    }

    public Histogram.Child QueueDuration { get; }

    public Histogram.Child ComputeDuration { get; }

    public Histogram.Child BatchSize { get; }

    public Gauge.Child QueueDepth { get; }

    public Gauge.Child QueueCapacity { get; }

    public Gauge.Child Ready { get; }

    public Counter.Child CacheHits { get; }

    public Counter.Child CacheMisses { get; }

    public Counter.Child CacheErrors { get; }
}
